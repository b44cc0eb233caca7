"""The case-library sheet: which headers mean which field, the values people type, row parsing.

Owns: the column catalogue of the case import/export (Chinese headers and tolerated variants),
the accepted spellings of stage, category, department, severity, source and status (the
Chinese label, the English value or a common variant), and turning each data row into a
`CaseRow` (plain values of the columns the file has) or a `RowError` with the Excel row number.
Identity of a row: its 案例编号 when filled, else (来源项目, 案例标题); two rows of one file
with the same identity are refused. Pure: imports no database, service or Excel reader.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from anju.importers import cells
from anju.roles import ROLES
from casebase.model import Category, Severity, SourceKind, Stage, Status

# field → (template header, accepted variants)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ref": ("案例编号", ("编号", "案例号", "外部编号", "案例编码")),
    "title": ("案例标题", ("标题", "问题标题", "案例名称", "问题名称")),
    "stage": ("阶段", ("所属阶段", "规避阶段", "适用阶段")),
    "category": ("类别", ("问题类别", "分类", "问题分类", "案例类别")),
    "department": ("责任部门", ("部门", "责任单位", "责任部门/岗位")),
    "severity": ("严重程度", ("严重性", "严重等级", "等级")),
    "source_kind": ("来源", ("来源类型", "案例来源", "信息来源")),
    "source_project": ("来源项目", ("项目", "项目名称", "发生项目")),
    "location": ("位置", ("部位", "发生位置", "发生部位")),
    "description": ("问题描述", ("描述", "问题现象", "现象")),
    "cause": ("原因分析", ("原因", "问题原因")),
    "lesson": ("经验教训", ("建议做法", "规避措施", "改进措施", "经验")),
    "tags": ("标签", ("关键词", "关键字")),
    "occurred_on": ("发生日期", ("日期", "发生时间")),
    "status": ("状态", ("案例状态", "发布状态")),
}
REQUIRED = ("title", "stage", "category", "department", "description")
TEXT_FIELDS = ("title", "source_project", "location", "description", "cause", "lesson")
ANJU_REF = re.compile(r"^AJ-(\d+)$", re.IGNORECASE)
"""An exported case's own number: `AJ-<id>` (other numbers are external references)."""
MAX_REF = 64

_ALIASES = {
    cells.header_key(alias): name
    for name, (header, variants) in COLUMNS.items()
    for alias in (header, *variants)
}
_TAG_SPLIT = re.compile(r"[,，、;；\n]+")


def _choices(
    members: Sequence[tuple[str, str]], extra: dict[str, str]
) -> dict[str, tuple[str, str]]:
    """{spelling (lower case): (value, label)} from (value, label) pairs and extra spellings."""
    found = {
        spelling.lower(): (value, label) for value, label in members for spelling in (value, label)
    }
    labels = dict(members)
    found.update({word.lower(): (value, labels[value]) for word, value in extra.items()})
    return found


VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "stage": _choices(
        [(s.value, s.label) for s in Stage],
        {"销售": "sales", "施工": "construction", "施工及交验": "construction",
         "工程": "construction", "交付": "handover", "居住": "occupancy"},
    ),
    "category": _choices(
        [(c.value, c.label) for c in Category],
        {"规划": "planning", "总体规划": "planning", "景观": "planning", "建筑": "building",
         "户内": "building", "居住性能": "living", "设备布点": "living", "质量": "quality"},
    ),
    "department": _choices(
        [(r.id, r.name_zh) for r in ROLES if r.id != "admin"],
        {"客服": "customer_service", "客服部": "customer_service", "设计部": "design",
         "工程部": "engineering", "销售部": "sales", "营销部": "sales", "物业": "property"},
    ),
    "severity": _choices([(s.value, s.label) for s in Severity], {"重要": "serious"}),
    "source_kind": _choices(
        [(s.value, s.label) for s in SourceKind],
        {"投诉": "complaint", "交房问题": "handover_defect", "恳谈会": "forum",
         "手工": "manual"},
    ),
    "status": _choices(
        [(s.value, s.label) for s in Status], {"停用": "retired", "发布": "published"}
    ),
}  # fmt: skip
"""Every accepted spelling of the coded columns; export writes the label (the first form)."""


class SheetError(ValueError):
    """The sheet as a whole cannot be imported (no header, required columns missing)."""


@dataclass(frozen=True)
class CaseRow:
    """One readable data row: the values of the file's columns (codes, not labels)."""

    row_number: int
    ref: str
    values: dict[str, object]
    status: str | None

    @property
    def key(self) -> tuple[str, ...]:
        """What identifies the case: its number, else (source project, title)."""
        if self.ref:
            return ("ref", self.ref)
        return ("name", str(self.values.get("source_project", "")), str(self.values["title"]))

    @property
    def anju_id(self) -> int | None:
        match = ANJU_REF.match(self.ref)
        return int(match[1]) if match else None


