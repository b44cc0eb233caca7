"""case revision tx: on PostgreSQL each case revision records the transaction that wrote it

Revision ID: 0009_case_revision_tx
Revises: 0008_case_trigrams
Create Date: 2026-12-11 10:00:00

The matching index (`anju.services.case_match`) catches up from the newest revision id it has
seen. On PostgreSQL a transaction can commit after another that took a later id, so it also
reads the revisions of every transaction that had not finished when it last looked: the
database fills `tx` with `pg_current_xact_id()` and an index finds them. Existing rows get the
migration's own transaction id (they are all committed). SQLite gets the column, left NULL:
its writers are serialised, so revision ids commit in order there.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_case_revision_tx"
down_revision = "0008_case_trigrams"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        default = sa.text("(pg_current_xact_id()::text::bigint)")
        op.add_column("case_revisions", sa.Column("tx", sa.BigInteger(), server_default=default))
        op.create_index("ix_case_revisions_tx", "case_revisions", ["tx"])
    else:
        op.add_column("case_revisions", sa.Column("tx", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_case_revisions_tx", table_name="case_revisions")
    with op.batch_alter_table("case_revisions") as batch:
        batch.drop_column("tx")
