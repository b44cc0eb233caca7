"""What the hand-over report templates receive: frozen dataclasses, every field documented.

Owns: the shape of `templates/handover/unit_report.html.j2` (`UnitReport`) and
`templates/handover/project_report.html.j2` (`ProjectReport`). A template reads only these
fields (rendering uses StrictUndefined, so a misspelt field is an error, not a blank). Personal
data arrives here already masked. Imports nothing from Anju but `anju.reports.charts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, ClassVar

from anju.reports.charts import BarChart


def doc(text: str) -> dict[str, Any]:
    """The metadata of a documented field: `field(metadata=doc("…"))`, read by `help_of`."""
    return {"help": text}


@dataclass(frozen=True)
class ProjectHeader:
    code: str = field(metadata=doc("项目编码, e.g. NJ-QXYY"))
    name: str = field(metadata=doc("项目名称, e.g. 栖霞雅苑"))
    city: str = field(metadata=doc("城市"))


@dataclass(frozen=True)
class RoomLocation:
    phase: str = field(metadata=doc("分期 ('' when the project has none)"))
    building: str = field(metadata=doc("楼栋, e.g. 1栋"))
    unit: str = field(metadata=doc("单元, e.g. 1单元"))
    floor: int | None = field(metadata=doc("楼层 (None when unknown)"))
    number: str = field(metadata=doc("房号, e.g. 101"))
    label: str = field(metadata=doc("the whole location as one text, e.g. 一期1栋1单元101"))


@dataclass(frozen=True)
class OwnerLine:
    name: str = field(metadata=doc("业主姓名, masked: the surname and * for the rest (王**)"))
    phones: tuple[str, ...] = field(metadata=doc("电话, each masked (138****5678)"))
    notes: str = field(metadata=doc("备注 as imported from sales (text, escaped by the template)"))


@dataclass(frozen=True)
class AppointmentLine:
    day: date = field(metadata=doc("预约日期"))
    slot: str = field(metadata=doc("预约时段, e.g. 09:00-10:00"))
    booked_by: str = field(metadata=doc("username of who booked it"))


@dataclass(frozen=True)
class OutcomeLine:
    status: str = field(metadata=doc("handed_over | refused | pending (no outcome recorded yet)"))
    keys_handed: bool = field(metadata=doc("whether the keys were handed over"))
    reason: str = field(metadata=doc("the owner's reason for refusing ('' otherwise)"))
    at: datetime | None = field(metadata=doc("when it was recorded (UTC; shown in Asia/Shanghai)"))
    by: str = field(metadata=doc("username of who recorded it"))


@dataclass(frozen=True)
class EventLine:
    at: datetime = field(metadata=doc("when (UTC; shown in Asia/Shanghai)"))
    username: str = field(metadata=doc("who"))
    action: str = field(metadata=doc("assigned | ready | accepted | not_accepted"))
    reason: str = field(metadata=doc("the note of engineering or the reason of a rejection"))


@dataclass(frozen=True)
class DefectLine:
    defect_id: int = field(metadata=doc("缺陷编号"))
    category: str = field(metadata=doc("类别, e.g. 渗漏"))
    description: str = field(
        metadata=doc("描述 (phones and ID numbers in it masked; escaped by the template)")
    )
    severity: str = field(metadata=doc("minor | major | critical"))
    found_at: datetime = field(metadata=doc("查验发现时间 (UTC)"))
    found_by: str = field(metadata=doc("username of who recorded it"))
    due_date: date = field(metadata=doc("整改期限"))
    state: str = field(metadata=doc("open | ready_for_review | closed"))
    overdue: bool = field(metadata=doc("not closed and the due date has passed (Asia/Shanghai)"))
    history: tuple[EventLine, ...] = field(
        metadata=doc("every transition of its rectification, oldest first")
    )
    photos: tuple[str, ...] = field(
        default=(),
        metadata=doc("its first photos as `data:image/jpeg;base64,…` thumbnails (≤ 320 px)"),
    )
    more_photos: int = field(default=0, metadata=doc("photos beyond those shown"))


@dataclass(frozen=True)
class DefectGroup:
    space: str = field(metadata=doc("房间, e.g. 卫生间"))
    part: str = field(metadata=doc("部位, e.g. 墙面"))
    defects: tuple[DefectLine, ...] = field(metadata=doc("the defects found there, by id"))


@dataclass(frozen=True)
class InspectionLine:
    at: datetime = field(metadata=doc("when the joint inspection was recorded (UTC)"))
    username: str = field(metadata=doc("who recorded it"))
    checklist: str = field(metadata=doc("the checklist's name, e.g. standard"))
    passed: int = field(metadata=doc("items that passed"))
    defects: int = field(metadata=doc("items with a defect"))
    not_applicable: int = field(metadata=doc("items that do not apply to this room"))


@dataclass(frozen=True)
class UnitReport:
    """单户交房报告: one room's appointment, outcome, inspection and rectification."""

    template: ClassVar[str] = "handover/unit_report.html.j2"
    project: ProjectHeader = field(metadata=doc("the project"))
    location: RoomLocation = field(metadata=doc("the room"))
    owners: tuple[OwnerLine, ...] = field(metadata=doc("the room's owners, masked"))
    appointments: tuple[AppointmentLine, ...] = field(
        metadata=doc("booked hand-over slots, by day")
    )
    outcome: OutcomeLine = field(
        metadata=doc("the room's current state: the newest outcome or pending")
    )
    earlier_outcomes: tuple[OutcomeLine, ...] = field(
        metadata=doc("older outcomes, e.g. a refusal before")
    )
    inspection: InspectionLine | None = field(
        metadata=doc("the room's newest joint inspection (联合查验), or None before it")
    )
    groups: tuple[DefectGroup, ...] = field(
        metadata=doc("inspection results grouped by space and part")
    )
    total_defects: int = field(metadata=doc("number of defects found"))
    open_defects: int = field(metadata=doc("number of defects whose rectification is not closed"))
    generated_at: datetime = field(metadata=doc("when the report was generated (UTC)"))

    @property
    def file_stem(self) -> str:
        """A file name for this report, e.g. NJ-QXYY_一期1栋1单元101."""
        return f"{self.project.code}_{self.location.label}"


