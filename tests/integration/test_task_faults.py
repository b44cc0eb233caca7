"""What bad input and faults get: refusals with reasons, rollbacks that leave nothing behind."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from anju.db.tables import AuditEvent, Instance, TaskIndex
from anju.services import approvals, incidents, processes, tasks
from anju.services.errors import (
    AlreadyCompletedError,
    ConflictError,
    InvalidInputError,
    PermissionDeniedError,
    TaskFailedError,
)
from tests import mini_bpmn
from tests.conftest import Driver

CASES = {"design_case_count": 12, "case_list": "渗漏、噪声、车位三类"}


def snapshot(ctx: Any) -> tuple[Any, ...]:
    with ctx.db.unit_of_work(write=False) as session:
        instance = session.scalars(select(Instance)).one()
        index = sorted(
            (row.task_id, row.assignee, row.due_at) for row in session.scalars(select(TaskIndex))
        )
        audit = session.scalar(select(func.count()).select_from(AuditEvent))
        return instance.lock_version, instance.state, index, audit


def deploy_mini(ctx: Any, condition: str) -> None:
    processes.deploy_files(ctx, mini_bpmn.files(condition), "admin", "test model")


def test_a_user_outside_the_lane_is_refused_with_the_reason(driver: Driver) -> None:
    driver.start_project()
    row = driver.task("submit_design_cases")
    with pytest.raises(PermissionDeniedError, match="customer_service lane"):
        tasks.complete(driver.ctx, row.task_id, "sheji", {})


def test_a_failing_expression_rolls_everything_back_and_records_an_incident(
    driver: Driver,
) -> None:
    deploy_mini(driver.ctx, "1 / amount > 0")
    driver.start_project()
    before = snapshot(driver.ctx)
    row = driver.task("fill_form")
    with pytest.raises(TaskFailedError, match="division by zero"):
        tasks.complete(driver.ctx, row.task_id, "kefu", {"amount": 0})
    assert snapshot(driver.ctx) == before
    [incident] = incidents.open_incidents(driver.ctx)
    assert incident.task_name == "填写表单"
    assert "division by zero" in incident.error
    # the task is still ready; with corrected data it completes and the incident closes
    tasks.complete(driver.ctx, row.task_id, "kefu", {"amount": 2})
    assert "gate_review" in driver.ready()
    assert incidents.open_incidents(driver.ctx) == []


def test_completing_twice_tells_who_completed_it(driver: Driver) -> None:
    driver.start_project()
    row = driver.task("submit_design_cases")
    tasks.complete(driver.ctx, row.task_id, "kefu", CASES)
    with pytest.raises(AlreadyCompletedError, match="王晓燕") as refused:
        tasks.complete(driver.ctx, row.task_id, "kefu2", CASES)
    assert refused.value.at == driver.clock.moment


def test_two_people_completing_at_once_one_wins_and_nothing_is_recorded_twice(
    driver: Driver,
) -> None:
    driver.start_project()
    row = driver.task("submit_design_cases")
    barrier = threading.Barrier(2)
    outcomes: dict[str, Any] = {}

    def attempt(user: str) -> None:
        barrier.wait()
        try:
            outcomes[user] = tasks.complete(driver.ctx, row.task_id, user, CASES)
        except Exception as exc:  # the loser's error is the assertion
            outcomes[user] = exc

    threads = [threading.Thread(target=attempt, args=(u,)) for u in ("kefu", "kefu2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    winners = [u for u, o in outcomes.items() if isinstance(o, tasks.ActionResult)]
    losers = [o for o in outcomes.values() if isinstance(o, AlreadyCompletedError)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    assert losers[0].by == {"kefu": "王晓燕", "kefu2": "刘海波"}[winners[0]]
    with driver.ctx.db.unit_of_work(write=False) as session:
        completions = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.task_id == row.task_id, AuditEvent.event == "task_completed")
        )
    assert completions == 1


def test_a_claimed_task_is_refused_to_others_until_released(driver: Driver) -> None:
    driver.start_project()
    row = driver.task("submit_design_cases")
    claimed = tasks.claim(driver.ctx, row.task_id, "kefu")
    assert claimed.assignee == "kefu"
    assert next(t.task_id for t in tasks.list_tasks(driver.ctx, username="kefu")) == row.task_id
    with pytest.raises(ConflictError, match="claimed by kefu"):
        tasks.complete(driver.ctx, row.task_id, "kefu2", CASES)
    with pytest.raises(ConflictError):
        tasks.claim(driver.ctx, row.task_id, "kefu2")
    tasks.release(driver.ctx, row.task_id, "kefu")
    tasks.complete(driver.ctx, row.task_id, "kefu2", CASES)


def test_approving_a_work_task_or_completing_a_gate_is_refused(driver: Driver) -> None:
    deploy_mini(driver.ctx, "amount == 1")
    driver.start_project()
    row = driver.task("fill_form")
    with pytest.raises(InvalidInputError, match="not an approval"):
        approvals.approve(driver.ctx, row.task_id, "kefu")
    tasks.complete(driver.ctx, row.task_id, "kefu", {"amount": 1})
    gate = driver.task("gate_review")
    with pytest.raises(InvalidInputError, match="approve or reject"):
        tasks.complete(driver.ctx, gate.task_id, "lingdao", {})
    with pytest.raises(InvalidInputError, match="comment"):
        approvals.reject(driver.ctx, gate.task_id, "lingdao", "")
