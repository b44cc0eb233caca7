"""The case library's use cases: write, publish, retire, read and search lessons-learned cases.

Owns: who may do what (customer service and admins write; everyone reads published cases;
writers also see drafts and retired cases), the optimistic version check on edits, the edit
history and keeping the search index and the meaning vector in step with every write.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from anju.db import case_repository as cases_repo
from anju.db import case_vector_repository as vectors_repo
from anju.db.case_repository import CaseFilters
from anju.db.case_tables import Case
from anju.db.unit_of_work import CONCURRENT_WRITE_ERRORS, Session
from anju.roles import LANE_ROLES
from anju.services.context import AppContext
from anju.services.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from anju.services.users import require_user
from casebase import meaning
from casebase.model import (
    CaseContent,
    CaseError,
    Category,
    Severity,
    SourceKind,
    Stage,
    Status,
    check_editable,
    check_transition,
)
from casebase.search import normalise, parse_query, snippet

__all__ = [
    "CaseDetail",
    "CaseFilters",
    "CaseView",
    "RevisionView",
    "SearchHit",
    "SearchResult",
    "create_case",
    "edit_case",
    "get_case",
    "publish_case",
    "retire_case",
    "search_cases",
]

WRITER_ROLES = frozenset({"customer_service", "admin"})
MAX_LIMIT = 200


@dataclass(frozen=True)
class CaseView:
    id: int
    title: str
    description: str
    stage: str
    stage_label: str
    category: str
    category_label: str
    department: str
    severity: str
    source_kind: str
    cause: str
    lesson: str
    source_project: str
    location: str
    tags: tuple[str, ...]
    occurred_on: date | None
    status: str
    author: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    version: int
    external_ref: str | None = None
    """Its number in the spreadsheet it was imported from; exports write `AJ-<id>` without one."""
    source_record_id: int | None = None
    """The record it was drafted from (a hand-over defect's id when source_kind says so)."""


@dataclass(frozen=True)
class RevisionView:
    version: int
    at: datetime
    actor: str
    action: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class CaseDetail:
    case: CaseView
    history: tuple[RevisionView, ...]


@dataclass(frozen=True)
class SearchHit:
    id: int
    title: str
    stage: str
    category: str
    department: str
    source_project: str
    occurred_on: date | None
    status: str
    score: int
    snippet: str
    """The best excerpt with hits in 【】."""
    snippet_spans: tuple[tuple[int, int], ...]
    """[start, end) of each hit in the unmarked excerpt (`snippet` without the 【】)."""


@dataclass(frozen=True)
class SearchResult:
    query: str
    terms: tuple[str, ...]
    total: int
    hits: tuple[SearchHit, ...]


def case_view(row: Case) -> CaseView:
    return CaseView(
        id=row.id,
        title=row.title,
        description=row.description,
        stage=row.stage,
        stage_label=Stage(row.stage).label,
        category=row.category,
        category_label=Category(row.category).label,
        department=row.department,
        severity=row.severity,
        source_kind=row.source_kind,
        cause=row.cause,
        lesson=row.lesson,
        source_project=row.source_project,
        location=row.location,
        tags=tuple(row.tags),
        occurred_on=row.occurred_on,
        status=row.status,
        author=row.author,
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_at=row.published_at,
        version=row.lock_version,
        external_ref=row.external_ref,
        source_record_id=row.source_record_id,
    )


def stored_content(row: Case) -> CaseContent:
    return CaseContent(
        title=row.title,
        description=row.description,
        stage=Stage(row.stage),
        category=Category(row.category),
        department=row.department,
        severity=Severity(row.severity),
        source_kind=SourceKind(row.source_kind),
        cause=row.cause,
        lesson=row.lesson,
        source_project=row.source_project,
        location=row.location,
        tags=tuple(row.tags),
        occurred_on=row.occurred_on,
    )


def parse_content(values: dict[str, Any]) -> CaseContent:
    try:
        content = CaseContent.build(**values)
    except CaseError as exc:
        raise InvalidInputError(str(exc)) from exc
    if content.department not in LANE_ROLES:
        raise InvalidInputError(
            f"责任部门 '{content.department}' 无效,可选:{', '.join(sorted(LANE_ROLES))}"
        )
    return content


def require_writer(session: Session, username: str) -> None:
    _, roles = require_user(session, username)
    if not roles & WRITER_ROLES:
        raise PermissionDeniedError(f"{username} 无权编辑案例库(仅客户服务部和管理员)")


def meaning_text(content: CaseContent) -> str:
    return meaning.case_text(content.title, content.description, content.cause, content.location)


def index_case(session: Session, case_id: int, content: CaseContent) -> None:
    """Keep the search index and the case's meaning vector in step with its content.

    Callers load the encoder (`casebase.meaning.load`) before their write transaction, so
    only the embedding itself (a few ms) happens while it is open.
    """
    title, body = content.searchable_parts()
    cases_repo.save_search_row(session, case_id, normalise(title), normalise(title + "\n" + body))
    vector = meaning.to_bytes(meaning.embed_one(meaning_text(content)))
    vectors_repo.save_vectors(session, meaning.MODEL, meaning.DIM, [(case_id, vector)])


def apply_content(row: Case, content: CaseContent) -> None:
    for name in ("title", "description", "cause", "lesson", "department"):
        setattr(row, name, getattr(content, name))
    for name in ("stage", "category", "severity", "source_kind"):
        setattr(row, name, str(getattr(content, name)))
    row.source_project = content.source_project
    row.location = content.location
    row.tags = list(content.tags)
    row.occurred_on = content.occurred_on


def plain_changes(changes: dict[str, tuple[object, object]]) -> dict[str, Any]:
    def simple(value: object) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, tuple):
            return list(value)
        return str(value) if value is not None else None

    return {name: [simple(old), simple(new)] for name, (old, new) in changes.items()}


