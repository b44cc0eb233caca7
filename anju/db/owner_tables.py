"""Tables of units, owners and the hand-over. Every change needs an Alembic migration."""

from __future__ import annotations