@dataclass(frozen=True)
class RowError:
    row_number: int
    reason: str


@dataclass
class ParsedSheet:
    header_row: int
    columns: dict[str, str]  # field → header as written in the file
    extra_columns: list[str]
    rows: list[CaseRow] = field(default_factory=list)
    rejected: list[RowError] = field(default_factory=list)
    source: Sequence[Sequence[object]] = ()

    def header_cells(self) -> list[str]:
        return [cells.text(cell) for cell in self.source[self.header_row - 1]]

    def original(self, row_number: int) -> Sequence[object]:
        return self.source[row_number - 1]


def header_field(header: object) -> str | None:
    return _ALIASES.get(cells.header_key(header))


def parse_sheet(rows: Sequence[Sequence[object]]) -> ParsedSheet:
    """Map the header, then read every data row; rows numbered as Excel shows them."""
    index = cells.header_row(rows, _ALIASES)
    if index is None:
        raise SheetError(
            "没有找到表头：前 10 行中没有可识别的列名（案例标题、阶段、类别、问题描述…） "
            "(no recognised header row in the first 10 rows)"
        )
    positions: dict[str, int] = {}
    columns: dict[str, str] = {}
    extra: list[str] = []
    for position, cell in enumerate(rows[index]):
        name, label = header_field(cell), cells.text(cell)
        if name is None or name in positions:
            if label:
                extra.append(label if name is None else f"{label} (重复列 duplicate column)")
            continue
        positions[name] = position
        columns[name] = label
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in positions]
    if missing:
        raise SheetError(f"缺少必需列 (required columns missing): {', '.join(missing)}")
    sheet = ParsedSheet(index + 1, columns, extra, source=rows)
    for number, row in enumerate(rows[index + 1 :], start=index + 2):
        if all(cell in (None, "") for cell in row):
            continue
        picked = {name: row[p] if p < len(row) else "" for name, p in positions.items()}
        reasons: list[str] = []
        parsed = _row(number, picked, reasons)
        if reasons or parsed is None:
            sheet.rejected.append(RowError(number, "; ".join(reasons)))
        else:
            sheet.rows.append(parsed)
    _reject_repeats(sheet)
    return sheet


def _row(number: int, picked: dict[str, object], reasons: list[str]) -> CaseRow | None:
    values: dict[str, object] = {}
    for name in TEXT_FIELDS:
        if name in picked:
            values[name] = cells.free_text(picked[name])
    for name in ("stage", "category", "department", "severity", "source_kind"):
        if name in picked:
            code = _code(name, picked[name], reasons)
            if code:
                values[name] = code
    if "tags" in picked:
        values["tags"] = [t.strip() for t in _TAG_SPLIT.split(cells.free_text(picked["tags"]))]
    if "occurred_on" in picked:
        try:
            values["occurred_on"] = cells.excel_date(picked["occurred_on"], "发生日期")
        except cells.CellError as exc:
            reasons.append(str(exc))
    status = _code("status", picked["status"], reasons) if "status" in picked else None
    ref = cells.text(picked.get("ref", ""))
    if len(ref) > MAX_REF:
        reasons.append(f"案例编号超过 {MAX_REF} 个字符 (case number too long)")
    if not values.get("title"):
        reasons.append("案例标题为空 (title is empty)")
    return None if reasons else CaseRow(number, ref, values, status or None)


def _code(name: str, raw: object, reasons: list[str]) -> str:
    """The code of a coded cell ('' when empty), or a reason listing what may be written."""
    written = cells.text(raw)
    if not written:
        if name in REQUIRED:
            reasons.append(f"{COLUMNS[name][0]}为空 ({name} is empty)")
        return ""
    found = VALUES[name].get(written.lower())
    if found is None:
        allowed = "、".join(dict.fromkeys(label for _, label in VALUES[name].values()))
        reasons.append(f"{COLUMNS[name][0]}「{written}」无效，可填：{allowed}")
        return ""
    return found[0]


def label(name: str, code: str) -> str:
    """The label export writes for a code (the code itself when unknown)."""
    found = VALUES[name].get(code.lower())
    return found[1] if found else code


def _reject_repeats(sheet: ParsedSheet) -> None:
    """A second row with the identity of an earlier one is refused (naming the first)."""
    first: dict[tuple[str, ...], int] = {}
    kept: list[CaseRow] = []
    for row in sheet.rows:
        seen = first.setdefault(row.key, row.row_number)
        if seen == row.row_number:
            kept.append(row)
        else:
            sheet.rejected.append(
                RowError(row.row_number, f"与第 {seen} 行是同一案例 (same case as row {seen})")
            )
    sheet.rows = kept
    sheet.rejected.sort(key=lambda error: error.row_number)


__all__ = [
    "COLUMNS",
    "REQUIRED",
    "VALUES",
    "CaseRow",
    "ParsedSheet",
    "RowError",
    "SheetError",
    "header_field",
    "label",
    "parse_sheet",
]
