"""The posting table of short search terms: `case_grams`, kept in step with `case_search`.

Owns: every SQL statement about `case_grams` — writing a case's postings (every distinct gram
of its document up to `longest` characters — 2, on SQLite 3 — with `casebase.search.short_grams`
as the score), changing their packed filter columns, rebuilding them all in batches, and
answering one-term queries: a posted term straight from the primary key (gram, score, day,
case_id) — the top page is the first rows of the gram's key range read backwards, the exact
count is that range — and, on SQLite, a longer term by walking its rarest gram's range
(`search_longer`). Results and order are the same as the general search
(`anju.db.case_repository.search`) on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    select,
)

from anju.db.case_tables import CaseGram, CaseSearch
from anju.db.unit_of_work import Session
from casebase.search import SHORT_TERM, score, short_grams

STATUS_CODES = ("draft", "published", "retired")
STAGE_CODES = ("design", "sales", "construction", "handover", "occupancy")
CATEGORY_CODES = ("planning", "building", "living", "quality", "service")
"""Codes packed into `case_grams.facets`; append new values, never reorder (stored data)."""
UNKNOWN = 9
LONGEST = {"sqlite": 3}
"""Longest gram posted, by dialect (others: SHORT_TERM). SQLite ranks a 3+-character match by
reading its whole row, so it also posts 3-character grams; PostgreSQL needs none of them."""
BATCH_CASES = 2000
PROBE_GRAMS = 8
PROBE_ROWS = 2000
"""A long term's rarest gram is chosen among at most PROBE_GRAMS of its grams, each counted up
to PROBE_ROWS postings (enough to tell a rare gram from a common one)."""
WALK_CHUNK = 32
_COLUMNS = ("gram", "score", "day", "case_id", "facets")
_TABLE = cast(Table, CaseGram.__table__)


def _code(codes: tuple[str, ...], value: str) -> int:
    return codes.index(value) if value in codes else UNKNOWN


def facets(status: str, stage: str, category: str) -> int:
    """status × 100 + stage × 10 + category, each its position in the code tuples above."""
    return (
        _code(STATUS_CODES, status) * 100
        + _code(STAGE_CODES, stage) * 10
        + _code(CATEGORY_CODES, category)
    )


def day_number(day: date | None) -> int:
    """The ordering key of `occurred_on`: its ordinal, 0 (last) when unknown."""
    return day.toordinal() if day else 0


def longest(dialect: str) -> int:
    """The longest gram posted on `dialect`: 3 on SQLite, 2 elsewhere (see LONGEST)."""
    return LONGEST.get(dialect, SHORT_TERM)


def _rows(
    case_id: int, title: str, doc: str, day: int, packed: int, size: int
) -> list[tuple[str, int, int, int, int]]:
    grams = short_grams(title, doc, size)
    return [(gram, score, day, case_id, packed) for gram, score in grams.items()]


def _longest(session: Session) -> int:
    return longest(session.get_bind().dialect.name)


def _keys(rows: Iterable[tuple[str, int, int, int, int]]) -> list[dict[str, object]]:
    return [{"g": g, "s": s, "d": d, "c": c} for g, s, d, c, _ in rows]


def _key_clause() -> ColumnElement[bool]:
    columns = _TABLE.c
    return and_(
        columns.gram == bindparam("g"),
        columns.score == bindparam("s"),
        columns.day == bindparam("d"),
        columns.case_id == bindparam("c"),
    )


def replace_case(
    session: Session,
    case_id: int,
    old: tuple[str, str, date | None] | None,
    new: tuple[str, str, date | None],
    packed: int,
) -> None:
    """Swap a case's postings for those of its new (title, doc, occurred_on).

    The old postings are found by their whole key, worked out again from the old index row,
    so no secondary index on case_id is needed.
    """
    if old is not None:
        stale = _rows(case_id, old[0], old[1], day_number(old[2]), 0, _longest(session))
        if stale:
            session.connection().execute(_TABLE.delete().where(_key_clause()), _keys(stale))
    fresh = _rows(case_id, new[0], new[1], day_number(new[2]), packed, _longest(session))
    if fresh:
        values = [dict(zip(_COLUMNS, row, strict=True)) for row in fresh]
        session.connection().execute(_TABLE.insert(), values)


def set_facets(
    session: Session, case_id: int, current: tuple[str, str, date | None], packed: int
) -> None:
    """Change the packed filter columns of a case's postings (status, stage or category moved)."""
    day = day_number(current[2])
    keys = _keys(_rows(case_id, current[0], current[1], day, 0, _longest(session)))
    if keys:
        statement = _TABLE.update().where(_key_clause()).values(facets=packed)
        session.connection().execute(statement, keys)


