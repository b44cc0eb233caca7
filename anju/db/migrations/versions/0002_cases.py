"""case library: cases, case revisions, case search index (FTS5 trigram / pg_trgm)

Revision ID: 0002_cases
Revises: 0001
Create Date: 2026-11-24 09:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_cases"
down_revision = "0001"
branch_labels = ("cases",)
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE case_fts USING fts5("
    "doc, content='case_search', content_rowid='case_id', tokenize='trigram')",
    "CREATE TRIGGER case_search_ai AFTER INSERT ON case_search BEGIN "
    "INSERT INTO case_fts(rowid, doc) VALUES (new.case_id, new.doc); END",
    "CREATE TRIGGER case_search_ad AFTER DELETE ON case_search BEGIN "
    "INSERT INTO case_fts(case_fts, rowid, doc) VALUES ('delete', old.case_id, old.doc); END",
    "CREATE TRIGGER case_search_au AFTER UPDATE ON case_search BEGIN "
    "INSERT INTO case_fts(case_fts, rowid, doc) VALUES ('delete', old.case_id, old.doc); "
    "INSERT INTO case_fts(rowid, doc) VALUES (new.case_id, new.doc); END",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("lesson", sa.Text(), nullable=False),
        sa.Column("source_project", sa.String(length=128), nullable=False),
        sa.Column("location", sa.String(length=128), nullable=False),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cases_status_stage_category", "cases", ["status", "stage", "category"])
    op.create_index("ix_cases_department", "cases", ["department"])
    op.create_index("ix_cases_source_project", "cases", ["source_project"])
    op.create_index("ix_cases_occurred_on", "cases", ["occurred_on"])
    op.create_table(
        "case_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("changes", JSON, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_revisions_case", "case_revisions", ["case_id", "id"])
    op.create_table(
        "case_search",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id"),
    )
    if dialect == "postgresql":
        op.create_index(
            "ix_case_search_doc_trgm",
            "case_search",
            ["doc"],
            postgresql_using="gin",
            postgresql_ops={"doc": "gin_trgm_ops"},
        )
    elif dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("case_search_au", "case_search_ad", "case_search_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS case_fts")
    op.drop_table("case_search")
    op.drop_index("ix_case_revisions_case", table_name="case_revisions")
    op.drop_table("case_revisions")
    for name in (
        "ix_cases_occurred_on",
        "ix_cases_source_project",
        "ix_cases_department",
        "ix_cases_status_stage_category",
    ):
        op.drop_index(name, table_name="cases")
    op.drop_table("cases")
