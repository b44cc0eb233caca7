"""Shared fixtures: a migrated database per test (SQLite, and PostgreSQL when configured),
an application context with a clock the test moves, and a driver that speaks the domain.

PostgreSQL runs when ANJU_TEST_DATABASE_URL is set (CI sets it). Under CI=true a missing
ANJU_TEST_DATABASE_URL is an error, not a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from anju.config import REPO_ROOT
from anju.db.migrate import upgrade
from anju.db.schema import metadata
from anju.db.unit_of_work import Database
from anju.demo import DEMO_USERS
from anju.roles import LANE_ROLES
from anju.services import approvals, processes, projects, tasks, timers, users
from anju.services.context import AppContext
from workflows.specs import load_bundle, read_directory

PG_URL = os.environ.get("ANJU_TEST_DATABASE_URL")
BPMN_DIR = REPO_ROOT / "bpmn"
START = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
STAGES = [  # the lifecycle's stages in order (SPEC §2)
    "design_stage",
    "sales_stage",
    "construction_stage",
    "handover_stage",
    "occupancy_stage",
    "summary_stage",
]


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") and not PG_URL:
        raise pytest.UsageError("CI must set ANJU_TEST_DATABASE_URL so PostgreSQL is tested")


@pytest.fixture(scope="session")
def repo_bundle() -> Any:
    return load_bundle(read_directory(BPMN_DIR), roles=LANE_ROLES)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "anju.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_ready() -> str:
    assert PG_URL
    engine = create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    engine.dispose()
    return PG_URL


def _pg_clean(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(table.name for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "anju.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    if not PG_URL:
        if os.environ.get("CI"):  # in CI PostgreSQL is part of the suite: never skipped there
            pytest.fail("ANJU_TEST_DATABASE_URL is not set; .ci/run sets it")
        pytest.skip("ANJU_TEST_DATABASE_URL is not set (CI sets it)")
    url: str = request.getfixturevalue("pg_ready")
    _pg_clean(url)
    return url


class TestClock:
    """A clock the test moves by hand."""

    __test__ = False  # not a test class

    def __init__(self, start: datetime = START) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


@pytest.fixture
def ctx(
    database_url: str, clock: TestClock, repo_bundle: Any, tmp_path: Path
) -> Iterator[AppContext]:
    context = AppContext(db=Database(database_url), clock=clock, data_dir=tmp_path / "data")
    context.remember(repo_bundle)
    processes.deploy_directory(context, BPMN_DIR)
    for username, name, roles in DEMO_USERS:
        users.add_user(context, username, name, list(roles))
    yield context
    context.db.dispose()


AS = {role: username for username, _, roles in DEMO_USERS for role in roles[:1]}
AS["customer_service"] = "kefu"


class Driver:
    """Drives one project through the real services, in the domain's words.

    Every step goes through a service: the instance is loaded from the database, changed and
    saved again, so each step is also a save/restore.
    """

    def __init__(self, ctx: AppContext, clock: TestClock, code: str = "P1") -> None:
        self.ctx = ctx
        self.clock = clock
        self.code = code

    def start_project(self, handover: date | None = None, **extra: str) -> projects.ProjectSummary:
        return projects.start_project(
            self.ctx,
            self.code,
            extra.get("name", "测试项目"),
            extra.get("city", "苏州"),
            extra.get("product_type", "高层住宅"),
            handover or (self.clock.moment + timedelta(days=700)).date(),
            "kefu",
        )

    def ready(self) -> dict[str, tasks.TaskRow]:
        return {t.bpmn_id: t for t in tasks.list_tasks(self.ctx, project=self.code)}

    def task(self, bpmn_id: str) -> tasks.TaskRow:
        ready = self.ready()
        assert bpmn_id in ready, f"{bpmn_id} is not ready; ready: {sorted(ready)}"
        return ready[bpmn_id]

    def user_for(self, row: tasks.TaskRow, as_: str | None) -> str:
        return as_ or AS[row.role or "customer_service"]

    def complete(self, bpmn_id: str, as_: str | None = None, **data: Any) -> tasks.ActionResult:
        row = self.task(bpmn_id)
        if not data:
            detail = tasks.task_detail(self.ctx, row.task_id)
            data = default_form(detail.fields, self.clock.moment.date())
        return tasks.complete(self.ctx, row.task_id, self.user_for(row, as_), data)

    def approve(self, bpmn_id: str, as_: str | None = None, comment: str = "同意") -> Any:
        row = self.task(bpmn_id)
        return approvals.approve(self.ctx, row.task_id, self.user_for(row, as_), comment)

    def reject(self, bpmn_id: str, comment: str, as_: str | None = None) -> Any:
        row = self.task(bpmn_id)
        return approvals.reject(self.ctx, row.task_id, self.user_for(row, as_), comment)

    def advance_clock(self, **delta: float) -> list[timers.FiredTimer]:
        self.clock.advance(**delta)
        return timers.fire_due_timers(self.ctx)

    def project(self) -> projects.ProjectSummary:
        return projects.get_project(self.ctx, self.code)

    def step_any(self) -> str:
        """Do the soonest-due ready task (approving approvals); returns its BPMN id."""
        ready = tasks.list_tasks(self.ctx, project=self.code)
        assert ready, f"nothing is ready in {self.project()}"
        row = ready[0]
        if row.approval:
            self.approve(row.bpmn_id)
        else:
            self.complete(row.bpmn_id)
        return row.bpmn_id

    def run_until(self, stage_key: str | None, limit: int = 200) -> list[str]:
        """Work every ready task (firing timers when nothing is ready) until `stage_key`."""
        return self._work(lambda: self.project().stage_key == stage_key, stage_key, limit)

    def run_until_ready(self, bpmn_id: str, limit: int = 200) -> list[str]:
        """Work the soonest-due tasks (firing timers when idle) until `bpmn_id` is ready."""
        return self._work(lambda: bpmn_id in self.ready(), bpmn_id, limit)

    def _work(self, reached: Callable[[], bool], goal: str | None, limit: int) -> list[str]:
        done: list[str] = []
        for _ in range(limit):
            if reached():
                return done
            summary = self.project()
            if summary.ready_tasks == 0:
                assert summary.next_timer_at is not None, f"stuck: {summary}"
                self.clock.moment = max(self.clock.moment, summary.next_timer_at)
                self.advance_clock(minutes=1)
                continue
            done.append(self.step_any())
        raise AssertionError(f"{goal} not reached after {limit} steps: {done[-10:]}")


def default_form(fields: tuple[dict[str, Any], ...], today: date) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in fields:
        if field["type"] == "date":
            values[field["name"]] = today.isoformat()
        elif field["type"] == "bool":
            values[field["name"]] = True
        elif field["type"] == "number":
            values[field["name"]] = 0
        else:
            values[field["name"]] = "已完成"
    return values


@pytest.fixture
def driver(ctx: AppContext, clock: TestClock) -> Driver:
    return Driver(ctx, clock)