def rebuild(connection: Connection) -> int:
    """Write the postings of every `case_search` row again; returns the number of rows written.

    Cases are read and their postings written in batches of BATCH_CASES through a temporary
    table without keys, then copied in key order (a sorted insert is several times faster).
    """
    postgresql = connection.dialect.name == "postgresql"
    size = longest(connection.dialect.name)
    connection.execute(delete(CaseGram))
    connection.exec_driver_sql("DROP TABLE IF EXISTS case_grams_load")
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE case_grams_load (gram VARCHAR(3), score INTEGER, "
        "day INTEGER, case_id INTEGER, facets INTEGER)"
    )
    written = 0
    for batch in _batches(connection):
        rows = [
            row
            for case_id, title, doc, occurred, packed in batch
            for row in _rows(case_id, title, doc, day_number(occurred), packed, size)
        ]
        _load(connection, rows, postgresql)
        written += len(rows)
    names = ", ".join(_COLUMNS)
    connection.exec_driver_sql(
        f"INSERT INTO case_grams ({names}) SELECT {names} FROM case_grams_load "  # noqa: S608
        "ORDER BY gram, score, day, case_id"
    )
    connection.exec_driver_sql("DROP TABLE case_grams_load")
    return written


def _batches(connection: Connection) -> Iterator[list[tuple[int, str, str, date | None, int]]]:
    last = 0
    while True:
        query = (
            select(
                CaseSearch.case_id,
                CaseSearch.title,
                CaseSearch.doc,
                CaseSearch.occurred_on,
                CaseSearch.status,
                CaseSearch.stage,
                CaseSearch.category,
            )
            .where(CaseSearch.case_id > last)
            .order_by(CaseSearch.case_id)
            .limit(BATCH_CASES)
        )
        found = connection.execute(query).all()
        if not found:
            return
        last = found[-1].case_id
        yield [
            (r.case_id, r.title, r.doc, r.occurred_on, facets(r.status, r.stage, r.category))
            for r in found
        ]


