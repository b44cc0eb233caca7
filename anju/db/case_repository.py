"""Queries of the case library: cases, their history and the search index.

Owns: every SQL statement about cases. Search takes terms already parsed by
`casebase.search.parse_query` and computes `casebase.search.score` in SQL, identically on both
databases. Candidates come from the trigram index: on SQLite the FTS5 `trigram` table answers
terms of 3+ characters (a quoted phrase, so operators are literal) and LIKE scans the shorter
ones; on PostgreSQL LIKE uses the GIN `gin_trgm_ops` index, with custom plans forced so
short patterns never get a slow generic plan and random reads costed as cached (1.1) so the
planner reads the trigram matches' pages instead of scanning every document. A query of one
term is answered by the posting table `case_grams` instead (`anju.db.case_postings`, kept in
step here) when it can be: 1–2 characters on both databases, 3 on SQLite; a longer one term on
SQLite walks its rarest 3-character gram's postings, narrowed to the FTS5 matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    LargeBinary,
    bindparam,
    cast,
    column,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    tuple_,
    update,
)

from anju.db import case_postings
from anju.db.case_tables import Case, CaseRevision, CaseSearch
from anju.db.unit_of_work import Session
from casebase.search import LIKE_ESCAPE, SHORT_TERM, TITLE_WEIGHT, fts_phrase, like_pattern

_T = TypeVar("_T")


@dataclass(frozen=True)
class CaseFilters:
    statuses: tuple[str, ...] = ("published",)
    stage: str | None = None
    category: str | None = None
    department: str | None = None
    source_project: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def get_case(session: Session, case_id: int) -> Case | None:
    return session.get(Case, case_id)


def revisions(session: Session, case_id: int) -> Sequence[CaseRevision]:
    query = select(CaseRevision).where(CaseRevision.case_id == case_id).order_by(CaseRevision.id)
    return session.scalars(query).all()


def add_revision(session: Session, case: Case, **values: object) -> None:
    session.add(CaseRevision(case_id=case.id, version=case.lock_version, **values))


FILTER_COLUMNS = ("status", "stage", "category", "department", "source_project", "occurred_on")
"""Columns of `cases` copied into `case_search` so search ranks without a join."""


def _filter_values(session: Session, case_id: int) -> dict[str, object]:
    case = session.get(Case, case_id)
    if case is None:
        return {}
    return {name: getattr(case, name) for name in FILTER_COLUMNS}


def _packed(row: CaseSearch) -> int:
    return case_postings.facets(row.status, row.stage, row.category)


def save_search_row(session: Session, case_id: int, title: str, doc: str) -> None:
    """Insert or replace the case's index row and its short-term postings.

    FTS5 follows through triggers on SQLite; `case_grams` is rewritten only when the text or
    the date changed, and only its packed filters when status, stage or category did.
    """
    values: dict[str, object] = {"title": title, "doc": doc, **_filter_values(session, case_id)}
    row = session.get(CaseSearch, case_id)
    old: tuple[str, str, date | None] | None = None
    before = -1
    if row is None:
        row = CaseSearch(case_id=case_id, **values)
        session.add(row)
    else:
        old = (row.title, row.doc, row.occurred_on)
        before = _packed(row)
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    session.flush()
    new = (row.title, row.doc, row.occurred_on)
    if old != new:
        case_postings.replace_case(session, case_id, old, new, _packed(row))
    elif _packed(row) != before:
        case_postings.set_facets(session, case_id, new, _packed(row))


def sync_search_filters(session: Session, case_id: int) -> None:
    """Copy the case's filter columns (status, stage…) into its index row after a change."""
    row = session.get(CaseSearch, case_id)
    if row is None:
        return
    before, old_day = _packed(row), row.occurred_on
    for name, value in _filter_values(session, case_id).items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    session.flush()
    if row.occurred_on != old_day:
        old = (row.title, row.doc, old_day)
        case_postings.replace_case(
            session, case_id, old, (row.title, row.doc, row.occurred_on), _packed(row)
        )
    elif _packed(row) != before:
        case_postings.set_facets(
            session, case_id, (row.title, row.doc, row.occurred_on), _packed(row)
        )


