"""Human tasks: list them, claim and release them, complete them with form data.

Owns: the task use cases and the one transaction every task action runs in
(`act_on_task`): lock the instance, check the task is still there and the user may do it,
run the engine, save state + task index + audit together. If the engine fails, the unit of
work rolls back and an incident is recorded in a transaction of its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from anju.db import repositories as repo
from anju.db.tables import TaskIndex
from anju.db.unit_of_work import CONCURRENT_WRITE_ERRORS, Session
from anju.roles import managed_departments
from anju.services import runtime
from anju.services.context import AppContext
from anju.services.errors import (
    AlreadyCompletedError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    TaskFailedError,
)
from anju.services.users import require_user
from workflows.engine import Instance
from workflows.errors import FormDataError, TaskStateError
from workflows.errors import TaskFailedError as EngineTaskFailed
from workflows.specs import TaskDefinition


@dataclass(frozen=True)
class TaskRow:
    task_id: str
    project_code: str
    project_name: str
    stage_key: str | None
    bpmn_id: str
    name: str
    role: str | None
    approval: str | None
    assignee: str | None
    ready_at: datetime
    due_at: datetime | None
    overdue: bool
    context: dict[str, Any]
    assignee_name: str | None = None  # the claimer's display name (filled by `with_names`)


@dataclass(frozen=True)
class TaskDetail:
    row: TaskRow
    documentation: str
    fields: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class ActionResult:
    task_id: str
    task_name: str
    project_code: str
    stage_key: str | None
    next_tasks: tuple[str, ...]


def row_view(task: TaskIndex, code: str, name: str, now: datetime) -> TaskRow:
    due = task.due_at
    return TaskRow(
        task_id=task.task_id,
        project_code=code,
        project_name=name,
        stage_key=task.stage_key,
        bpmn_id=task.bpmn_id,
        name=task.name,
        role=task.role,
        approval=task.approval,
        assignee=task.assignee,
        ready_at=task.ready_at,
        due_at=due,
        overdue=due is not None and due < now,
        context=dict(task.context or {}),
    )


def _indexed_row(session: Session, task: TaskIndex, now: datetime) -> TaskRow:
    project = repo.project_by_id(session, task.project_id)
    return with_names(session, [row_view(task, project.code, project.name, now)])[0]


def with_names(session: Session, rows: list[TaskRow]) -> list[TaskRow]:
    """The rows with the display name of whoever claimed each (one query for all)."""
    names = repo.display_names(session, {row.assignee for row in rows if row.assignee})
    return [
        dataclasses.replace(row, assignee_name=names.get(row.assignee, row.assignee))
        if row.assignee
        else row
        for row in rows
    ]


def list_tasks(
    ctx: AppContext,
    role: str | None = None,
    username: str | None = None,
    project: str | None = None,
    approvals_only: bool = False,
    limit: int | None = None,
) -> list[TaskRow]:
    """Ready tasks from the task index (no workflow is loaded), soonest due first.

    `username` lists the tasks of the user's roles plus those assigned to them.
    """
    now = ctx.now()
    with ctx.db.unit_of_work(write=False) as session:
        roles: set[str] | None = {role} if role else None
        assignee = None
        if username is not None:
            _, user_roles = require_user(session, username)
            roles = (roles or set()) | user_roles if role is None else roles
            assignee = username
        project_id = None
        if project is not None:
            found = repo.project_by_code(session, project)
            if found is None:
                raise NotFoundError(f"no project '{project}'")
            project_id = found.id
        rows = repo.ready_tasks(session, roles, assignee, project_id, approvals_only, limit)
        return [row_view(task, p.code, p.name, now) for task, p in rows]


def gone(session: Any, task_id: str) -> Exception:
    """The error for a task that is not ready: who completed it and when, or not found."""
    done = repo.completion_of(session, task_id)
    if done is None:
        return NotFoundError(f"no ready task {task_id}")
    names = repo.display_names(session, [done.actor])
    return AlreadyCompletedError(
        done.task_name or task_id, names.get(done.actor, done.actor), done.at
    )


def check_may_act(task: TaskIndex, username: str, display: str, roles: set[str]) -> None:
    """Refuse a user outside the task's lane, or anyone but the colleague who claimed it."""
    if task.role not in roles:
        raise PermissionDeniedError(
            f"'{task.name}' belongs to the {task.role} lane; {display} ({username}) has roles "
            f"{', '.join(sorted(roles)) or 'none'}"
        )
    if task.assignee is not None and task.assignee != username:
        raise ConflictError(f"'{task.name}' is claimed by {task.assignee}; ask them to release it")


