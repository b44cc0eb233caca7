"""Queries and row changes, one function per question the services ask.

Owns: every SQL statement Anju runs. Services call these inside a unit of work; nothing here
commits. Rows stay inside the services; what leaves a service is a dataclass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session, defer

from anju.db.tables import (
    AuditEvent,
    Incident,
    Instance,
    ProcessVersion,
    Project,
    TaskIndex,
    User,
    UserRole,
)

# ---------------------------------------------------------------------------- users


def user_by_name(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def roles_of(session: Session, user_id: int) -> set[str]:
    return set(session.scalars(select(UserRole.role).where(UserRole.user_id == user_id)))


def add_user(
    session: Session, username: str, display_name: str, roles: Iterable[str], now: datetime
) -> User:
    user = User(username=username, display_name=display_name, created_at=now, active=True)
    session.add(user)
    session.flush()
    session.add_all(UserRole(user_id=user.id, role=role) for role in sorted(set(roles)))
    return user


def users_with_roles(session: Session, user_id: int | None = None) -> list[tuple[User, list[str]]]:
    user_query = select(User).order_by(User.username)
    role_query = select(UserRole.user_id, UserRole.role)
    if user_id is not None:
        user_query = user_query.where(User.id == user_id)
        role_query = role_query.where(UserRole.user_id == user_id)
    users = list(session.scalars(user_query))
    pairs = session.execute(role_query).all()
    by_user: dict[int, list[str]] = {}
    for user_id, role in pairs:
        by_user.setdefault(user_id, []).append(role)
    return [(user, sorted(by_user.get(user.id, []))) for user in users]


def display_names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    names = set(usernames)
    if not names:
        return {}
    rows = session.execute(select(User.username, User.display_name).where(User.username.in_(names)))
    return {str(username): str(display) for username, display in rows.tuples()}


# ---------------------------------------------------------------------------- process versions


def current_version(session: Session) -> ProcessVersion | None:
    return session.scalar(select(ProcessVersion).where(ProcessVersion.is_current.is_(True)))


def version(session: Session, version_hash: str) -> ProcessVersion | None:
    return session.get(ProcessVersion, version_hash)


def versions(session: Session) -> Sequence[ProcessVersion]:
    return session.scalars(select(ProcessVersion).order_by(ProcessVersion.deployed_at)).all()


def make_current(session: Session, version_hash: str) -> None:
    session.execute(
        update(ProcessVersion).values(is_current=ProcessVersion.version == version_hash)
    )


def instance_counts_by_version(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(Instance.process_version, func.count()).group_by(Instance.process_version)
    )
    return {str(version_hash): int(count) for version_hash, count in rows.tuples()}


# ---------------------------------------------------------------------------- projects, instances


def project_by_code(session: Session, code: str) -> Project | None:
    return session.scalar(select(Project).where(Project.code == code))


def project_by_id(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise LookupError(f"project {project_id} does not exist")
    return project


def project_code(session: Session, project_id: int) -> str:
    project = session.get(Project, project_id)
    return project.code if project is not None else str(project_id)


def _project_search(text: str | None) -> list[ColumnElement[bool]]:
    """Projects whose code or name contains `text` (LIKE wildcards in it are literal)."""
    if not text:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return [or_(Project.code.ilike(pattern, escape="\\"), Project.name.ilike(pattern, escape="\\"))]


def count_projects(session: Session, search: str | None = None) -> int:
    query = select(func.count()).select_from(Project).where(*_project_search(search))
    return int(session.scalar(query) or 0)


def project_stamp(session: Session) -> tuple[int, int | None]:
    """(how many projects, the newest id): changes whenever a project is added or removed."""
    count, newest = session.execute(select(func.count(), func.max(Project.id))).one()
    return int(count), newest


def project_names(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every project, by code: what a project picker needs."""
    return [
        (c, n)
        for c, n in session.execute(select(Project.code, Project.name).order_by(Project.code))
    ]