@dataclass(frozen=True)
class RefusalLine:
    location: str = field(metadata=doc("the refused room, e.g. 一期1栋1单元102"))
    reason: str = field(metadata=doc("the owner's reason (text, escaped by the template)"))
    at: datetime = field(metadata=doc("when the refusal was recorded (UTC)"))


@dataclass(frozen=True)
class GridCell:
    number: str = field(metadata=doc("房号"))
    open_defects: int = field(metadata=doc("defects of the room not closed"))
    level: int = field(
        metadata=doc("colour step: 0 none, 1 one, 2 two, 3 three or more open defects")
    )


@dataclass(frozen=True)
class GridRow:
    floor: int | None = field(metadata=doc("楼层 (None for rooms without a floor)"))
    cells: tuple[GridCell | None, ...] = field(
        metadata=doc("one per column; None where no such room")
    )


@dataclass(frozen=True)
class BuildingGrid:
    name: str = field(metadata=doc("分期 + 楼栋, e.g. 一期1栋"))
    columns: tuple[str, ...] = field(metadata=doc("column heads: unit and door, e.g. 1单元-01"))
    rows: tuple[GridRow, ...] = field(metadata=doc("floors, top floor first"))


@dataclass(frozen=True)
class OverdueLine:
    defect_id: int = field(metadata=doc("缺陷编号"))
    location: str = field(metadata=doc("room"))
    space: str = field(metadata=doc("房间"))
    part: str = field(metadata=doc("部位"))
    category: str = field(metadata=doc("类别"))
    due_date: date = field(metadata=doc("整改期限"))
    days_overdue: int = field(metadata=doc("days past the due date (Asia/Shanghai)"))
    state: str = field(metadata=doc("open | ready_for_review"))


@dataclass(frozen=True)
class Concern:
    label: str = field(metadata=doc("a category or a space·part, e.g. 渗漏 or 卫生间·墙面"))
    count: int = field(metadata=doc("defects"))


