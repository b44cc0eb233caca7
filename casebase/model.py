"""The case domain model: what a lessons-learned case is and how its status may change.

Owns: the catalogues (stage, category, severity, source kind, status) with their Chinese labels,
the allowed status transitions, and the validation of a case's content. Imports nothing from
`anju`, `workflows`, SQL or UI libraries.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum


class Stage(StrEnum):
    """The lifecycle stage in which the problem is prevented (SPEC §2)."""

    DESIGN = "design"
    SALES = "sales"
    CONSTRUCTION = "construction"
    HANDOVER = "handover"
    OCCUPANCY = "occupancy"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]


_STAGE_LABELS = {
    Stage.DESIGN: "设计",
    Stage.SALES: "营销",
    Stage.CONSTRUCTION: "施工交验",
    Stage.HANDOVER: "交房",
    Stage.OCCUPANCY: "入住",
}


class Category(StrEnum):
    """The four design categories of SPEC §2.1 (④ is construction quality) plus service."""

    PLANNING = "planning"
    BUILDING = "building"
    LIVING = "living"
    QUALITY = "quality"
    SERVICE = "service"

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]


_CATEGORY_LABELS = {
    Category.PLANNING: "总体规划、公共设施和景观绿化",
    Category.BUILDING: "建筑主体及户内",
    Category.LIVING: "居住性能、影响居住的设备布点",
    Category.QUALITY: "工程质量",
    Category.SERVICE: "服务",
}


class Severity(StrEnum):
    MINOR = "minor"
    GENERAL = "general"
    SERIOUS = "serious"
    CRITICAL = "critical"

    @property
    def label(self) -> str:
        return {"minor": "轻微", "general": "一般", "serious": "严重", "critical": "重大"}[self]


class SourceKind(StrEnum):
    """Where the case came from."""

    COMPLAINT = "complaint"
    CALLBACK = "callback"
    HANDOVER_DEFECT = "handover_defect"
    INSPECTION = "inspection"
    FORUM = "forum"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        return _SOURCE_LABELS[self]


_SOURCE_LABELS = {
    SourceKind.COMPLAINT: "客户投诉",
    SourceKind.CALLBACK: "回访",
    SourceKind.HANDOVER_DEFECT: "交房缺陷",
    SourceKind.INSPECTION: "检查",
    SourceKind.FORUM: "客户恳谈会",
    SourceKind.MANUAL: "手工录入",
}


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "published": "已发布", "retired": "已停用"}[self]


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.PUBLISHED}),
    Status.PUBLISHED: frozenset({Status.RETIRED}),
    Status.RETIRED: frozenset(),
}
"""draft → published → retired; nothing else."""

EDITABLE = frozenset({Status.DRAFT, Status.PUBLISHED})


class CaseError(ValueError):
    """A case's content or status change is not allowed; the message says why."""


class IllegalTransitionError(CaseError):
    def __init__(self, current: Status, target: Status) -> None:
        self.current = current
        self.target = target
        allowed = "、".join(s.label for s in sorted(TRANSITIONS[current])) or "无"
        super().__init__(
            f"案例状态不能从「{current.label}」改为「{target.label}」"
            f"(可改为:{allowed};流程为 草稿 → 已发布 → 已停用)"
        )


def check_transition(current: Status | str, target: Status | str) -> Status:
    """The target status, or IllegalTransitionError when `current → target` is not allowed."""
    now, then = Status(current), Status(target)
    if then not in TRANSITIONS[now]:
        raise IllegalTransitionError(now, then)
    return then


def check_editable(current: Status | str) -> None:
    if Status(current) not in EDITABLE:
        raise CaseError(f"「{Status(current).label}」的案例不能修改")


LIMITS = {"title": 200, "source_project": 128, "location": 128, "department": 32}
MAX_TAGS = 20
MAX_TEXT = 10_000


@dataclass(frozen=True)
class CaseContent:
    """Everything a person writes about a case (status, author and dates are kept apart)."""

    title: str
    description: str
    stage: Stage
    category: Category
    department: str
    severity: Severity = Severity.GENERAL
    source_kind: SourceKind = SourceKind.MANUAL
    cause: str = ""
    lesson: str = ""
    source_project: str = ""
    location: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    occurred_on: date | None = None

    @classmethod
    def build(cls, **values: object) -> CaseContent:
        """Parse plain values (strings for enums, a list for tags), stripped and validated."""
        problems: list[str] = []
        parsed: dict[str, object] = {}
        for name, enum in (
            ("stage", Stage),
            ("category", Category),
            ("severity", Severity),
            ("source_kind", SourceKind),
        ):
            if name not in values:
                continue
            try:
                parsed[name] = enum(str(values[name]))
            except ValueError:
                choices = ", ".join(f"{m.value}({m.label})" for m in enum)
                problems.append(f"{name} '{values[name]}' 无效,可选:{choices}")
        for name, value in values.items():
            if name in parsed or name in {"stage", "category", "severity", "source_kind"}:
                continue
            if name == "tags":
                raw = value if isinstance(value, list | tuple) else str(value or "").split(",")
                parsed[name] = tuple(dict.fromkeys(str(t).strip() for t in raw if str(t).strip()))
            elif name == "occurred_on":
                parsed[name] = value
            else:
                parsed[name] = str(value or "").strip()
        if problems:
            raise CaseError(";".join(problems))
        unknown = set(parsed) - {f.name for f in fields(cls)}
        if unknown:
            raise CaseError(f"未知字段:{', '.join(sorted(unknown))}")
        missing = [n for n in ("title", "description", "stage", "category") if n not in parsed]
        missing += ["department"] if "department" not in parsed else []
        if missing:
            raise CaseError(f"缺少字段:{', '.join(missing)}")
        content = cls(**parsed)  # type: ignore[arg-type]
        content.validate()
        return content

    def validate(self) -> None:
        problems: list[str] = []
        if not self.title.strip():
            problems.append("标题不能为空")
        if not self.description.strip():
            problems.append("问题描述不能为空")
        if not self.department.strip():
            problems.append("必须指定责任部门")
        for name, limit in LIMITS.items():
            if len(str(getattr(self, name))) > limit:
                problems.append(f"{name} 超过 {limit} 个字符")
        for name in ("description", "cause", "lesson"):
            if len(str(getattr(self, name))) > MAX_TEXT:
                problems.append(f"{name} 超过 {MAX_TEXT} 个字符")
        if len(self.tags) > MAX_TAGS or any(len(t) > 32 for t in self.tags):
            problems.append(f"标签最多 {MAX_TAGS} 个,每个不超过 32 个字符")
        if problems:
            raise CaseError(";".join(problems))

    def searchable_parts(self) -> tuple[str, str]:
        """(title, body) as the search index sees them, before normalisation."""
        body = "\n".join(
            part
            for part in (
                self.description,
                self.cause,
                self.lesson,
                self.location,
                self.source_project,
                " ".join(self.tags),
            )
            if part
        )
        return self.title, body

    def changes_from(self, other: CaseContent) -> dict[str, tuple[object, object]]:
        """{field: (old, new)} for every field that differs from `other` (the old content)."""
        changed: dict[str, tuple[object, object]] = {}
        for item in fields(self):
            old, new = getattr(other, item.name), getattr(self, item.name)
            if old != new:
                changed[item.name] = (old, new)
        return changed
