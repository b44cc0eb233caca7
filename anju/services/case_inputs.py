"""Case inputs: recommend cases for a project stage, hand them over as a package, verify each.

Owns: the case-input loop of SPEC §3 — recommendation (ranked by `casebase.matching`), packages
(customer service picks cases for a department; only that department acknowledges), the
verification of each case (customer service only) and the stage-gate rule: a stage gate of a
project stage whose packages still hold unverified cases cannot be approved (`check_gate`,
called by `anju.services.approvals` while the approval holds the instance's lock).
Package changes take the same instance lock, so a gate and a package never pass each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from anju.db import case_package_repository as packages_repo
from anju.db import case_vector_repository as vectors_repo
from anju.db import repositories as repo
from anju.db.case_tables import CasePackage, CasePackageItem
from anju.db.tables import Project, TaskIndex
from anju.db.unit_of_work import Session
from anju.roles import LANE_ROLES
from anju.services import case_match
from anju.services.context import AppContext
from anju.services.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from anju.services.users import require_user
from casebase import meaning
from casebase.matching import (
    MEANING_POOL,
    RECEIVING_DEPARTMENT,
    Profile,
    rank,
    rerank_by_meaning,
)
from casebase.model import CaseError, Stage
from casebase.verification import Result, check_verification

__all__ = [
    "STAGE_OF_LIFECYCLE",
    "PackageItemView",
    "PackageView",
    "Recommendation",
    "SuggestionView",
    "acknowledge_package",
    "check_gate",
    "create_package",
    "open_items",
    "project_packages",
    "recommend",
    "verify_item",
]

STAGE_OF_LIFECYCLE: dict[str, Stage] = {
    "design_stage": Stage.DESIGN,
    "sales_stage": Stage.SALES,
    "construction_stage": Stage.CONSTRUCTION,
    "handover_stage": Stage.HANDOVER,
    "occupancy_stage": Stage.OCCUPANCY,
}
"""The lifecycle's stage keys (BPMN) and the case stage whose cases they receive."""
VERIFIER_ROLE = "customer_service"
MAX_SUGGESTIONS = 100


@dataclass(frozen=True)
class SuggestionView:
    case_id: int
    title: str
    stage: str
    category: str
    department: str
    score: float
    reasons: tuple[str, ...]
    """Why the case is suggested, e.g. 「阶段相符:设计」「文本相似 50%…;近义:渗水≈漏水」."""
    in_package: bool
    """Already handed over in a package of this project stage."""


@dataclass(frozen=True)
class Recommendation:
    project_code: str
    stage: str
    stage_label: str
    department: str
    suggestions: tuple[SuggestionView, ...]


@dataclass(frozen=True)
class PackageItemView:
    id: int
    package_id: int
    case_id: int
    case_title: str
    position: int
    result: str | None
    result_label: str
    reason: str
    evidence: str
    verified_by: str | None
    verified_at: datetime | None


@dataclass(frozen=True)
class PackageView:
    id: int
    project_code: str
    stage: str
    stage_label: str
    department: str
    note: str
    created_by: str
    created_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    items: tuple[PackageItemView, ...]

    @property
    def unverified(self) -> tuple[PackageItemView, ...]:
        return tuple(item for item in self.items if item.result is None)


def _stage(value: str | Stage) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        choices = ", ".join(f"{s.value}({s.label})" for s in Stage)
        raise InvalidInputError(f"stage '{value}' 无效,可选:{choices}") from None


def _project(session: Session, code: str) -> Project:
    project = repo.project_by_code(session, code)
    if project is None:
        raise NotFoundError(f"项目 '{code}' 不存在")
    return project


def _current_stage(session: Session, project: Project) -> Stage | None:
    instance = repo.instance_of_project(session, project.id)
    key = instance.stage_key if instance is not None else None
    return STAGE_OF_LIFECYCLE.get(key or "")


def _lock_project(session: Session, project: Project) -> None:
    """Serialise with approvals of this project's gates (they hold the same row lock)."""
    instance = repo.instance_of_project(session, project.id)
    if instance is not None:
        repo.lock_instance(session, instance.id)


def _item_view(item: CasePackageItem, title: str) -> PackageItemView:
    return PackageItemView(
        id=item.id,
        package_id=item.package_id,
        case_id=item.case_id,
        case_title=title,
        position=item.position,
        result=item.result,
        result_label=Result(item.result).label if item.result else "待确认",
        reason=item.reason,
        evidence=item.evidence,
        verified_by=item.verified_by,
        verified_at=item.verified_at,
    )


