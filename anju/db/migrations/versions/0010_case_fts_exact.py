"""case fts exact: SQLite's trigram index matches characters exactly, as Python and LIKE do

Revision ID: 0010_case_fts_exact
Revises: 0009_case_revision_tx
Create Date: 2026-12-11 11:00:00

FTS5's `trigram` tokenizer folds case by default, and its folding goes beyond Python's
`str.lower` (which `casebase.search.normalise` has already applied to both sides): it also
takes final sigma "ς" for "σ". A search for "xyzσ" then found a case holding only "xyzς", which
PostgreSQL (LIKE) and the documented rule do not. `case_sensitive 1` keeps characters as they
are. The table is created again with that option and filled from `case_search`; its triggers
name the table, not its definition, so they stay as they are. Nothing to do on PostgreSQL.
"""

from alembic import op

revision = "0010_case_fts_exact"
down_revision = "0009_case_revision_tx"
branch_labels = None
depends_on = None


def _recreate(tokenize: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE case_fts")
    op.execute(
        "CREATE VIRTUAL TABLE case_fts USING fts5("
        f"doc, content='case_search', content_rowid='case_id', tokenize='{tokenize}')"
    )
    op.execute("INSERT INTO case_fts(case_fts) VALUES ('rebuild')")


def upgrade() -> None:
    _recreate("trigram case_sensitive 1")


def downgrade() -> None:
    _recreate("trigram")
