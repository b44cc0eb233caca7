"""Engine benchmarks: prints the figures kept in docs/performance.md.

Run: `make bench` (SQLite in a temporary folder; PostgreSQL too when ANJU_TEST_DATABASE_URL
is set). Sizes can be lowered for a quick look: `python -m bench.engine_bench --instances 500`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from anju.config import REPO_ROOT
from anju.db.migrate import upgrade
from anju.db.unit_of_work import Database
from anju.demo import DEMO_USERS
from anju.roles import LANE_ROLES
from anju.services import approvals, processes, projects, tasks, users
from anju.services.context import AppContext
from workflows.engine import Instance
from workflows.specs import load_bundle, read_directory

START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
AS = {roles[0]: name for name, _, roles in DEMO_USERS if name not in ("kefu2", "admin")}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(values: list[float]) -> str:
    return f"p50 {pct(values, 0.5) * 1000:.2f} ms, p95 {pct(values, 0.95) * 1000:.2f} ms"


class Clock:
    def __init__(self) -> None:
        self.moment = START

    def __call__(self) -> datetime:
        self.moment += timedelta(seconds=1)
        return self.moment


def fresh_context(url: str) -> AppContext:
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    ctx = AppContext(db=Database(url), clock=Clock())
    processes.deploy_directory(ctx, REPO_ROOT / "bpmn")
    for username, name, roles in DEMO_USERS:
        users.add_user(ctx, username, name, list(roles))
    return ctx


def first_stage_step(ctx: AppContext, code: str) -> Callable[[], None] | None:
    """A callable that completes one ready task of the project through the service layer."""
    ready = tasks.list_tasks(ctx, project=code, limit=1)
    if not ready:
        return None
    row = ready[0]
    user = AS[row.role or "customer_service"]
    if row.approval:
        return lambda: approvals.approve(ctx, row.task_id, user, "同意") and None
    detail = tasks.task_detail(ctx, row.task_id)
    form = {f["name"]: _value(f) for f in detail.fields}
    return lambda: tasks.complete(ctx, row.task_id, user, form) and None


def _value(field: dict[str, Any]) -> Any:
    return {"date": "2026-06-01", "bool": True, "number": 0}.get(field["type"], "已完成")


# ------------------------------------------------------------------------------ figures


def spiff_ceiling(rounds: int) -> dict[str, Any]:
    """load state -> complete one task -> save, in memory, for the lifecycle process."""
    bundle = load_bundle(read_directory(REPO_ROOT / "bpmn"), roles=LANE_ROLES)
    data = {
        "project_name": "基准",
        "city": "苏州",
        "product_type": "洋房",
        "planned_handover_date": "2027-06-30",
    }
    state = json.dumps(Instance.start(bundle, data, START).dump())
    timings = []
    done = 0
    while done < rounds:
        t0 = time.perf_counter()
        instance = Instance.restore(bundle, json.loads(state))
        ready = [t for t in instance.ready() if not t.approval] or instance.ready()
        if not ready:
            state = json.dumps(Instance.start(bundle, data, START).dump())
            continue
        task = ready[0]
        definition = instance.task_definition(task.task_id)
        if task.approval:
            instance.decide(task.task_id, True, "", "bench", START)
        else:
            instance.complete(
                task.task_id, {f.name: _value({"type": f.type}) for f in definition.fields}, START
            )
        state = json.dumps(instance.dump())
        timings.append(time.perf_counter() - t0)
        done += 1
    return {
        "cycles_per_s": len(timings) / sum(timings),
        "latency": ms(timings),
        "state_kb": len(state) / 1024,
    }


def service_completions(ctx: AppContext, count: int) -> dict[str, Any]:
    projects_needed = max(1, count // 20)
    for i in range(projects_needed):
        projects.start_project(
            ctx, f"C{i:05d}", f"吞吐项目{i}", "苏州", "洋房", date(2028, 6, 30), "kefu"
        )
    timings = []
    steps: list[Callable[[], None]] = []
    index = 0
    while len(timings) < count:
        code = f"C{index % projects_needed:05d}"
        index += 1
        step = first_stage_step(ctx, code)  # reading the list is not timed
        if step is None:
            continue
        steps.append(step)
        t0 = time.perf_counter()
        step()
        timings.append(time.perf_counter() - t0)
    return {"completions_per_s": len(timings) / sum(timings), "latency": ms(timings)}


def task_list(ctx: AppContext, instances: int, queries: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    for i in range(instances):
        projects.start_project(
            ctx, f"L{i:05d}", f"列表项目{i}", "杭州", "高层住宅", date(2028, 6, 30), "kefu"
        )
    setup = time.perf_counter() - t0
    timings = []
    rows = 0
    for _ in range(queries):
        t0 = time.perf_counter()
        rows = len(tasks.list_tasks(ctx, role="customer_service", limit=50))
        timings.append(time.perf_counter() - t0)
    full = []
    for _ in range(max(3, queries // 10)):
        t0 = time.perf_counter()
        total = len(tasks.list_tasks(ctx, role="customer_service"))
        full.append(time.perf_counter() - t0)
    return {
        "instances": instances,
        "start_per_s": instances / setup,
        "first_page_50": ms(timings),
        "rows": rows,
        "all_rows": total,
        "all": ms(full),
    }


def state_sizes(ctx: AppContext) -> dict[str, Any]:
    from tests.conftest import Driver, TestClock  # the same driver the lifecycle test uses

    clock = TestClock(START)
    sized = AppContext(db=ctx.db, clock=clock)
    full = Driver(sized, clock, "SIZE-FULL")
    full.start_project(handover=date(2027, 1, 31))
    full.run_until(None)
    looped = Driver(sized, clock, "SIZE-LOOP")
    looped.start_project(handover=date(2028, 1, 31))
    looped.complete("submit_design_cases")
    for _ in range(50):
        while "submit_design_review" not in looped.ready():
            looped.step_any()
        looped.complete("submit_design_review")
        looped.reject("design_gate_review", "补充图纸内审记录")
    with ctx.db.unit_of_work(write=False) as session:
        rows = session.execute(
            text(
                "SELECT p.code, length(CAST(i.state AS TEXT)) FROM instances i "
                "JOIN projects p ON p.id = i.project_id WHERE p.code LIKE 'SIZE-%'"
            )
        ).all()
    sizes = {str(code): int(length) for code, length in rows}
    return {
        "full_lifecycle_kb": sizes["SIZE-FULL"] / 1024,
        "after_50_rejections_kb": sizes["SIZE-LOOP"] / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=5000)
    parser.add_argument("--completions", type=int, default=2000)
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}"
    )
    ceiling = spiff_ceiling(500)
    print(
        f"SpiffWorkflow ceiling (restore → complete → dump, JSON in memory): "
        f"{ceiling['cycles_per_s']:.0f} cycles/s ({ceiling['latency']}), "
        f"state {ceiling['state_kb']:.1f} KB"
    )
    with tempfile.TemporaryDirectory() as folder:
        ctx = fresh_context(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        done = service_completions(ctx, args.completions)
        print(
            f"SQLite service complete(): {done['completions_per_s']:.0f} completions/s "
            f"({done['latency']}), {done['completions_per_s'] / ceiling['cycles_per_s']:.0%} "
            "of the ceiling"
        )
        sizes = state_sizes(ctx)
        print(
            f"state size: full lifecycle {sizes['full_lifecycle_kb']:.1f} KB, after 50 "
            f"rejections of one gate {sizes['after_50_rejections_kb']:.1f} KB"
        )
        listed = task_list(ctx, args.instances, 200)
        print(
            f"SQLite ready tasks for customer_service, {listed['instances']} more instances "
            f"(started at {listed['start_per_s']:.0f}/s): first 50 {listed['first_page_50']}; "
            f"all {listed['all_rows']} rows {listed['all']}"
        )
        ctx.db.dispose()
    pg = os.environ.get("ANJU_TEST_DATABASE_URL")
    if pg:
        ctx = fresh_context(pg)
        done = service_completions(ctx, args.completions // 2)
        print(
            f"PostgreSQL service complete(): {done['completions_per_s']:.0f} completions/s "
            f"({done['latency']})"
        )
        listed = task_list(ctx, args.instances, 200)
        print(
            f"PostgreSQL ready tasks for customer_service, {listed['instances']} instances: "
            f"first 50 {listed['first_page_50']}; all {listed['all_rows']} rows {listed['all']}"
        )
        ctx.db.dispose()


if __name__ == "__main__":
    main()
