"""case vectors: each case's meaning vector for recommendation

Revision ID: 0007_case_vectors
Revises: 0006_case_grams
Create Date: 2026-12-10 10:00:00

No backfill here: embedding takes about a millisecond a case and loads a 100 MB model, which
does not belong in a schema transaction. Cases without a vector are ranked by their words
alone until `anju cases reindex-vectors` (batched, short transactions) has written them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_case_vectors"
down_revision = "0006_case_grams"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_vectors",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id"),
    )


def downgrade() -> None:
    op.drop_table("case_vectors")
