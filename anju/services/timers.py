"""Timers: fire every timer that is due, catching up on those that fell due while no worker ran.

Owns: the worker's use case. Each due instance is locked (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so several workers share the work and each timer fires once; `BEGIN IMMEDIATE` on
SQLite), its due timers fired, and it is saved in its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from anju.db import repositories as repo
from anju.services import runtime
from anju.services.context import AppContext
from workflows.engine import Instance
from workflows.errors import WorkflowError

WORKER = "worker"


@dataclass(frozen=True)
class FiredTimer:
    project_code: str
    timer: str
    due_at: datetime


def fire_due_timers(
    ctx: AppContext, now: datetime | None = None, limit: int = 500
) -> list[FiredTimer]:
    """Fire the timers due at `now` (default: the context's clock); returns what fired."""
    moment = now or ctx.now()
    fired: list[FiredTimer] = []
    skipped: list[int] = []
    for _ in range(limit):
        with ctx.db.unit_of_work() as session:
            row = repo.claim_due_instance(session, moment, skipped)
            if row is None:
                break
            instance = Instance.restore(ctx.bundle(session, row.process_version), row.state)
            try:
                done = instance.fire_timers(moment)
            except WorkflowError as exc:
                skipped.append(row.id)
                repo.add_incident(
                    session,
                    at=moment,
                    project_id=row.project_id,
                    instance_id=row.id,
                    actor=WORKER,
                    error=f"timer failed: {exc}",
                )
                continue
            if not done:
                skipped.append(row.id)
            code = repo.project_code(session, row.project_id)
            for timer in done:
                repo.add_event(
                    session,
                    at=moment,
                    actor=WORKER,
                    event="timer_fired",
                    project_id=row.project_id,
                    instance_id=row.id,
                    task_id=timer.task_id,
                    task_name=timer.name,
                    bpmn_id=timer.bpmn_id,
                    data={"due_at": timer.fires_at.isoformat()},
                )
                fired.append(FiredTimer(code, timer.name, timer.fires_at))
            runtime.save(session, row, instance, moment, WORKER)
    return fired
