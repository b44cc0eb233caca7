"""Tables of the case library (lessons learned). Every change needs an Alembic migration."""

from __future__ import annotations
