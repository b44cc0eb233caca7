"""The task list of one person: filtered and paged in the query, saved filters, new arrivals.

Owns: "my tasks" as the UI shows them — ready work tasks (no approvals) of the user's roles or
claimed by them, narrowed by project, stage and due window in SQL and cut into pages; the
user's named filters; and when the user last looked at the list, so tasks that became ready
after it count as new (kept in the database, so it holds across tabs, reloads and devices).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from anju.db import repositories as repo
from anju.db import ui_repository as ui_repo
from anju.db.tables import Project, TaskIndex, User
from anju.db.unit_of_work import CONCURRENT_WRITE_ERRORS, Session
from anju.localtime import zone
from anju.roles import managed_departments
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from anju.services.tasks import TaskRow, row_view, with_names
from anju.services.users import require_user

DUE_WINDOWS = ("all", "overdue", "week")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_FILTER_NAME = 64


@dataclass(frozen=True)
class TaskFilter:
    """What to show: one project (code), one stage (BPMN key), a due window (DUE_WINDOWS)."""

    project: str | None = None
    stage: str | None = None
    due: str = "all"


@dataclass(frozen=True)
class TaskPage:
    rows: tuple[TaskRow, ...]
    total: int  # tasks matching the filter, on every page
    page: int  # 1-based; past the last page means the last page
    pages: int
    page_size: int


@dataclass(frozen=True)
class SavedFilter:
    name: str
    filter: TaskFilter


def _user(session: Session, username: str) -> tuple[User, set[str]]:
    _, roles = require_user(session, username)
    user = repo.user_by_name(session, username)
    assert user is not None
    return user, roles


def _due_bounds(due: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(from, before) of a due window; "week" = from now to the end of this local week."""
    if due not in DUE_WINDOWS:
        raise InvalidInputError(f"due window '{due}': one of {', '.join(DUE_WINDOWS)}")
    if due == "overdue":
        return None, now
    if due == "week":
        local = now.astimezone(zone())
        monday = local.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
            days=local.weekday()
        )
        return now, monday + timedelta(days=7)
    return None, None


def my_tasks(
    ctx: AppContext,
    username: str,
    task_filter: TaskFilter | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    approvals: bool = False,
) -> TaskPage:
    """One page of the user's ready work tasks (or, with `approvals`, the approvals waiting
    for the user's roles), soonest due first."""
    wanted = task_filter or TaskFilter()
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInputError(f"page size: 1 to {MAX_PAGE_SIZE}")
    if page < 1:
        raise InvalidInputError("pages are counted from 1")
    now = ctx.now()
    due_from, due_before = _due_bounds(wanted.due, now)
    with ctx.db.unit_of_work(write=False) as session:
        _, roles = require_user(session, username)
        project_id = None
        if wanted.project:
            project = repo.project_by_code(session, wanted.project)
            if project is None:
                raise NotFoundError(f"no project '{wanted.project}'")
            project_id = project.id

        def fetch(offset: int) -> tuple[list[tuple[TaskIndex, Project]], int]:
            return repo.task_list_page(
                session,
                roles,
                username,
                project_id,
                wanted.stage or None,
                due_from,
                due_before,
                offset=offset,
                limit=page_size,
                approvals=approvals,
            )

        found, total = fetch((page - 1) * page_size)
        pages = max(1, math.ceil(total / page_size))
        if page > pages:  # the filter shrank the list: show its last page
            page = pages
            found, total = fetch((page - 1) * page_size)
        rows = with_names(session, [row_view(task, p.code, p.name, now) for task, p in found])
        return TaskPage(tuple(rows), total, page, pages, page_size)


def department_tasks(
    ctx: AppContext, username: str, page: int = 1, page_size: int = PAGE_SIZE
) -> TaskPage:
    """Ready work tasks of the departments the user manages (for reassignment), soonest due."""
    if not 1 <= page_size <= MAX_PAGE_SIZE or page < 1:
        raise InvalidInputError(f"pages are counted from 1, page size 1 to {MAX_PAGE_SIZE}")
    now = ctx.now()
    with ctx.db.unit_of_work(write=False) as session:
        _, roles = require_user(session, username)
        departments = managed_departments(roles)
        if not departments:
            raise PermissionDeniedError(f"{username} manages no department")
        found, total = repo.task_list_page(
            session, departments, offset=(page - 1) * page_size, limit=page_size
        )
        rows = with_names(session, [row_view(task, p.code, p.name, now) for task, p in found])
        pages = max(1, math.ceil(total / page_size))
        return TaskPage(tuple(rows), total, page, pages, page_size)


def new_task_count(ctx: AppContext, username: str) -> int:
    """Ready work tasks of the user that arrived since they last looked at their list."""
    with ctx.db.unit_of_work(write=False) as session:
        user, roles = _user(session, username)
        since = ui_repo.seen_at(session, user.id)
        return repo.count_ready_since(session, roles, username, since)


def mark_seen(ctx: AppContext, username: str) -> None:
    """The user has looked at their task list now."""
    try:
        with ctx.db.unit_of_work() as session:
            user, _ = _user(session, username)
            ui_repo.mark_seen(session, user.id, ctx.now())
    except CONCURRENT_WRITE_ERRORS:
        pass  # another tab of the same user recorded its first look at the same moment


def saved_filters(ctx: AppContext, username: str) -> list[SavedFilter]:
    with ctx.db.unit_of_work(write=False) as session:
        user, _ = _user(session, username)
        return [
            SavedFilter(row.name, TaskFilter(row.project_code, row.stage_key, row.due))
            for row in ui_repo.saved_filters(session, user.id)
        ]


def save_filter(ctx: AppContext, username: str, name: str, task_filter: TaskFilter) -> SavedFilter:
    """Save (or replace) the user's filter called `name`."""
    name = name.strip()
    if not 1 <= len(name) <= MAX_FILTER_NAME:
        raise InvalidInputError(f"a filter needs a name of 1 to {MAX_FILTER_NAME} characters")
    _due_bounds(task_filter.due, ctx.now())
    with ctx.db.unit_of_work() as session:
        user, _ = _user(session, username)
        if task_filter.project and repo.project_by_code(session, task_filter.project) is None:
            raise NotFoundError(f"no project '{task_filter.project}'")
        ui_repo.delete_saved_filter(session, user.id, name)
        ui_repo.add_saved_filter(
            session,
            user_id=user.id,
            name=name,
            project_code=task_filter.project or None,
            stage_key=task_filter.stage or None,
            due=task_filter.due,
            created_at=ctx.now(),
        )
    return SavedFilter(name, task_filter)


def delete_filter(ctx: AppContext, username: str, name: str) -> None:
    with ctx.db.unit_of_work() as session:
        user, _ = _user(session, username)
        if not ui_repo.delete_saved_filter(session, user.id, name):
            raise NotFoundError(f"no saved filter '{name}'")


def stages(ctx: AppContext) -> list[tuple[str, str]]:
    """The lifecycle's stages (key, BPMN name) in order, from the current process version."""
    with ctx.db.unit_of_work(write=False) as session:
        current = repo.current_version(session)
        if current is None:
            return []
        return [(s.key, s.name) for s in ctx.bundle(session, current.version).stages]
