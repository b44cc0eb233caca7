"""Rebuilding the cases' meaning vectors: `anju cases reindex-vectors`.

Owns: the full (or missing-only) rebuild of `case_vectors`, batch by batch. Each batch is read
in a read-only transaction, embedded with no transaction open, and written in a short write
transaction of its own (a few milliseconds for BATCH cases), so searches and edits are never
held up behind the rebuild: SQLite (WAL) readers never wait for it, a writer waits at most one
batch write, and PostgreSQL readers see the old vectors until each batch commits. A case edited
during the rebuild is re-embedded by its own save, so the result is current either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from anju.db import case_vector_repository as vectors_repo
from anju.services.cases import require_writer
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError
from casebase import meaning

__all__ = ["ReindexProgress", "ReindexResult", "reindex_vectors"]

BATCH = 256


@dataclass(frozen=True)
class ReindexProgress:
    done: int
    total: int
    seconds: float


@dataclass(frozen=True)
class ReindexResult:
    model: str
    dim: int
    cases: int
    """Cases whose vector was written."""
    total: int
    """Cases in the library."""
    seconds: float
    embed_ms_per_case: float


def reindex_vectors(
    ctx: AppContext,
    username: str,
    missing_only: bool = False,
    batch: int = BATCH,
    progress: Callable[[ReindexProgress], None] | None = None,
) -> ReindexResult:
    """Embed every case again (or only those without a vector of the current model)."""
    if not 1 <= batch <= 5000:
        raise InvalidInputError("batch 应在 1–5000 之间")
    with ctx.db.unit_of_work(write=False) as session:
        require_writer(session, username)
        total = vectors_repo.count_cases(session)
    meaning.load()
    started = time.perf_counter()
    embedding = 0.0
    done, last = 0, 0
    while True:
        with ctx.db.unit_of_work(write=False) as session:
            model = meaning.MODEL if missing_only else None
            rows = vectors_repo.case_texts_after(session, last, batch, model)
        if not rows:
            break
        t0 = time.perf_counter()
        vectors = meaning.embed([meaning.case_text(t, d, c, loc) for _, t, d, c, loc in rows])
        embedding += time.perf_counter() - t0
        written = [(row[0], meaning.to_bytes(v)) for row, v in zip(rows, vectors, strict=True)]
        with ctx.db.unit_of_work() as session:
            vectors_repo.save_vectors(session, meaning.MODEL, meaning.DIM, written)
        done += len(rows)
        last = rows[-1][0]
        if progress is not None:
            progress(ReindexProgress(done, total, time.perf_counter() - started))
    return ReindexResult(
        model=meaning.MODEL,
        dim=meaning.DIM,
        cases=done,
        total=total,
        seconds=round(time.perf_counter() - started, 3),
        embed_ms_per_case=round(embedding * 1000 / done, 3) if done else 0.0,
    )