def replace_search_rows(session: Session, rows: Iterable[tuple[int, str, str]]) -> int:
    """Rebuild the whole index from (case_id, title, doc) rows; returns the number written."""
    session.execute(delete(CaseSearch))
    batch: list[dict[str, object]] = []
    written = 0
    for case_id, title, doc in rows:
        batch.append({"case_id": case_id, "title": title, "doc": doc})
        if len(batch) == 2000:
            session.execute(insert(CaseSearch), batch)
            written += len(batch)
            batch = []
    if batch:
        session.execute(insert(CaseSearch), batch)
        written += len(batch)
    copies = {
        name: select(getattr(Case, name)).where(Case.id == CaseSearch.case_id).scalar_subquery()
        for name in FILTER_COLUMNS
    }
    session.execute(update(CaseSearch).values(copies))
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO case_fts(case_fts) VALUES ('rebuild')"))
    case_postings.rebuild(session.connection())
    return written


def all_cases(session: Session) -> Sequence[Case]:
    return session.scalars(select(Case).order_by(Case.id)).all()


def _occurrences(col: Any, term: str, name: str, sqlite: bool) -> ColumnElement[int]:
    """Non-overlapping occurrences of `term` in `col`: what `replace` removes, by its length.

    SQLite counts a text's characters by walking it but knows a blob's size, so there the
    lengths are taken in bytes (Anju's SQLite databases are UTF-8), a third faster to rank.
    """
    bound: BindParameter[str] = bindparam(name, term)
    stripped = func.replace(col, bound, literal(""))
    if sqlite:
        removed = func.length(cast(col, LargeBinary)) - func.length(cast(stripped, LargeBinary))
        return removed // len(term.encode())
    return (func.length(col) - func.length(stripped)) // len(term)


def _term_filter(session: Session, term: str, index: int) -> ColumnElement[bool]:
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite and len(term) > SHORT_TERM:
        return CaseSearch.case_id.in_(_fts_ids(term, index))
    if sqlite:  # both sides are in index form, so instr is the same exact substring test
        return func.instr(CaseSearch.doc, bindparam(f"in{index}", term)) > 0
    return CaseSearch.doc.like(like_pattern(term), escape=LIKE_ESCAPE)


def _fts_ids(term: str, index: int = 0) -> Any:
    """The ids of the cases whose document contains `term` (3+ characters), from FTS5."""
    fts = text(f"SELECT rowid FROM case_fts WHERE case_fts MATCH :fts{index}")  # noqa: S608
    return fts.bindparams(**{f"fts{index}": fts_phrase(term)}).columns(column("rowid", Integer))


def _filters(filters: CaseFilters) -> list[ColumnElement[bool]]:
    return _filters_on(Case, filters)


def _filters_on(table: type[Case] | type[CaseSearch], filters: CaseFilters) -> list[Any]:
    where: list[Any] = [table.status.in_(filters.statuses)]
    for name in ("stage", "category", "department", "source_project"):
        value = getattr(filters, name)
        if value:
            where.append(getattr(table, name) == value)
    if filters.date_from:
        where.append(table.occurred_on >= filters.date_from)
    if filters.date_to:
        where.append(table.occurred_on <= filters.date_to)
    return where


def search(
    session: Session, terms: Sequence[str], filters: CaseFilters, limit: int, offset: int = 0
) -> tuple[list[tuple[Case, int]], int]:
    """The cases containing every term, best first, and how many there are in all."""
    dialect = session.get_bind().dialect.name
    posted = _from_postings(session, terms, filters, limit, offset, dialect)
    if posted is not None:
        page, total = posted
        loaded = cases_by_ids(session, [case_id for case_id, _ in page])
        return [(loaded[case_id], score) for case_id, score in page], total
    postgresql = dialect == "postgresql"
    if postgresql:
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        # The index's pages are cached like the table's: with the default cost of a random
        # read (4) the planner scans every document instead of the trigram matches' pages.
        session.execute(text("SET LOCAL random_page_cost = 1.1"))
    score: ColumnElement[int] = literal(0)
    where = _filters_on(CaseSearch, filters)
    for index, term in enumerate(terms):
        score = (
            score
            + TITLE_WEIGHT * _occurrences(CaseSearch.title, term, f"tt{index}", not postgresql)
            + _occurrences(CaseSearch.doc, term, f"td{index}", not postgresql)
        )
        where.append(_term_filter(session, term, index))
    # Rank narrow rows of case_search alone (filters are copied there), then load the page,
    # counting in the same statement: PostgreSQL with a window; SQLite buffers a window's
    # every row, so there the matches are a CTE that is read twice (ranked, and counted).
    matches = select(
        CaseSearch.case_id,
        CaseSearch.occurred_on,
        score.label("score"),
        *([func.count().over().label("total")] if postgresql else []),
    ).where(*where)
    ranked: Any = matches.subquery() if postgresql else matches.cte("matches")
    total_of: Any = (
        ranked.c.total
        if postgresql
        else select(func.count()).select_from(ranked).scalar_subquery().label("total")
    )
    query = (
        select(ranked.c.case_id, ranked.c.score, total_of)
        .order_by(
            ranked.c.score.desc(), ranked.c.occurred_on.desc().nulls_last(), ranked.c.case_id.desc()
        )
        .limit(limit)
        .offset(offset)
    )
    rows = session.execute(query).all()
    if rows:
        total = int(rows[0].total)
    elif offset:  # past the last page: count on their own
        counted = session.scalar(select(func.count()).select_from(CaseSearch).where(*where))
        total = int(counted or 0)
    else:
        total = 0
    ids = [row.case_id for row in rows]
    found = {case.id: case for case in session.scalars(select(Case).where(Case.id.in_(ids)))}
    return [(found[row.case_id], int(row.score)) for row in rows], total


