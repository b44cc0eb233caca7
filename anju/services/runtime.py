"""Saving an instance after the engine changed it: state, task index and stage, in one go.

Owns: the write half of every instance transaction — the new state with its optimistic-lock
version bump, the task index rewritten to the instance's ready tasks and waiting timers
(assignees kept), due dates from the BPMN `due` property, and the stage-change audit event.
"""

from __future__ import annotations

from datetime import datetime

from anju.db import repositories as repo
from anju.db.tables import Instance as InstanceRow
from anju.db.tables import TaskIndex
from anju.db.unit_of_work import Session
from workflows.engine import Instance
from workflows.script_env import add_duration, to_datetime
from workflows.views import WorkflowState


def save(
    session: Session, row: InstanceRow, instance: Instance, now: datetime, actor: str
) -> WorkflowState:
    """Write the instance's new state and index; the caller's unit of work commits."""
    state = instance.state()
    previous_key, previous_name = row.stage_key, row.stage_name
    row.state = instance.dump()
    row.state_version = int(row.state["anju_state_version"])
    row.status = "completed" if state.completed else "running"
    row.stage_key = state.stage.key
    row.stage_name = state.stage.name
    row.stage_order = state.stage.order
    row.progress = state.stage.percent
    row.next_timer_at = state.next_timer_at
    row.updated_at = now
    _sync_index(session, row, state, now)
    changes: list[tuple[str, str | None, str | None]] = []
    if state.stage.key != previous_key:
        if previous_key is not None:
            changes.append(("stage_completed", previous_key, previous_name))
        if state.stage.key is not None:
            changes.append(("stage_started", state.stage.key, state.stage.name))
    if state.completed and previous_key is not None:
        changes.append(("project_completed", None, None))
    for event, key, name in changes:
        repo.add_event(
            session,
            at=now,
            actor=actor,
            event=event,
            project_id=row.project_id,
            instance_id=row.id,
            task_name=name,
            data={"stage": key},
        )
    session.flush()  # the UPDATE ... WHERE lock_version = old: StaleDataError if someone won
    return state


def _sync_index(session: Session, row: InstanceRow, state: WorkflowState, now: datetime) -> None:
    existing = repo.index_rows(session, row.id)
    keep: set[str] = set()
    for task in state.ready:
        keep.add(task.task_id)
        indexed = existing.get(task.task_id)
        if indexed is not None:
            indexed.context = task.context
            continue
        session.add(
            TaskIndex(
                task_id=task.task_id,
                instance_id=row.id,
                project_id=row.project_id,
                kind="user",
                bpmn_id=task.bpmn_id,
                process_id=task.process_id,
                name=task.name,
                role=task.role,
                stage_key=task.stage_key,
                approval=task.approval,
                ready_at=now,
                due_at=to_datetime(add_duration(now, task.due)),
                context=task.context,
            )
        )
    for timer in state.timers:
        keep.add(timer.task_id)
        if timer.task_id in existing:
            existing[timer.task_id].due_at = timer.fires_at
            continue
        session.add(
            TaskIndex(
                task_id=timer.task_id,
                instance_id=row.id,
                project_id=row.project_id,
                kind="timer",
                bpmn_id=timer.bpmn_id,
                process_id="",
                name=timer.name,
                stage_key=timer.stage_key,
                ready_at=now,
                due_at=timer.fires_at,
                context={},
            )
        )
    repo.delete_index_rows(session, set(existing) - keep)