def create_case(ctx: AppContext, username: str, **values: Any) -> CaseView:
    """A new draft case written by `username` (customer service or admin)."""
    content = parse_content(values)
    now = ctx.now()
    meaning.load()
    with ctx.db.unit_of_work() as session:
        require_writer(session, username)
        row = Case(status=str(Status.DRAFT), author=username, created_at=now, updated_at=now)
        apply_content(row, content)
        session.add(row)
        session.flush()
        index_case(session, row.id, content)
        cases_repo.add_revision(session, row, at=now, actor=username, action="created")
        return case_view(row)


def _load(session: Session, case_id: int) -> Case:
    row = cases_repo.get_case(session, case_id)
    if row is None:
        raise NotFoundError(f"案例 #{case_id} 不存在")
    return row


def _stale(case_id: int, expected: int, actual: int | None = None) -> ConflictError:
    seen = f"(您看到的是第 {expected} 版" + (f",当前是第 {actual} 版)" if actual else ")")
    return ConflictError(f"案例 #{case_id} 已被他人修改{seen},请刷新后重新编辑")


def edit_case(
    ctx: AppContext, case_id: int, username: str, expected_version: int, **changes: Any
) -> CaseView:
    """Change fields of a case; `expected_version` is the version the editor saw."""
    now = ctx.now()
    meaning.load()
    try:
        with ctx.db.unit_of_work() as session:
            require_writer(session, username)
            row = _load(session, case_id)
            if row.lock_version != expected_version:
                raise _stale(case_id, expected_version, row.lock_version)
            try:
                check_editable(row.status)
            except CaseError as exc:
                raise ConflictError(str(exc)) from exc
            old = stored_content(row)
            merged = {
                **{name: getattr(old, name) for name in old.__dataclass_fields__},
                **changes,
            }
            new = parse_content(merged)
            diff = new.changes_from(old)
            if not diff:
                return case_view(row)
            apply_content(row, new)
            row.updated_at = now
            session.flush()
            index_case(session, row.id, new)
            cases_repo.add_revision(
                session, row, at=now, actor=username, action="edited", changes=plain_changes(diff)
            )
            return case_view(row)
    except CONCURRENT_WRITE_ERRORS as exc:
        raise _stale(case_id, expected_version) from exc