def act_on_task(
    ctx: AppContext,
    task_id: str,
    username: str,
    event: str,
    run: Callable[[Instance, datetime], TaskDefinition],
    audit: dict[str, Any],
    guard: Callable[[Session, TaskIndex], None] | None = None,
) -> ActionResult:
    """Run one engine action on a ready task in one transaction (see the module docstring).

    `guard`, when given, checks a business rule in the same transaction once the instance is
    locked (e.g. a stage gate with unverified case inputs); it raises to refuse the action.
    """
    now = ctx.now()
    try:
        with ctx.db.unit_of_work() as session:
            display, roles = require_user(session, username)
            instance_id = repo.task_instance_id(session, task_id)
            if instance_id is None:
                raise gone(session, task_id)
            row = repo.lock_instance(session, instance_id)
            task = repo.task_row(session, task_id)
            if task is None:
                raise gone(session, task_id)
            check_may_act(task, username, display, roles)
            if guard is not None:
                guard(session, task)
            project_code = repo.project_code(session, row.project_id)
            instance = Instance.restore(ctx.bundle(session, row.process_version), row.state)
            try:
                definition = run(instance, now)
            except EngineTaskFailed as exc:
                raise _Failed(exc, row.project_id, row.id, task.name) from exc
            except (FormDataError, TaskStateError) as exc:
                raise InvalidInputError(str(exc)) from exc
            repo.add_event(
                session,
                at=now,
                actor=username,
                event=event,
                project_id=row.project_id,
                instance_id=row.id,
                task_id=task_id,
                task_name=definition.name,
                bpmn_id=definition.bpmn_id,
                **audit,
            )
            if event != "task_completed":
                repo.add_event(
                    session,
                    at=now,
                    actor=username,
                    event="task_completed",
                    project_id=row.project_id,
                    instance_id=row.id,
                    task_id=task_id,
                    task_name=definition.name,
                    bpmn_id=definition.bpmn_id,
                    data={"via": event},
                )
            state = runtime.save(session, row, instance, now, username)
            repo.resolve_incidents(session, task_id, now)
            next_tasks = tuple(t.name for t in state.ready if t.task_id not in {task_id})
            return ActionResult(task_id, definition.name, project_code, task.stage_key, next_tasks)
    except CONCURRENT_WRITE_ERRORS as exc:
        with ctx.db.unit_of_work(write=False) as session:
            raise gone(session, task_id) from exc
    except _Failed as failed:
        incident = _record_incident(ctx, failed, task_id, username, now)
        raise TaskFailedError(str(failed.cause), incident) from failed.cause


class _Failed(Exception):
    def __init__(self, cause: EngineTaskFailed, project_id: int, instance_id: int, name: str):
        super().__init__(str(cause))
        self.cause = cause
        self.project_id = project_id
        self.instance_id = instance_id
        self.task_name = name


def _record_incident(
    ctx: AppContext, failed: _Failed, task_id: str, username: str, now: datetime
) -> int:
    with ctx.db.unit_of_work() as session:
        incident = repo.add_incident(
            session,
            at=now,
            project_id=failed.project_id,
            instance_id=failed.instance_id,
            task_id=task_id,
            task_name=failed.task_name,
            actor=username,
            error=str(failed.cause),
        )
        session.flush()
        return incident.id


def complete(
    ctx: AppContext, task_id: str, username: str, data: dict[str, Any] | None = None
) -> ActionResult:
    """Complete a ready (non-approval) task with its form data."""
    form = dict(data or {})
    return act_on_task(
        ctx,
        task_id,
        username,
        "task_completed",
        lambda instance, now: instance.complete(task_id, form, now),
        {"data": form, "comment": form.get("comment")},
    )


