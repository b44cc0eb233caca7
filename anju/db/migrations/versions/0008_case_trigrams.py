"""case trigrams: on SQLite, `case_grams` also posts 3-character grams, backfilled

Revision ID: 0008_case_trigrams
Revises: 0007_case_vectors
Create Date: 2026-12-11 09:00:00

SQLite ranks a 3+-character match by reading its whole row, so there 3-character terms are
answered from their own postings and longer ones through their rarest 3-character gram
(`anju.db.case_postings.LONGEST`): the postings are written again from `case_search`. The gram
column becomes VARCHAR(3): PostgreSQL widens it in place (it posts no 3-character grams);
SQLite does not enforce a declared length, so its table keeps the shape of 0006.
"""

import sqlalchemy as sa
from alembic import op

from anju.db import case_postings

revision = "0008_case_trigrams"
down_revision = "0007_case_vectors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        case_postings.rebuild(op.get_bind())
    else:
        op.alter_column("case_grams", "gram", type_=sa.String(length=3))


def downgrade() -> None:
    op.execute("DELETE FROM case_grams WHERE length(gram) > 2")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("case_grams", "gram", type_=sa.String(length=2))
