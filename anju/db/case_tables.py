"""Tables of the case library (lessons learned). Every change needs an Alembic migration.

Owns: `cases` (with `lock_version` for optimistic locking), `case_revisions` (the edit history)
`case_search` (each case's title and document in index form, see `casebase.search`), and
the case-input packages (`case_packages`, `case_package_items` with each case's verification).
Search indexes on `case_search.doc`: PostgreSQL has a GIN `gin_trgm_ops` index (declared here);
SQLite has the FTS5 `trigram` table `case_fts` with triggers, created by migration 0002_cases
(a virtual table SQLAlchemy does not model). `case_search` also carries copies of the filter
columns so search ranks without a join (0004_case_search). A case's `external_ref` (its number
in an imported spreadsheet) and `(source_kind, source_record_id)` (the defect it was drafted
from) are unique, so importing or drafting twice never duplicates it (0005_case_links).
`case_grams` holds the postings of 1–2-character terms (0006_case_grams; on SQLite also of
3-character ones, 0008_case_trigrams), `case_vectors` each case's meaning vector
(0007_case_vectors) and `case_revisions.tx` the PostgreSQL transaction that wrote a revision
(0009_case_revision_tx). SQLite's trigram index matches characters exactly (0010_case_fts_exact).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from anju.db.tables import Base, JsonType, UtcDateTime


class Case(Base):
    """One lessons-learned case."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    department: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    source_kind: Mapped[str] = mapped_column(String(16))
    cause: Mapped[str] = mapped_column(Text, default="")
    lesson: Mapped[str] = mapped_column(Text, default="")
    source_project: Mapped[str] = mapped_column(String(128), default="")
    location: Mapped[str] = mapped_column(String(128), default="")
    tags: Mapped[list[str]] = mapped_column(JsonType, default=list)
    occurred_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    external_ref: Mapped[str | None] = mapped_column(String(64))
    """The case's number in the spreadsheet it was imported from (unique; 0005_case_links)."""
    source_record_id: Mapped[int | None] = mapped_column(Integer)
    """The record of `source_kind` it was drafted from, e.g. a hand-over defect's id."""
    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012
    __table_args__ = (
        Index("ux_cases_external_ref", "external_ref", unique=True),
        Index("ux_cases_source_record", "source_kind", "source_record_id", unique=True),
        Index("ix_cases_status_stage_category", "status", "stage", "category"),
        Index("ix_cases_department", "department"),
        Index("ix_cases_source_project", "source_project"),
        Index("ix_cases_occurred_on", "occurred_on"),
    )


class CaseRevision(Base):
    """One step of a case's history: created, edited (with the changed fields), published…"""

    __tablename__ = "case_revisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    changes: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    tx: Mapped[int | None] = mapped_column(BigInteger, server_default=FetchedValue())
    """On PostgreSQL the id of the transaction that wrote the row (`pg_current_xact_id()`,
    filled by the database, migration 0009_case_revision_tx): the matching index
    catches up on every transaction that had not finished when it last looked. NULL on SQLite,
    where writers are serialised and revision ids commit in order."""
    __table_args__ = (
        Index("ix_case_revisions_case", "case_id", "id"),
        Index("ix_case_revisions_tx", "tx").ddl_if(dialect="postgresql"),
    )


class CaseSearch(Base):
    """A case's title and whole document in index form (normalised); one row per case.

    The filter columns (status … occurred_on) are copies of the case's own, kept in step by
    `anju.db.case_repository`, so ranking never joins `cases` (migration 0004_case_search).
    """

    __tablename__ = "case_search"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    title: Mapped[str] = mapped_column(Text)
    doc: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="")
    stage: Mapped[str] = mapped_column(String(16), default="")
    category: Mapped[str] = mapped_column(String(16), default="")
    department: Mapped[str] = mapped_column(String(32), default="")
    source_project: Mapped[str] = mapped_column(String(128), default="")
    occurred_on: Mapped[date | None] = mapped_column(Date)
    __table_args__ = (
        Index(
            "ix_case_search_doc_trgm",
            "doc",
            postgresql_using="gin",
            postgresql_ops={"doc": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )


class CaseGram(Base):
    """Posting of a short gram in a case's document, with that term's score.

    One row per distinct gram of `case_search.doc` (migration 0006_case_grams) of 1–2
    characters, and on SQLite also of 3 (0008_case_trigrams): the primary key (gram, score,
    day, case_id) is the search order of a one-term query, so its top page and its exact count
    are read from one key range. `facets` packs status, stage and
    category (`anju.db.case_postings.facets`) so the common filters need no join; `day` is
    `occurred_on` as a day ordinal, 0 when unknown (ranks last, as NULLS LAST does). On SQLite
    the table is WITHOUT ROWID: the rows are the key, stored in gram order.
    """

    __tablename__ = "case_grams"
    gram: Mapped[str] = mapped_column(String(3), primary_key=True)
    score: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    day: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    facets: Mapped[int] = mapped_column(Integer)
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012


class CaseVector(Base):
    """A case's meaning vector (`casebase.meaning`): `dim` little-endian float32 values.

    `model` names the encoder that made it; recommendation only compares vectors of the
    current model (migration 0007_case_vectors; `anju cases reindex-vectors` rebuilds them).
    """

    __tablename__ = "case_vectors"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    model: Mapped[str] = mapped_column(String(64))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class CasePackage(Base):
    """A case-input package: cases CS hands to a department for one project stage."""

    __tablename__ = "case_packages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    stage: Mapped[str] = mapped_column(String(16))
    department: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    __table_args__ = (Index("ix_case_packages_project_stage", "project_id", "stage"),)


class CasePackageItem(Base):
    """One case of a package and its verification (规避确认): avoided, not avoided, n/a."""

    __tablename__ = "case_package_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("case_packages.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    position: Mapped[int] = mapped_column(Integer)
    result: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    verified_by: Mapped[str | None] = mapped_column(String(64))
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    __table_args__ = (
        UniqueConstraint("package_id", "case_id", name="uq_case_package_items_case"),
        Index("ix_case_package_items_package", "package_id", "position"),
    )


__all__ = [
    "Case",
    "CaseGram",
    "CasePackage",
    "CasePackageItem",
    "CaseRevision",
    "CaseSearch",
    "CaseVector",
]
