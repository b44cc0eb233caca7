"""case links: the imported spreadsheet number and the source record of a case, both unique

Revision ID: 0005_case_links
Revises: 0004_case_search
Create Date: 2026-12-03 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_case_links"
down_revision = "0004_case_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy), like 0004: NULLs never collide in a unique index.
    op.add_column("cases", sa.Column("external_ref", sa.String(length=64), nullable=True))
    op.add_column("cases", sa.Column("source_record_id", sa.Integer(), nullable=True))
    op.create_index("ux_cases_external_ref", "cases", ["external_ref"], unique=True)
    op.create_index(
        "ux_cases_source_record", "cases", ["source_kind", "source_record_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_cases_source_record", table_name="cases")
    op.drop_index("ux_cases_external_ref", table_name="cases")
    op.drop_column("cases", "source_record_id")
    op.drop_column("cases", "external_ref")