def claim(ctx: AppContext, task_id: str, username: str) -> TaskRow:
    """Take a ready task so colleagues in the same lane see it is being worked on."""
    return _assign(ctx, task_id, username, username, "task_claimed")


def release(ctx: AppContext, task_id: str, username: str) -> TaskRow:
    """Give a claimed task back to the lane."""
    return _assign(ctx, task_id, username, None, "task_released")


def _assign(
    ctx: AppContext, task_id: str, username: str, assignee: str | None, event: str
) -> TaskRow:
    now = ctx.now()
    with ctx.db.unit_of_work() as session:
        display, roles = require_user(session, username)
        task = repo.task_row(session, task_id)
        if task is None or task.kind != "user":
            raise gone(session, task_id)
        check_may_act(task, username, display, roles)
        if not repo.set_assignee(session, task_id, assignee, [None, username]):
            raise ConflictError(f"'{task.name}' was claimed by someone else meanwhile")
        repo.add_event(
            session,
            at=now,
            actor=username,
            event=event,
            project_id=task.project_id,
            instance_id=task.instance_id,
            task_id=task_id,
            task_name=task.name,
            bpmn_id=task.bpmn_id,
        )
        session.flush()
        task = repo.task_row(session, task_id)
        assert task is not None
        return _indexed_row(session, task, now)


def task_detail(ctx: AppContext, task_id: str) -> TaskDetail:
    """A ready task with what its BPMN says: documentation and form fields."""
    now = ctx.now()
    with ctx.db.unit_of_work(write=False) as session:
        task = repo.task_row(session, task_id)
        if task is None or task.kind != "user":
            raise gone(session, task_id)
        instance = repo.instance_of_project(session, task.project_id)
        assert instance is not None
        definition = ctx.bundle(session, instance.process_version).task(
            task.process_id, task.bpmn_id
        )
        return TaskDetail(
            row=_indexed_row(session, task, now),
            documentation=definition.documentation,
            fields=tuple(dataclasses.asdict(field) for field in definition.fields),
        )


def reassign(
    ctx: AppContext, task_ids: list[str], to_username: str, by_username: str
) -> list[TaskRow]:
    """A department manager assigns ready tasks of their department to one of its people.

    All or nothing, in one transaction: every task must be a ready task of a department the
    manager manages, and the new assignee must belong to that department (so they may
    complete it). A claim by someone else is overridden; each move is in the audit trail.
    """
    chosen = list(dict.fromkeys(task_ids))
    if not chosen:
        raise InvalidInputError("choose at least one task to reassign")
    now = ctx.now()
    with ctx.db.unit_of_work() as session:
        _, manager_roles = require_user(session, by_username)
        departments = managed_departments(manager_roles)
        if not departments:
            raise PermissionDeniedError(f"{by_username} manages no department")
        target_name, target_roles = require_user(session, to_username)
        moved: list[TaskIndex] = []
        for task_id in chosen:
            task = repo.task_row(session, task_id)
            if task is None or task.kind != "user":
                raise gone(session, task_id)
            if task.role not in departments:
                raise PermissionDeniedError(
                    f"'{task.name}' belongs to the {task.role} lane, which {by_username} "
                    f"does not manage"
                )
            if task.role not in target_roles:
                raise InvalidInputError(
                    f"{target_name} ({to_username}) is not in the {task.role} lane of '{task.name}'"
                )
            before = task.assignee  # the UPDATE below refreshes `task` in the session
            if not repo.set_assignee(session, task_id, to_username, [before]):
                raise ConflictError(f"'{task.name}' was claimed by someone else meanwhile")
            repo.add_event(
                session,
                at=now,
                actor=by_username,
                event="task_reassigned",
                project_id=task.project_id,
                instance_id=task.instance_id,
                task_id=task_id,
                task_name=task.name,
                bpmn_id=task.bpmn_id,
                data={"from": before, "to": to_username},
            )
            moved.append(task)
        session.flush()
        rows = []
        for task in moved:
            fresh = repo.task_row(session, task.task_id)
            assert fresh is not None
            project = repo.project_by_id(session, fresh.project_id)
            rows.append(row_view(fresh, project.code, project.name, now))
        return with_names(session, rows)
