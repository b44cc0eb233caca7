"""Recommendation for one project stage over 50,000 cases: p50/p95, and embedding time a case.

Run: `python -m bench.case_recommend_bench [--cases N] [--runs R] [--skip-postgresql]
[--pg-database NAME]`. The cases are `bench.case_search_bench`'s generated ones (published),
indexed for search, then given their meaning vectors through the real rebuild
(`anju.services.case_vectors.reindex_vectors`, batches of 256, one commit each); the
recommendations go through `anju.services.case_inputs.recommend` with a text (so meaning
re-ranks the best candidates) and without one. PostgreSQL runs in its own scratch database on
the server of ANJU_TEST_DATABASE_URL, dropped and created again each run.

Texts: "yes" cycles five realistic texts (their words' masks are kept by the matching index
after the first time), "new" is six random characters each time (every word is new to the
index: the worst case, one scan of the documents a word), "no" is without a text.
Timings are printed twice: with Python's default garbage collector, and after `gc.freeze()`
(the long-lived objects of start-up moved out of the collector's sight, as a server would do
once when warm): a recommendation makes ~10,000 short-lived objects, which sets off full
collections that walk every object of the process and make the tail.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from datetime import UTC, date, datetime

from sqlalchemy import create_engine, insert, text

from anju.db import case_repository
from anju.db.case_tables import Case
from anju.db.migrate import upgrade
from anju.db.tables import Project
from anju.db.unit_of_work import Database
from anju.services import case_inputs, case_vectors, users
from anju.services.context import AppContext
from bench.case_search_bench import STAGES, _index_rows, generate, run_on_both
from casebase import meaning

TEXTS = ["卫生间顶棚滴水", "外墙渗水 电梯", "车位尺寸偏小", "景观苗木枯死", "插座位置不合理"]


def _percentile(timings: list[float], share: float) -> float:
    ordered = sorted(timings)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def _unseen(rng: random.Random) -> str:
    """Six random common characters: a text whose words the index has not been asked for."""
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(6))


def run_backend(name: str, url: str, count: int, runs: int) -> None:
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    db = Database(url)
    ctx = AppContext(db=db)
    users.add_user(ctx, "kefu", "客服", ["customer_service"])
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with db.unit_of_work() as session:
        rows = generate(count)
        for start in range(0, len(rows), 5000):
            session.execute(insert(Case), rows[start : start + 5000])
        session.add(
            Project(code="B1", name="项目01", city="杭州", product_type="高层住宅",
                    planned_handover_date=date(2028, 6, 30), created_at=now, created_by="kefu")
        )  # fmt: skip
    index_rows = _index_rows(db)
    with db.unit_of_work() as session:
        case_repository.replace_search_rows(session, index_rows)
    del rows, index_rows  # a server holds no such lists: they would slow every collection
    started = time.perf_counter()
    rebuilt = case_vectors.reindex_vectors(ctx, "kefu")
    seconds = time.perf_counter() - started
    if name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    print(
        f"\n{name}: {count} cases; vectors rebuilt in {seconds:.1f} s "
        f"({rebuilt.embed_ms_per_case:.2f} ms a case embedding, "
        f"{seconds * 1000 / max(1, rebuilt.cases):.2f} ms a case in all)"
    )
    rng = random.Random(5)
    meaning.load()
    t0 = time.perf_counter()
    case_inputs.recommend(ctx, "B1", "design", text=TEXTS[0])  # loads the matching index
    print(f"first recommendation (loads the matching index): {time.perf_counter() - t0:.2f} s")
    print(f"{'gc':>8}  {'text':>4}  {'p50 ms':>7}  {'p95 ms':>7}  {'max ms':>7}")
    for frozen in (False, True):
        if frozen:  # what a server would do once after start-up (objects already loaded)
            gc.collect()
            gc.freeze()
        for kind in ("yes", "new", "no"):
            timings: list[float] = []
            for i in range(runs):
                stage = rng.choice(STAGES)
                asked = {"yes": TEXTS[i % len(TEXTS)], "new": _unseen(rng), "no": ""}[kind]
                t0 = time.perf_counter()
                found = case_inputs.recommend(ctx, "B1", stage, text=asked)
                timings.append((time.perf_counter() - t0) * 1000)
                assert found.suggestions
            print(
                f"{'frozen' if frozen else 'default':>8}  {kind:>4}  "
                f"{statistics.median(timings):>7.1f}  {_percentile(timings, 0.95):>7.1f}  "
                f"{max(timings):>7.1f}"
            )
    gc.unfreeze()
    db.dispose()


def main() -> None:
    run_on_both(__doc__, run_backend, 100, "recommendations of each kind")


if __name__ == "__main__":
    main()
