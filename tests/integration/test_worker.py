"""The timer worker: catching up after downtime, and several workers firing each timer once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select

from anju.db.tables import AuditEvent
from anju.services import processes, projects, tasks, timers
from anju.services.context import AppContext
from tests import mini_bpmn
from tests.conftest import TestClock

ANJU = str(Path(sys.executable).parent / "anju")


def start_timed_projects(ctx: AppContext, count: int) -> None:
    processes.deploy_files(ctx, mini_bpmn.timed_files(), "admin", "timer model")
    for number in range(count):
        projects.start_project(
            ctx, f"T{number:03d}", f"定时项目{number}", "厦门", "洋房", date(2026, 9, 1), "kefu"
        )


def fired_events(ctx: AppContext) -> int:
    with ctx.db.unit_of_work(write=False) as session:
        query = select(func.count()).where(AuditEvent.event == "timer_fired")
        return int(session.scalar(query.select_from(AuditEvent)) or 0)


def test_a_worker_that_was_down_catches_up_once(ctx: AppContext, clock: TestClock) -> None:
    start_timed_projects(ctx, 3)
    assert timers.fire_due_timers(ctx) == []  # due 2026-08-01, now is March
    clock.moment = datetime(2026, 10, 5, tzinfo=UTC)  # the worker was down for two months
    fired = timers.fire_due_timers(ctx)
    assert sorted(f.project_code for f in fired) == ["T000", "T001", "T002"]
    assert {f.due_at for f in fired} == {datetime(2026, 8, 1, tzinfo=UTC)}
    assert timers.fire_due_timers(ctx) == []
    assert len(tasks.list_tasks(ctx, role="customer_service")) == 3
    assert projects.get_project(ctx, "T000").next_timer_at is None


def test_two_workers_fire_each_due_timer_exactly_once(ctx: AppContext, clock: TestClock) -> None:
    start_timed_projects(ctx, 12)
    clock.moment = datetime(2026, 8, 2, tzinfo=UTC)
    barrier = threading.Barrier(2)
    results: list[list[timers.FiredTimer]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        barrier.wait()
        try:
            results.append(timers.fire_due_timers(ctx))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    codes = sorted(f.project_code for batch in results for f in batch)
    assert codes == [f"T{n:03d}" for n in range(12)]
    assert fired_events(ctx) == 12
    assert len(tasks.list_tasks(ctx, role="customer_service")) == 12


def test_two_worker_processes_fire_each_due_timer_exactly_once(
    ctx: AppContext, database_url: str
) -> None:
    start_timed_projects(ctx, 12)
    env = {**os.environ, "ANJU_DATABASE_URL": database_url}
    command = [ANJU, "worker", "--once", "--json", "--now", "2026-08-02T00:00:00+00:00"]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    fired: list[str] = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()
        fired += [timer["project_code"] for timer in json.loads(out)]
    assert sorted(fired) == [f"T{n:03d}" for n in range(12)]
    assert fired_events(ctx) == 12