def projects_with_instances(
    session: Session,
    code: str | None = None,
    search: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[tuple[Project, Instance]]:
    """Projects (one by code, those matching `search`, a page) with their instance rows,
    without the (large) saved state, by code."""
    query = (
        select(Project, Instance)
        .join(Instance, Instance.project_id == Project.id)
        .options(defer(Instance.state))
        .where(*_project_search(search))
    )
    if code is not None:
        query = query.where(Project.code == code)
    query = query.order_by(Project.code).offset(offset).limit(limit)
    return [(p, i) for p, i in session.execute(query).all()]


def instance_of_project(session: Session, project_id: int) -> Instance | None:
    """The project's instance row; its (large) saved state is loaded only if touched."""
    query = select(Instance).where(Instance.project_id == project_id).options(defer(Instance.state))
    return session.scalar(query)


def lock_instance(session: Session, instance_id: int) -> Instance:
    """Load an instance for change, holding its row lock on PostgreSQL (SQLite: BEGIN IMMEDIATE)."""
    query = select(Instance).where(Instance.id == instance_id).with_for_update()
    instance = session.scalar(query.execution_options(populate_existing=True))
    if instance is None:
        raise LookupError(f"instance {instance_id} does not exist")
    return instance


def claim_due_instance(session: Session, now: datetime, skip: Sequence[int]) -> Instance | None:
    """Lock one instance with a timer due by `now` that no other worker holds."""
    query = (
        select(Instance)
        .where(Instance.next_timer_at <= now, Instance.id.not_in(list(skip) or [-1]))
        .order_by(Instance.next_timer_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.scalar(query.execution_options(populate_existing=True))


# ---------------------------------------------------------------------------- task index


def task_instance_id(session: Session, task_id: str) -> int | None:
    return session.scalar(select(TaskIndex.instance_id).where(TaskIndex.task_id == task_id))


def task_row(session: Session, task_id: str) -> TaskIndex | None:
    query = select(TaskIndex).where(TaskIndex.task_id == task_id)
    return session.scalar(query.execution_options(populate_existing=True))


def index_rows(session: Session, instance_id: int) -> dict[str, TaskIndex]:
    rows = session.scalars(select(TaskIndex).where(TaskIndex.instance_id == instance_id))
    return {row.task_id: row for row in rows}


def delete_index_rows(session: Session, task_ids: Iterable[str]) -> None:
    ids = list(task_ids)
    if ids:
        session.execute(delete(TaskIndex).where(TaskIndex.task_id.in_(ids)))


def set_assignee(
    session: Session, task_id: str, assignee: str | None, expected: Sequence[str | None]
) -> bool:
    """Set a task's assignee only if it currently is one of `expected`; True when it changed."""
    allowed = [
        TaskIndex.assignee.is_(None) if e is None else TaskIndex.assignee == e for e in expected
    ]
    result = session.execute(
        update(TaskIndex)
        .where(TaskIndex.task_id == task_id, TaskIndex.kind == "user", or_(*allowed))
        .values(assignee=assignee)
    )
    return bool(getattr(result, "rowcount", 0))


def ready_tasks(
    session: Session,
    roles: Iterable[str] | None = None,
    assignee: str | None = None,
    project_id: int | None = None,
    approvals_only: bool = False,
    limit: int | None = None,
) -> list[tuple[TaskIndex, Project]]:
    """Ready human tasks, soonest due first, filtered by any of: roles, assignee, project."""
    query: Select[Any] = (
        select(TaskIndex, Project)
        .join(Project, Project.id == TaskIndex.project_id)
        .where(TaskIndex.kind == "user")
    )
    who: list[ColumnElement[bool]] = []
    if roles is not None:
        who.append(TaskIndex.role.in_(list(roles)))
    if assignee is not None:
        who.append(TaskIndex.assignee == assignee)
    if who:
        query = query.where(or_(*who))
    if project_id is not None:
        query = query.where(TaskIndex.project_id == project_id)
    if approvals_only:
        query = query.where(TaskIndex.approval.is_not(None))
    query = query.order_by(TaskIndex.due_at, TaskIndex.task_id)
    if limit is not None:
        query = query.limit(limit)
    return [(task, project) for task, project in session.execute(query).all()]


def task_counts(
    session: Session, now: datetime, project_id: int | None = None, among: list[int] | None = None
) -> dict[int, tuple[int, int, datetime | None]]:
    """Per project (or for one, or for those `among`): (ready tasks, overdue tasks, next timer)."""
    query = select(
        TaskIndex.project_id,
        func.count().filter(TaskIndex.kind == "user"),
        func.count().filter(and_(TaskIndex.kind == "user", TaskIndex.due_at < now)),
        func.min(TaskIndex.due_at).filter(TaskIndex.kind == "timer"),
    )
    if project_id is not None:
        query = query.where(TaskIndex.project_id == project_id)
    if among is not None:
        query = query.where(TaskIndex.project_id.in_(among))
    rows = session.execute(query.group_by(TaskIndex.project_id))
    return {pid: (ready, overdue, timer) for pid, ready, overdue, timer in rows}


# ---------------------------------------------------------------------------- audit, incidents


def add_event(session: Session, **values: Any) -> AuditEvent:
    event = AuditEvent(**values)
    session.add(event)
    return event


def completion_of(session: Session, task_id: str) -> AuditEvent | None:
    query = select(AuditEvent).where(
        AuditEvent.task_id == task_id, AuditEvent.event == "task_completed"
    )
    return session.scalar(query)


def history(session: Session, project_id: int) -> Sequence[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.project_id == project_id)
    return session.scalars(query.order_by(AuditEvent.at, AuditEvent.id)).all()


def add_incident(session: Session, **values: Any) -> Incident:
    incident = Incident(**values)
    session.add(incident)
    return incident


def open_incidents(session: Session) -> Sequence[Incident]:
    query = select(Incident).where(Incident.resolved_at.is_(None)).order_by(Incident.at)
    return session.scalars(query).all()


def resolve_incidents(session: Session, task_id: str, now: datetime) -> None:
    session.execute(
        update(Incident)
        .where(Incident.task_id == task_id, Incident.resolved_at.is_(None))
        .values(resolved_at=now)
    )


# ---------------------------------------------------------------------------- task lists (UI)


def _task_list_conditions(
    roles: Iterable[str],
    assignee: str | None,
    project_id: int | None,
    stage_key: str | None,
    due_from: datetime | None,
    due_before: datetime | None,
    approvals: bool = False,
) -> list[ColumnElement[bool]]:
    """Ready work tasks (or, with `approvals`, approvals only) of `roles` or assigned to
    `assignee`, narrowed."""
    who: list[ColumnElement[bool]] = [TaskIndex.role.in_(list(roles))]
    if assignee is not None:
        who.append(TaskIndex.assignee == assignee)
    kind = TaskIndex.approval.is_not(None) if approvals else TaskIndex.approval.is_(None)
    conditions = [TaskIndex.kind == "user", kind, or_(*who)]
    if project_id is not None:
        conditions.append(TaskIndex.project_id == project_id)
    if stage_key is not None:
        conditions.append(TaskIndex.stage_key == stage_key)
    if due_from is not None:
        conditions.append(TaskIndex.due_at >= due_from)
    if due_before is not None:
        conditions.append(TaskIndex.due_at < due_before)
    return conditions


def task_list_page(
    session: Session,
    roles: Iterable[str],
    assignee: str | None = None,
    project_id: int | None = None,
    stage_key: str | None = None,
    due_from: datetime | None = None,
    due_before: datetime | None = None,
    offset: int = 0,
    limit: int = 50,
    approvals: bool = False,
) -> tuple[list[tuple[TaskIndex, Project]], int]:
    """One page of ready work tasks (or approvals), soonest due first, and how many match."""
    conditions = _task_list_conditions(
        roles, assignee, project_id, stage_key, due_from, due_before, approvals
    )
    total = session.scalar(select(func.count()).select_from(TaskIndex).where(*conditions)) or 0
    query = (
        select(TaskIndex, Project)
        .join(Project, Project.id == TaskIndex.project_id)
        .where(*conditions)
        .order_by(TaskIndex.due_at, TaskIndex.task_id)
        .offset(offset)
        .limit(limit)
    )
    return [(task, project) for task, project in session.execute(query).all()], int(total)


def count_ready_since(
    session: Session, roles: Iterable[str], assignee: str | None, since: datetime | None
) -> int:
    """How many ready work tasks of `roles` (or assigned to `assignee`) became ready after."""
    conditions = _task_list_conditions(roles, assignee, None, None, None, None)
    if since is not None:
        conditions.append(TaskIndex.ready_at > since)
    return int(session.scalar(select(func.count()).select_from(TaskIndex).where(*conditions)) or 0)


def set_roles(session: Session, user_id: int, roles: Iterable[str]) -> None:
    """Replace a user's roles."""
    session.execute(delete(UserRole).where(UserRole.user_id == user_id))
    session.add_all(UserRole(user_id=user_id, role=role) for role in sorted(set(roles)))