def _from_postings(
    session: Session,
    terms: Sequence[str],
    filters: CaseFilters,
    limit: int,
    offset: int,
    dialect: str,
) -> tuple[list[tuple[int, int]], int] | None:
    """A one-term query answered from `case_grams` (None when it cannot be): a term as long as
    the posted grams from its own range, a longer one on SQLite through its rarest gram's."""
    if len(terms) != 1:
        return None
    term, arguments = terms[0], _filter_arguments(filters)
    if len(term) <= case_postings.longest(dialect):
        return case_postings.search(session, term, arguments, limit, offset)
    if dialect == "sqlite":
        return case_postings.search_longer(session, term, _fts_ids(term), arguments, limit, offset)
    return None


def _filter_arguments(filters: CaseFilters) -> dict[str, Any]:
    return {
        "statuses": filters.statuses,
        "stage": filters.stage,
        "category": filters.category,
        "department": filters.department,
        "source_project": filters.source_project,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
    }


def browse(
    session: Session, filters: CaseFilters, limit: int, offset: int = 0
) -> tuple[list[Case], int]:
    """Cases matching the filters only (no text query), newest first."""
    query = (
        select(Case, func.count().over().label("total"))
        .where(*_filters(filters))
        .order_by(Case.occurred_on.desc().nulls_last(), Case.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = session.execute(query).all()
    total = int(rows[0].total) if rows else 0
    return [row.Case for row in rows], total


def cases_by_ids(session: Session, ids: Iterable[int]) -> dict[int, Case]:
    found: dict[int, Case] = {}
    for chunk in _chunks(sorted(set(ids))):
        found.update((c.id, c) for c in session.scalars(select(Case).where(Case.id.in_(chunk))))
    return found


def cases_by_external_ref(session: Session, refs: Iterable[str]) -> dict[str, Case]:
    found: dict[str, Case] = {}
    for chunk in _chunks(sorted(set(refs))):
        query = select(Case).where(Case.external_ref.in_(chunk))
        found.update((c.external_ref or "", c) for c in session.scalars(query))
    return found


def cases_by_name(
    session: Session, names: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[Case]]:
    """{(source project, title): the cases so named} (several when the name is not unique)."""
    found: dict[tuple[str, str], list[Case]] = {}
    for chunk in _chunks(sorted(set(names))):
        query = (
            select(Case).where(tuple_(Case.source_project, Case.title).in_(chunk)).order_by(Case.id)
        )
        for case in session.scalars(query):
            found.setdefault((case.source_project, case.title), []).append(case)
    return found


def linked_records(session: Session, source_kind: str, record_ids: Iterable[int]) -> dict[int, int]:
    """{source record id: case id} of the cases drafted from those records."""
    found: dict[int, int] = {}
    for chunk in _chunks(sorted(set(record_ids))):
        query = select(Case.source_record_id, Case.id).where(
            Case.source_kind == source_kind, Case.source_record_id.in_(chunk)
        )
        found.update(
            (int(record or 0), case_id) for record, case_id in session.execute(query).tuples()
        )
    return found


def export_rows(session: Session, filters: CaseFilters) -> Sequence[Case]:
    """Every case matching the filters, in id order (for the .xlsx export)."""
    return session.scalars(select(Case).where(*_filters(filters)).order_by(Case.id)).all()


def _chunks(items: list[_T], size: int = 500) -> Iterator[list[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
