"""Case search over 50,000 generated cases: p50/p95 per query length, SQLite and PostgreSQL.

Run: `python -m bench.case_search_bench [--cases N] [--runs R] [--pg-database NAME]`.
PostgreSQL runs in its own database (`anju_case_bench` unless --pg-database says otherwise) on the
server of ANJU_TEST_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test),
dropped and created again each run. The index build includes the short-term posting table.
Searches go through the real service (`anju.services.cases.search_cases`, snippets included).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from anju.db import case_repository
from anju.db.case_tables import Case
from anju.db.migrate import upgrade
from anju.db.unit_of_work import Database
from anju.services import cases
from anju.services.context import AppContext
from casebase.search import normalise

QUERIES = {
    1: ["水", "墙", "门", "电", "裂"],
    2: ["漏水", "空鼓", "噪音", "电梯", "车位"],
    3: ["卫生间", "防水层", "地下室", "排水管", "门窗框"],
    4: ["外墙渗水", "地下车库", "入户大堂", "电梯噪音", "景观绿化"],
    "5+": ["卫生间漏水", "地下车库渗水", "施工工序倒置", "成品保护不到位", "交付前质量检查"],
}
PLACES = ["卫生间", "厨房", "主卧", "客厅", "阳台", "地下车库", "入户大堂", "电梯厅", "外墙",
          "屋面", "地下室", "楼梯间", "小区道路", "景观水系", "儿童游乐区", "设备房"]  # fmt: skip
PROBLEMS = ["渗水", "漏水", "空鼓", "开裂", "噪音偏大", "排水不畅", "返碱发霉", "门窗框变形",
            "防水层破损", "插座位置不合理", "电梯等候时间长", "车位尺寸偏小", "绿化苗木枯死",
            "照度不足", "异味倒灌", "墙面平整度超差"]  # fmt: skip
CAUSES = ["施工工序倒置", "设计未考虑使用场景", "材料进场检验不严", "成品保护不到位",
          "交底不清", "隐蔽工程验收走过场", "选型偏低", "养护时间不足"]  # fmt: skip
LESSONS = ["在图纸内审时逐条核对", "列入样板房验收清单", "交付前质量检查重点抽查",
           "增加闭水试验并留存影像", "设计阶段与物业共同评审", "纳入工程月度巡检"]  # fmt: skip
STAGES = ["design", "sales", "construction", "handover", "occupancy"]
CATEGORIES = ["planning", "building", "living", "quality", "service"]
DEPARTMENTS = ["design", "engineering", "sales", "property", "customer_service"]


def generate(count: int, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rows: list[dict[str, object]] = []
    for _ in range(count):
        place, problem = rng.choice(PLACES), rng.choice(PROBLEMS)
        other = rng.choice(PLACES)
        description = (
            f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{place}{problem}，"
            f"业主多次反映，{other}也有类似{rng.choice(PROBLEMS)}情况，影响正常使用。"
        )
        rows.append(
            {
                "title": f"{place}{problem}",
                "description": description,
                "stage": rng.choice(STAGES),
                "category": rng.choice(CATEGORIES),
                "department": rng.choice(DEPARTMENTS),
                "severity": "general",
                "source_kind": "complaint",
                "cause": rng.choice(CAUSES) + "，导致" + problem,
                "lesson": rng.choice(LESSONS) + "，避免" + place + problem + "再次发生。",
                "source_project": f"项目{rng.randint(1, 80):02d}",
                "location": place,
                "tags": [problem],
                "occurred_on": date(2015, 1, 1) + timedelta(days=rng.randint(0, 4000)),
                "status": "published",
                "author": "kefu",
                "created_at": now,
                "updated_at": now,
                "lock_version": 1,
            }
        )
    return rows


def _index_rows(db: Database) -> list[tuple[int, str, str]]:
    with db.unit_of_work(write=False) as session:
        out = []
        for row in case_repository.all_cases(session):
            body = "\n".join(
                p
                for p in (
                    row.description,
                    row.cause,
                    row.lesson,
                    row.location,
                    row.source_project,
                    " ".join(row.tags),
                )
                if p
            )
            out.append((row.id, normalise(row.title), normalise(row.title + "\n" + body)))
        return out


def run_backend(name: str, url: str, count: int, runs: int) -> None:
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    db = Database(url)
    ctx = AppContext(db=db)
    rows = generate(count)
    started = time.perf_counter()
    with db.unit_of_work() as session:
        for start in range(0, len(rows), 5000):
            session.execute(insert(Case), rows[start : start + 5000])
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    index_rows = _index_rows(db)
    with db.unit_of_work() as session:
        case_repository.replace_search_rows(session, index_rows)
    built = time.perf_counter() - started
    if name == "postgresql":  # what the database does on its own after a load
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    else:  # fold the bulk load's write-ahead log into the file (SQLite's auto-checkpoint)
        raw = db.engine.raw_connection()  # outside a transaction, or it cannot finish
        print(
            "checkpoint (busy, log, done):",
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone(),
        )
        raw.close()
    del rows, index_rows
    gc.collect()
    gc.freeze()  # as the app does once after start-up (anju/ui/web_session.py)
    print(f"\n{name}: {count} cases loaded in {loaded:.1f} s; text index built in {built:.1f} s")
    print(f"{'length':>6}  {'p50 ms':>7}  {'p95 ms':>7}  {'max ms':>7}  matches per query")
    rng = random.Random(11)
    for length, queries in QUERIES.items():
        timings: list[float] = []
        totals = {q: cases.search_cases(ctx, q).total for q in queries}
        for i in range(runs):
            query = queries[i % len(queries)]
            stage = rng.choice([None, None, *STAGES])
            filters = cases.CaseFilters(stage=stage)
            t0 = time.perf_counter()
            cases.search_cases(ctx, query, None, filters)
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        matches = ", ".join(f"{q}:{n}" for q, n in totals.items())
        print(
            f"{length:>6}  {statistics.median(timings):>7.1f}  {p95:>7.1f}  "
            f"{timings[-1]:>7.1f}  {matches}"
        )
    gc.unfreeze()
    db.dispose()


def _bench_pg_url(database: str) -> str:
    base = os.environ.get(
        "ANJU_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    url = make_url(base)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return url.set(database=database).render_as_string(hide_password=False)


def run_on_both(
    description: str | None,
    backend: Callable[[str, str, int, int], None],
    runs: int,
    runs_help: str,
) -> None:
    """The command line of the case benches: `backend` on SQLite, then on PostgreSQL."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=runs, help=runs_help)
    parser.add_argument("--skip-postgresql", action="store_true")
    parser.add_argument("--pg-database", default="anju_case_bench", help="scratch database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        backend("sqlite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.cases, args.runs)
    if not args.skip_postgresql:
        backend("postgresql", _bench_pg_url(args.pg_database), args.cases, args.runs)


def main() -> None:
    run_on_both(__doc__, run_backend, 200, "searches per query length")


if __name__ == "__main__":
    main()