def _move(ctx: AppContext, case_id: int, username: str, target: Status) -> CaseView:
    now = ctx.now()
    with ctx.db.unit_of_work() as session:
        require_writer(session, username)
        row = _load(session, case_id)
        try:
            check_transition(row.status, target)
        except CaseError as exc:
            raise ConflictError(str(exc)) from exc
        row.status = str(target)
        row.updated_at = now
        if target is Status.PUBLISHED:
            row.published_at = now
        if target is Status.RETIRED:
            row.retired_at = now
        session.flush()
        cases_repo.sync_search_filters(session, row.id)
        action = "published" if target is Status.PUBLISHED else "retired"
        cases_repo.add_revision(session, row, at=now, actor=username, action=action)
        return case_view(row)


def publish_case(ctx: AppContext, case_id: int, username: str) -> CaseView:
    return _move(ctx, case_id, username, Status.PUBLISHED)


def retire_case(ctx: AppContext, case_id: int, username: str) -> CaseView:
    return _move(ctx, case_id, username, Status.RETIRED)


def get_case(ctx: AppContext, case_id: int, username: str) -> CaseDetail:
    """A case and its history; unpublished cases only for writers."""
    with ctx.db.unit_of_work(write=False) as session:
        _, roles = require_user(session, username)
        row = cases_repo.get_case(session, case_id)
        if row is None or (row.status != Status.PUBLISHED and not roles & WRITER_ROLES):
            raise NotFoundError(f"案例 #{case_id} 不存在或未发布")
        history = tuple(
            RevisionView(r.version, r.at, r.actor, r.action, dict(r.changes))
            for r in cases_repo.revisions(session, case_id)
        )
        return CaseDetail(case_view(row), history)


def check_filters(filters: CaseFilters) -> None:
    for name, enum in (("stage", Stage), ("category", Category)):
        value = getattr(filters, name)
        if value is not None and value not in {m.value for m in enum}:
            choices = ", ".join(f"{m.value}({m.label})" for m in enum)
            raise InvalidInputError(f"{name} '{value}' 无效,可选:{choices}")
    unknown = set(filters.statuses) - {s.value for s in Status}
    if unknown:
        raise InvalidInputError(f"未知状态:{', '.join(sorted(unknown))}")


def search_cases(
    ctx: AppContext,
    query: str,
    username: str | None = None,
    filters: CaseFilters | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Cases containing every term of `query`, ranked; an empty query lists by date.

    Without a user (or for a reader) only published cases are searched.
    """
    filters = filters or CaseFilters()
    check_filters(filters)
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise InvalidInputError(f"limit 应在 1–{MAX_LIMIT} 之间,offset 不能为负")
    parsed = parse_query(query)
    with ctx.db.unit_of_work(write=False) as session:
        roles = require_user(session, username)[1] if username else set()
        if not roles & WRITER_ROLES and set(filters.statuses) != {Status.PUBLISHED.value}:
            filters = replace(filters, statuses=(Status.PUBLISHED.value,))
        if parsed.empty:
            rows, total = cases_repo.browse(session, filters, limit, offset)
            ranked = [(row, 0) for row in rows]
        else:
            ranked, total = cases_repo.search(session, parsed.terms, filters, limit, offset)
        hits = []
        for row, score in ranked:
            excerpt = snippet(stored_content(row).searchable_parts()[1] or row.title, parsed.terms)
            hits.append(
                SearchHit(
                    id=row.id,
                    title=row.title,
                    stage=row.stage,
                    category=row.category,
                    department=row.department,
                    source_project=row.source_project,
                    occurred_on=row.occurred_on,
                    status=row.status,
                    score=score,
                    snippet=excerpt.marked(),
                    snippet_spans=excerpt.spans,
                )
            )
    return SearchResult(query=query, terms=parsed.terms, total=total, hits=tuple(hits))
