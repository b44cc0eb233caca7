"""Queries of the cases' meaning vectors (`case_vectors`).

Owns: every SQL statement about `case_vectors`: writing one vector or a batch, reading the
vectors of a set of cases for one model, and the id-ordered batches a full rebuild walks.
Vectors are bytes here; `casebase.meaning` turns them into numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, insert, select

from anju.db.case_tables import Case, CaseVector
from anju.db.unit_of_work import Session

CHUNK = 500


def save_vectors(session: Session, model: str, dim: int, rows: Iterable[tuple[int, bytes]]) -> None:
    """Insert or replace the vectors of these cases (one statement per kind of change)."""
    given = dict(rows)
    if not given:
        return
    ids = sorted(given)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        session.execute(delete(CaseVector).where(CaseVector.case_id.in_(chunk)))
    session.execute(
        insert(CaseVector),
        [{"case_id": i, "model": model, "dim": dim, "vector": given[i]} for i in ids],
    )


def vectors_of(session: Session, case_ids: Sequence[int], model: str) -> dict[int, bytes]:
    """{case id: vector bytes} of those cases that have a vector of `model`."""
    found: dict[int, bytes] = {}
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), CHUNK):
        query = select(CaseVector.case_id, CaseVector.vector).where(
            CaseVector.case_id.in_(ids[start : start + CHUNK]), CaseVector.model == model
        )
        found.update((int(i), bytes(v)) for i, v in session.execute(query).tuples())
    return found


def case_texts_after(
    session: Session, last_id: int, limit: int, model: str | None = None
) -> list[tuple[int, str, str, str, str]]:
    """(id, title, description, cause, location) of the next `limit` cases after `last_id`.

    With `model`, only cases that have no vector of that model yet.
    """
    query = select(Case.id, Case.title, Case.description, Case.cause, Case.location).where(
        Case.id > last_id
    )
    if model is not None:
        query = query.where(
            ~select(CaseVector.case_id)
            .where(CaseVector.case_id == Case.id, CaseVector.model == model)
            .exists()
        )
    rows = session.execute(query.order_by(Case.id).limit(limit)).tuples()
    return [(int(i), t, d, c, loc) for i, t, d, c, loc in rows]


def count_cases(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Case)) or 0)
