"""The Streamlit front end: pages call `anju.services` only (never `anju.db` or `workflows`)."""
