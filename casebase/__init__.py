"""The case library's domain: case model, Chinese search and matching (no SQL, no UI).

Persistence and services live in `anju` (`anju.db.case_tables`, `anju.services.cases`).
"""