def _load(
    connection: Connection, rows: list[tuple[str, int, int, int, int]], postgresql: bool
) -> None:
    if not rows:
        return
    if postgresql:
        raw: Any = connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(
                "COPY case_grams_load (gram, score, day, case_id, facets) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        connection.exec_driver_sql("INSERT INTO case_grams_load VALUES (?, ?, ?, ?, ?)", rows)


def _filters(
    statuses: Sequence[str],
    stage: str | None,
    category: str | None,
    department: str | None,
    source_project: str | None,
    date_from: date | None,
    date_to: date | None,
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        (CaseGram.facets // 100).in_([_code(STATUS_CODES, s) for s in statuses])
    ]
    if stage:
        where.append((CaseGram.facets // 10) % 10 == _code(STAGE_CODES, stage))
    if category:
        where.append(CaseGram.facets % 10 == _code(CATEGORY_CODES, category))
    if date_from:
        where.append(CaseGram.day >= day_number(date_from))
    if date_to:
        where.append(and_(CaseGram.day > 0, CaseGram.day <= day_number(date_to)))
    joined: list[ColumnElement[bool]] = []
    if department:
        joined.append(CaseSearch.department == department)
    if source_project:
        joined.append(CaseSearch.source_project == source_project)
    if joined:
        where.append(exists().where(CaseSearch.case_id == CaseGram.case_id, *joined))
    return where


def search(
    session: Session, gram: str, filter_values: dict[str, Any], limit: int, offset: int
) -> tuple[list[tuple[int, int]], int]:
    """[(case_id, score)] of one page for a one-term query of a posted length, and the total."""
    where = [CaseGram.gram == gram, *_filters(**filter_values)]
    page = (
        select(CaseGram.case_id, CaseGram.score)
        .where(*where)
        .order_by(CaseGram.score.desc(), CaseGram.day.desc(), CaseGram.case_id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = [(int(c), int(s)) for c, s in session.execute(page).tuples()]
    if not rows and not offset:
        return rows, 0
    total = session.scalar(select(func.count()).select_from(CaseGram).where(*where))
    return rows, int(total or 0)


def search_longer(
    session: Session,
    term: str,
    containing: Any,
    filter_values: dict[str, Any],
    limit: int,
    offset: int,
) -> tuple[list[tuple[int, int]], int]:
    """[(case_id, score)] of one page for a one-term query longer than the posted grams, and
    the total. `containing` selects the ids of the cases that contain `term` (FTS5's trigrams).

    A case's score for a term is at most its score for any gram inside it: each occurrence of
    the term holds one of the gram, none overlapping. So the postings of the term's rarest gram
    that are matches, in key order, are scored exactly from their text a few at a time, and the
    walk stops at the first posting whose key (bound, day, case) is below the page's last hit —
    no later one can reach the page. The total counts the same postings. When every case with
    the gram is a match (the two counts agree) the postings need no narrowing by FTS5.
    """
    size = _longest(session)
    gram = _rarest(session, [term[i : i + size] for i in range(len(term) - size + 1)])
    if gram is None:
        return [], 0
    matches = session.scalar(select(func.count()).select_from(containing.subquery()))
    if not matches:
        return [], 0
    where = [CaseGram.gram == gram, *_filters(**filter_values)]
    posted = session.scalar(select(func.count()).select_from(CaseGram).where(where[0]))
    if matches != posted:  # the matches are a subset of the gram's postings: equal, or narrow
        where.append(CaseGram.case_id.in_(containing))
    walk = (
        select(CaseGram.score, CaseGram.day, CaseGram.case_id)
        .where(*where)
        .order_by(CaseGram.score.desc(), CaseGram.day.desc(), CaseGram.case_id.desc())
    )
    wanted = offset + limit
    best: list[tuple[int, int, int]] = []  # (exact score, day, case_id), best first
    result = session.connection().execute(walk).tuples()  # Core: rows come as fetched
    try:
        while chunk := [tuple(row) for row in result.fetchmany(WALK_CHUNK)]:
            if len(best) >= wanted and chunk[0] < best[wanted - 1]:
                break
            texts = _texts(session, [case_id for _, _, case_id in chunk])
            exact = [(score(*texts[c], (term,)), day, c) for _, day, c in chunk]
            best += [key for key in exact if key[0]]  # 0: not in the text after all
            best.sort(reverse=True)
            del best[wanted:]
            if len(best) >= wanted and chunk[-1] < best[wanted - 1]:
                break
    finally:
        result.close()
    if not best:
        return [], 0
    total = session.scalar(select(func.count()).select_from(CaseGram).where(*where))
    return [(case_id, exact) for exact, _, case_id in best[offset:]], int(total or 0)


def _rarest(session: Session, grams: list[str]) -> str | None:
    """The gram with the fewest postings (counted up to PROBE_ROWS), None if one has none."""
    step = max(1, len(grams) // PROBE_GRAMS)
    counts: dict[str, int] = {}
    for gram in dict.fromkeys(grams[::step][:PROBE_GRAMS]):
        capped = select(CaseGram.case_id).where(CaseGram.gram == gram).limit(PROBE_ROWS)
        counts[gram] = int(session.scalar(select(func.count()).select_from(capped.subquery())) or 0)
    gram = min(counts, key=counts.__getitem__)
    return gram if counts[gram] else None


def _texts(session: Session, case_ids: list[int]) -> dict[int, tuple[str, str]]:
    query = select(CaseSearch.case_id, CaseSearch.title, CaseSearch.doc).where(
        CaseSearch.case_id.in_(case_ids)
    )
    return {case_id: (title, doc) for case_id, title, doc in session.execute(query).tuples()}
