"""Incidents: task runs that failed and were rolled back, kept for admins until retried.

Owns: listing open incidents. They are recorded by `tasks.act_on_task` and the timer worker,
and resolved when the task is completed successfully.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from anju.db import repositories as repo
from anju.services.context import AppContext


@dataclass(frozen=True)
class IncidentView:
    id: int
    at: datetime
    project_code: str | None
    task_id: str | None
    task_name: str | None
    actor: str
    error: str


def open_incidents(ctx: AppContext) -> list[IncidentView]:
    with ctx.db.unit_of_work(write=False) as session:
        return [
            IncidentView(
                id=incident.id,
                at=incident.at,
                project_code=repo.project_code(session, incident.project_id)
                if incident.project_id
                else None,
                task_id=incident.task_id,
                task_name=incident.task_name,
                actor=incident.actor,
                error=incident.error,
            )
            for incident in repo.open_incidents(session)
        ]