def _package_views(
    session: Session, project_code: str, rows: list[CasePackage] | tuple[CasePackage, ...]
) -> list[PackageView]:
    items = packages_repo.items_of(session, [p.id for p in rows])
    views = []
    for package in rows:
        mine = tuple(_item_view(i, title) for i, title, _ in items if i.package_id == package.id)
        views.append(
            PackageView(
                id=package.id,
                project_code=project_code,
                stage=package.stage,
                stage_label=Stage(package.stage).label,
                department=package.department,
                note=package.note,
                created_by=package.created_by,
                created_at=package.created_at,
                acknowledged_by=package.acknowledged_by,
                acknowledged_at=package.acknowledged_at,
                items=mine,
            )
        )
    return views


def recommend(
    ctx: AppContext,
    project_code: str,
    stage: str | None = None,
    text: str = "",
    limit: int = 20,
) -> Recommendation:
    """Published cases ranked for the project's stage (its current one by default), with reasons.

    `text` (optional) describes what to look for, e.g. 「外墙渗水 电梯」; synonyms count, and
    so does meaning: the best candidates are ranked again by the cosine of the text's and each
    case's meaning vector (`casebase.matching.rerank_by_meaning`).
    """
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise InvalidInputError(f"limit 应在 1–{MAX_SUGGESTIONS} 之间")
    asked = meaning.embed_one(text) if text.strip() else None
    with ctx.db.unit_of_work(write=False) as session:
        project = _project(session, project_code)
        target = _stage(stage) if stage else _current_stage(session, project)
        if target is None:
            raise InvalidInputError(
                f"项目 {project_code} 当前不在可接收案例的阶段,请用 --stage 指定阶段"
            )
        profile = Profile(target, project.city, project.product_type, text)
        pool = MEANING_POOL if asked is not None else limit
        candidates = case_match.best(ctx, session, profile, pool)
        ranked = rank(profile, candidates, pool)
        if asked is not None:
            stored = vectors_repo.vectors_of(session, [s.case_id for s in ranked], meaning.MODEL)
            similarity = {
                i: meaning.cosine(asked, meaning.from_bytes(v)) for i, v in stored.items()
            }
            ranked = rerank_by_meaning(ranked, similarity, limit)
        packaged = {
            item.case_id
            for item, _, _ in packages_repo.items_of(
                session, [p.id for p in packages_repo.packages_of(session, project.id, target)]
            )
        }
        by_id = {c.id: c for c in candidates}
        suggestions = tuple(
            SuggestionView(
                case_id=s.case_id,
                title=s.title,
                stage=by_id[s.case_id].stage.value,
                category=by_id[s.case_id].category.value,
                department=by_id[s.case_id].department,
                score=s.score,
                reasons=s.reasons,
                in_package=s.case_id in packaged,
            )
            for s in ranked
        )
        return Recommendation(
            project_code=project.code,
            stage=target.value,
            stage_label=target.label,
            department=profile.department,
            suggestions=suggestions,
        )


def create_package(
    ctx: AppContext,
    project_code: str,
    stage: str,
    username: str,
    case_ids: list[int],
    department: str | None = None,
    note: str = "",
) -> PackageView:
    """Customer service hands published cases to the stage's department as a package."""
    target = _stage(stage)
    receiver = department or RECEIVING_DEPARTMENT[target]
    if receiver not in LANE_ROLES:
        raise InvalidInputError(f"接收部门 '{receiver}' 无效,可选:{', '.join(sorted(LANE_ROLES))}")
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise InvalidInputError("案例包至少要有一个案例")
    now = ctx.now()
    with ctx.db.unit_of_work() as session:
        _, roles = require_user(session, username)
        if VERIFIER_ROLE not in roles:
            raise PermissionDeniedError(f"{username} 无权移交案例包(仅客户服务部)")
        project = _project(session, project_code)
        _lock_project(session, project)
        current = _current_stage(session, project)
        if current is not target:
            now_label = current.label if current else "无"
            raise ConflictError(
                f"项目 {project_code} 当前处于「{now_label}」阶段,不能再为「{target.label}」"
                "阶段移交案例包"
            )
        found = packages_repo.cases_by_id(session, ids)
        missing = [str(i) for i in ids if i not in found or found[i].status != "published"]
        if missing:
            raise InvalidInputError(f"案例不存在或未发布:#{', #'.join(missing)}")
        earlier = packages_repo.packages_of(session, project.id, target.value)
        already = {
            item.case_id for item, _, _ in packages_repo.items_of(session, [p.id for p in earlier])
        }
        repeated = [f"#{i} {found[i].title}" for i in ids if i in already]
        if repeated:
            raise ConflictError(f"以下案例已在本阶段的案例包中:{'、'.join(repeated)}")
        package = CasePackage(
            project_id=project.id,
            stage=target.value,
            department=receiver,
            note=note.strip(),
            created_by=username,
            created_at=now,
        )
        packages_repo.add_package(session, package, ids)
        return _package_views(session, project.code, [package])[0]


