"""Projects and their lifecycle instances: start one, list the portfolio, read a project's history.

Owns: the project use cases. Starting a project starts its `project_lifecycle` instance on the
current process version and pins it there.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from anju.db import repositories as repo
from anju.db.tables import Instance as InstanceRow
from anju.db.tables import Project
from anju.roles import PROJECT_STARTERS
from anju.services import runtime
from anju.services.context import AppContext
from anju.services.errors import ConflictError, InvalidInputError, NotFoundError
from anju.services.users import require_user
from workflows.engine import Instance
from workflows.errors import WorkflowError

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")


@dataclass(frozen=True)
class ProjectSummary:
    code: str
    name: str
    city: str
    product_type: str
    planned_handover_date: date
    status: str
    stage_key: str | None
    stage_name: str | None
    stage_order: int
    progress: int
    ready_tasks: int
    overdue_tasks: int
    next_timer_at: datetime | None
    process_version: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    actor_name: str
    event: str
    task_name: str | None
    decision: str | None
    comment: str | None
    data: dict[str, Any] = field(default_factory=dict)


def start_project(
    ctx: AppContext,
    code: str,
    name: str,
    city: str,
    product_type: str,
    planned_handover_date: date,
    username: str,
) -> ProjectSummary:
    """Register a project and start its lifecycle instance on the current process version."""
    if not _CODE.match(code):
        raise InvalidInputError("project code: 2–32 letters, digits, '-' or '_'")
    if not name.strip() or not city.strip() or not product_type.strip():
        raise InvalidInputError("a project needs a name, a city and a product type")
    now = ctx.now()
    with ctx.db.unit_of_work() as session:
        _, roles = require_user(session, username)
        if not roles & PROJECT_STARTERS:
            raise InvalidInputError(f"{username} may not start projects (customer service only)")
        if repo.project_by_code(session, code) is not None:
            raise ConflictError(f"project code '{code}' is already taken")
        current = repo.current_version(session)
        if current is None:
            raise NotFoundError("no process is deployed yet: run `anju init`")
        bundle = ctx.bundle(session, current.version)
        data = {
            "project_code": code,
            "project_name": name.strip(),
            "city": city.strip(),
            "product_type": product_type.strip(),
            "planned_handover_date": planned_handover_date.isoformat(),
        }
        try:
            instance = Instance.start(bundle, data, now)
        except WorkflowError as exc:
            raise InvalidInputError(str(exc)) from exc
        project = Project(
            code=code,
            name=name.strip(),
            city=city.strip(),
            product_type=product_type.strip(),
            planned_handover_date=planned_handover_date,
            created_at=now,
            created_by=username,
        )
        session.add(project)
        session.flush()
        row = InstanceRow(
            project_id=project.id,
            process_version=bundle.version,
            state={},
            state_version=0,
            status="running",
            updated_at=now,
        )
        session.add(row)
        session.flush()
        repo.add_event(
            session,
            at=now,
            actor=username,
            event="project_started",
            project_id=project.id,
            instance_id=row.id,
            data={**data, "process_version": bundle.version},
        )
        runtime.save(session, row, instance, now, username)
    return get_project(ctx, code)


def _summary(project: Project, row: InstanceRow, counts: tuple[int, int, Any]) -> ProjectSummary:
    return ProjectSummary(
        code=project.code,
        name=project.name,
        city=project.city,
        product_type=project.product_type,
        planned_handover_date=project.planned_handover_date,
        status=row.status,
        stage_key=row.stage_key,
        stage_name=row.stage_name,
        stage_order=row.stage_order,
        progress=row.progress,
        ready_tasks=counts[0],
        overdue_tasks=counts[1],
        next_timer_at=counts[2],
        process_version=row.process_version,
    )


def list_projects(ctx: AppContext) -> list[ProjectSummary]:
    """The portfolio: every project with its stage, progress and task counts."""
    with ctx.db.unit_of_work(write=False) as session:
        counts = repo.task_counts(session, ctx.now())
        return [
            _summary(project, row, counts.get(project.id, (0, 0, None)))
            for project, row in repo.projects_with_instances(session)
        ]


@dataclass(frozen=True)
class ProjectPage:
    rows: tuple[ProjectSummary, ...]
    total: int  # projects matching the search, on every page
    page: int  # 1-based; past the last page means the last page
    pages: int
    page_size: int


def project_page(
    ctx: AppContext, search: str | None = None, page: int = 1, page_size: int = PAGE_SIZE
) -> ProjectPage:
    """One page of the portfolio (projects whose code or name contains `search`), by code,
    with the task counts of that page's projects only."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInputError(f"page size: 1 to {MAX_PAGE_SIZE}")
    with ctx.db.unit_of_work(write=False) as session:
        total = repo.count_projects(session, search)
        pages = max(1, math.ceil(total / page_size))
        page = min(max(page, 1), pages)
        found = repo.projects_with_instances(
            session, search=search, offset=(page - 1) * page_size, limit=page_size
        )
        counts = repo.task_counts(session, ctx.now(), among=[p.id for p, _ in found])
        rows = tuple(_summary(p, row, counts.get(p.id, (0, 0, None))) for p, row in found)
        return ProjectPage(rows, total, page, pages, page_size)


def project_names(ctx: AppContext) -> Mapping[str, str]:
    """Code → name of every project, for pickers (no counts, no instance rows). Read again only
    when a project was added or removed (projects are never renamed)."""
    with ctx.db.unit_of_work(write=False) as session:
        return ctx.memo(
            "project_names",
            repo.project_stamp(session),
            lambda: MappingProxyType(dict(repo.project_names(session))),
        )


def get_project(ctx: AppContext, code: str) -> ProjectSummary:
    with ctx.db.unit_of_work(write=False) as session:
        for project, row in repo.projects_with_instances(session, code):
            counts = repo.task_counts(session, ctx.now(), project.id)
            return _summary(project, row, counts.get(project.id, (0, 0, None)))
    raise NotFoundError(f"no project '{code}'")


def history(ctx: AppContext, code: str) -> list[HistoryEntry]:
    """The audit trail of a project, oldest first."""
    with ctx.db.unit_of_work(write=False) as session:
        project = repo.project_by_code(session, code)
        if project is None:
            raise NotFoundError(f"no project '{code}'")
        events = repo.history(session, project.id)
        names = repo.display_names(session, {event.actor for event in events})
        return [
            HistoryEntry(
                at=event.at,
                actor=event.actor,
                actor_name=names.get(event.actor, event.actor),
                event=event.event,
                task_name=event.task_name,
                decision=event.decision,
                comment=event.comment,
                data=dict(event.data or {}),
            )
            for event in events
        ]


def project_count(ctx: AppContext) -> int:
    with ctx.db.unit_of_work(write=False) as session:
        return repo.count_projects(session)
