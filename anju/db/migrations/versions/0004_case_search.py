"""case search without a join: filter columns copied into case_search

Revision ID: 0004_case_search
Revises: 0003_case_packages
Create Date: 2026-11-26 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_case_search"
down_revision = "0003_case_packages"
branch_labels = None
depends_on = None

COLUMNS = [
    ("status", 16),
    ("stage", 16),
    ("category", 16),
    ("department", 32),
    ("source_project", 128),
]


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy): a recreated table would lose the FTS5 triggers.
    for name, length in COLUMNS:
        op.add_column(
            "case_search",
            sa.Column(name, sa.String(length=length), nullable=False, server_default=""),
        )
    op.add_column("case_search", sa.Column("occurred_on", sa.Date(), nullable=True))
    names = [name for name, _ in COLUMNS] + ["occurred_on"]
    copies = ", ".join(
        f"{name} = (SELECT cases.{name} FROM cases WHERE cases.id = case_search.case_id)"
        for name in names
    )
    op.execute(f"UPDATE case_search SET {copies}")  # noqa: S608


def downgrade() -> None:
    for name in ("occurred_on", *(name for name, _ in reversed(COLUMNS))):
        op.drop_column("case_search", name)