def acknowledge_package(ctx: AppContext, package_id: int, username: str) -> PackageView:
    """The receiving department signs for the package (only a member of that department)."""
    now = ctx.now()
    with ctx.db.unit_of_work() as session:
        _, roles = require_user(session, username)
        package = packages_repo.get_package(session, package_id)
        if package is None:
            raise NotFoundError(f"案例包 #{package_id} 不存在")
        if package.department not in roles:
            raise PermissionDeniedError(
                f"案例包 #{package_id} 移交给 {package.department},{username} 不属于该部门"
            )
        if package.acknowledged_by is not None:
            raise ConflictError(
                f"案例包 #{package_id} 已由 {package.acknowledged_by} 于 "
                f"{package.acknowledged_at:%Y-%m-%d %H:%M} 签收"
            )
        package.acknowledged_by = username
        package.acknowledged_at = now
        session.flush()
        code = repo.project_code(session, package.project_id)
        return _package_views(session, code, [package])[0]


def verify_item(
    ctx: AppContext,
    item_id: int,
    username: str,
    result: str,
    reason: str = "",
    evidence: str = "",
) -> PackageItemView:
    """Customer service records whether one case of a package was avoided (规避确认)."""
    try:
        parsed = check_verification(result, reason, evidence)
    except CaseError as exc:
        raise InvalidInputError(str(exc)) from exc
    now = ctx.now()
    with ctx.db.unit_of_work() as session:
        _, roles = require_user(session, username)
        if VERIFIER_ROLE not in roles:
            raise PermissionDeniedError(f"{username} 无权做规避确认(仅客户服务部)")
        item = packages_repo.get_item(session, item_id)
        if item is None:
            raise NotFoundError(f"案例包条目 #{item_id} 不存在")
        package = packages_repo.get_package(session, item.package_id)
        assert package is not None
        project = session.get(Project, package.project_id)
        assert project is not None
        _lock_project(session, project)
        if package.acknowledged_by is None:
            raise ConflictError(
                f"案例包 #{package.id} 尚未由 {package.department} 签收,签收后才能做规避确认"
            )
        item.result = parsed.value
        item.reason = reason.strip()
        item.evidence = evidence.strip()
        item.verified_by = username
        item.verified_at = now
        session.flush()
        title = packages_repo.cases_by_id(session, [item.case_id])[item.case_id].title
        return _item_view(item, title)


def project_packages(
    ctx: AppContext, project_code: str, stage: str | None = None
) -> list[PackageView]:
    """The project's packages (of one stage, or all), oldest first, with their items."""
    with ctx.db.unit_of_work(write=False) as session:
        project = _project(session, project_code)
        target = _stage(stage).value if stage else None
        rows = list(packages_repo.packages_of(session, project.id, target))
        return _package_views(session, project.code, rows)


def open_items(ctx: AppContext, project_code: str, stage: str) -> list[PackageItemView]:
    """The cases of the project stage's packages that are not verified yet."""
    return [
        item
        for package in project_packages(ctx, project_code, stage)
        for item in package.unverified
    ]


def check_gate(session: Session, task: TaskIndex) -> None:
    """Refuse approving a stage gate while its stage's packages hold an unverified case.

    Runs inside the approval's own transaction, with the instance locked (see
    `anju.services.approvals`), so no verification or package can change underneath it.
    Raises InvalidInputError naming every unverified case; other tasks pass.
    """
    if task.approval != "stage_gate":
        return
    stage = STAGE_OF_LIFECYCLE.get(task.stage_key or "")
    if stage is None:
        return
    packages = packages_repo.packages_of(session, task.project_id, stage.value)
    pending = [
        f"#{item.case_id} {title}(案例包 #{item.package_id} 条目 {item.id})"
        for item, title, _ in packages_repo.items_of(session, [p.id for p in packages])
        if item.result is None
    ]
    if pending:
        raise InvalidInputError(
            f"「{stage.label}」阶段的案例包还有 {len(pending)} 个案例未做规避确认,"
            f"不能通过阶段审批:{'、'.join(pending)}。请客户服务部先逐条确认。"
        )