@dataclass(frozen=True)
class ProjectReport:
    """项目交房报告: the state of a project's hand-over and its defects."""

    template: ClassVar[str] = "handover/project_report.html.j2"
    project: ProjectHeader = field(metadata=doc("the project"))
    rooms_total: int = field(metadata=doc("rooms of the project"))
    handed_over: int = field(metadata=doc("rooms handed over"))
    refused: int = field(metadata=doc("rooms whose newest outcome is a refusal"))
    pending: int = field(metadata=doc("rooms without an outcome yet"))
    refusals: tuple[RefusalLine, ...] = field(
        metadata=doc("the refused rooms with the owners' reasons")
    )
    total_defects: int = field(metadata=doc("defects found"))
    open_defects: int = field(metadata=doc("defects whose rectification is not closed"))
    by_category: BarChart = field(metadata=doc("defects by category (inline SVG bars)"))
    by_location: BarChart = field(metadata=doc("defects by space (inline SVG bars)"))
    grid: tuple[BuildingGrid, ...] = field(
        metadata=doc("building × floor × unit, coloured by open defects")
    )
    durations: BarChart = field(metadata=doc("closed rectifications by days from found to closed"))
    overdue: tuple[OverdueLine, ...] = field(
        metadata=doc("rectifications past their due date, earliest first")
    )
    concerns: tuple[Concern, ...] = field(
        metadata=doc("owners' main concerns: top categories and places")
    )
    generated_at: datetime = field(metadata=doc("when the report was generated (UTC)"))

    @property
    def file_stem(self) -> str:
        return f"{self.project.code}_交房报告"


Report = UnitReport | ProjectReport


def help_of(cls: type) -> dict[str, str]:
    """Field name → help text of a context dataclass."""
    return {f.name: str(f.metadata.get("help", "")) for f in fields(cls)}


# ------------------------------------------------------------------------ the case bulletin


@dataclass(frozen=True)
class BulletinCase:
    """One case of a bulletin, every text as written in the case library (escaped by the
    template)."""

    case_id: int = field(metadata=doc("案例编号, e.g. 12 (printed as #12)"))
    title: str = field(metadata=doc("标题"))
    description: str = field(metadata=doc("问题描述"))
    stage: str = field(metadata=doc("stage code: design | sales | construction | handover | …"))
    stage_label: str = field(metadata=doc("阶段, e.g. 交房"))
    category_label: str = field(metadata=doc("类别, e.g. 工程质量"))
    severity: str = field(metadata=doc("severity code: minor | general | serious | critical"))
    severity_label: str = field(metadata=doc("严重程度, e.g. 严重"))
    cause: str = field(metadata=doc("原因分析 ('' when not written yet)"))
    lesson: str = field(metadata=doc("经验教训 / 建议做法 ('' when not written yet)"))
    department_label: str = field(metadata=doc("责任部门, e.g. 项目工程部"))
    location: str = field(metadata=doc("部位, e.g. 卫生间 ('' when unknown)"))
    source_project: str = field(metadata=doc("来源项目 ('' when unknown)"))
    occurred_on: date | None = field(metadata=doc("发生日期 (None when unknown)"))
    status: str = field(metadata=doc("status code: draft | published | retired"))
    status_label: str = field(metadata=doc("状态, e.g. 已发布"))


@dataclass(frozen=True)
class CaseBulletin:
    """案例通报: chosen cases, circulated by customer service to design and engineering."""

    template: ClassVar[str] = "cases/bulletin.html.j2"
    title: str = field(metadata=doc("通报标题, e.g. 案例通报"))
    issued_on: date = field(metadata=doc("通报日期 (Asia/Shanghai)"))
    issued_by: str = field(metadata=doc("签发人: the issuing user's display name"))
    cases: tuple[BulletinCase, ...] = field(
        metadata=doc("the cases in the order they were chosen, each once")
    )
    generated_at: datetime = field(metadata=doc("when the bulletin was generated (UTC)"))

    @property
    def file_stem(self) -> str:
        """A file name for this bulletin, e.g. 案例通报_2026-03-02."""
        return f"{self.title}_{self.issued_on.isoformat()}"
