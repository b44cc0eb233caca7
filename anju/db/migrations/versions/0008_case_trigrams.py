"""case trigrams: on SQLite, `case_grams` also posts 3-character grams, backfilled

Revision ID: 0008_case_trigrams
Revises: 0007_case_vectors
Create Date: 2026-12-11 09:00:00

SQLite ranks a 3+-character match by reading its whole row, so there 3-character terms are
answered from their own postings and longer ones through their rarest 3-character gram
(`anju.db.case_postings.LONGEST`). The gram column becomes VARCHAR(3) on both databases:
PostgreSQL widens it in place (it posts no 3-character grams); SQLite's table is created again
in the new shape and refilled from `case_search`, which rewrites every posting anyway.
"""

import sqlalchemy as sa
from alembic import op

from anju.db import case_postings

revision = "0008_case_trigrams"
down_revision = "0007_case_vectors"
branch_labels = None
depends_on = None


def _create(gram_length: int) -> None:
    op.create_table(
        "case_grams",
        sa.Column("gram", sa.String(length=gram_length), nullable=False),
        sa.Column("score", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("facets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("gram", "score", "day", "case_id"),
        sqlite_with_rowid=False,
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_table("case_grams")
        _create(3)
        case_postings.rebuild(op.get_bind())
    else:
        op.alter_column("case_grams", "gram", type_=sa.String(length=3))


def downgrade() -> None:
    op.execute("DELETE FROM case_grams WHERE length(gram) > 2")
    if op.get_bind().dialect.name != "sqlite":  # SQLite keeps the declared VARCHAR(3)
        op.alter_column("case_grams", "gram", type_=sa.String(length=2))
