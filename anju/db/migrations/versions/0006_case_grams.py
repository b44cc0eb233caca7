"""case grams: postings of 1- and 2-character terms for short-query search, backfilled

Revision ID: 0006_case_grams
Revises: 0005_case_links
Create Date: 2026-12-10 09:00:00
"""

import sqlalchemy as sa
from alembic import op

from anju.db import case_postings

revision = "0006_case_grams"
down_revision = "0005_case_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_grams",
        sa.Column("gram", sa.String(length=2), nullable=False),
        sa.Column("score", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("facets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("gram", "score", "day", "case_id"),
        sqlite_with_rowid=False,
    )
    # Backfill from case_search (postings are a function of its title, doc and filter columns).
    case_postings.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("case_grams")
