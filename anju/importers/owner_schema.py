"""The owners sheet sales send CS: which headers mean which field, and row validation.

Owns: the column catalogue (Chinese headers and the variants people type), finding the header
row, turning each data row into an `OwnerRecord` or a `RowError` with the Excel row number,
and duplicate detection inside one file. Pure: imports no database, service or Excel reader.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from anju.importers import cells
from anju.importers.identity import id_number_problem, phone_problem

# field → (template header, accepted variants)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "phase": ("分期", ("期数", "项目分期")),
    "building": ("楼栋", ("栋", "栋号", "楼号", "楼栋号", "幢", "幢号", "楼座")),
    "unit": ("单元", ("单元号",)),
    "floor": ("楼层", ("层", "所在楼层")),
    "room": ("房号", ("房间号", "户号", "室号", "房屋号", "门牌号")),
    "name": ("业主姓名", ("姓名", "客户姓名", "业主", "客户名称", "购房人")),
    "phone": (
        "联系电话",
        ("手机", "手机号", "手机号码", "电话", "联系方式", "备用电话", "固定电话"),
    ),
    "id_number": ("身份证号", ("身份证", "身份证号码", "证件号码", "证件号", "身份证件号码")),
    "mailing_address": ("通讯地址", ("联系地址", "邮寄地址", "地址", "通信地址")),
    "contract_date": ("签约日期", ("合同日期", "签约时间", "合同签订日期", "签订日期")),
    "planned_delivery_date": ("计划交付日期", ("交付日期", "交房日期", "约定交付日期")),
    "certificate_number": ("产权证号", ("不动产权证号", "房产证号", "产权证编号")),
    "tier": ("客户等级", ("等级", "客户类型", "客户级别")),
    "notes": ("备注", ("说明",)),
}
REQUIRED = ("building", "room", "name", "id_number", "phone")
TIERS = ("普通", "VIP", "员工", "老业主")
HEADER_SEARCH_ROWS = 10

_ALIASES = {
    alias: name for name, (header, variants) in COLUMNS.items() for alias in (header, *variants)
}
_BRACKETS = re.compile(r"[(\[（【].*?[)\]）】]")
_BUILDING = re.compile(r"^0*(\d+)(栋|幢|号楼|#|号|座)?$")
_UNIT = re.compile(r"^0*(\d+)(单元)?$")
_PHONE_SPLIT = re.compile(r"[/,;、|]+")


class SheetError(ValueError):
    """The sheet as a whole cannot be imported (no header, required columns missing)."""


@dataclass(frozen=True)
class OwnerRecord:
    row_number: int
    phase: str
    building: str
    unit: str
    floor: int | None
    room: str
    name: str
    phones: tuple[str, ...]
    id_number: str
    mailing_address: str
    contract_date: date | None
    planned_delivery_date: date | None
    certificate_number: str
    tier: str
    notes: str

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What identifies this owner: (phase, building, unit, room, ID number)."""
        return (self.phase, self.building, self.unit, self.room, self.id_number)


@dataclass(frozen=True)
class RowError:
    row_number: int
    reason: str


@dataclass
class ParsedSheet:
    header_row: int
    columns: dict[str, str]  # field → header as written in the file
    extra_columns: list[str]
    records: list[OwnerRecord] = field(default_factory=list)
    rejected: list[RowError] = field(default_factory=list)


def header_field(header: object) -> str | None:
    """The field a header cell means, tolerant to spaces, full-width forms, `*` and (notes)."""
    raw = unicodedata.normalize("NFKC", str(header or ""))
    raw = _BRACKETS.sub("", raw).replace("*", "").replace(" ", "").strip()
    return _ALIASES.get(raw)


def find_header(rows: Sequence[Sequence[object]]) -> int:
    """Index of the header row: the first of the top rows naming at least three known fields."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {header_field(cell) for cell in row} - {None}
        if len(found) >= 3:
            return index
    raise SheetError(
        "没有找到表头：前 10 行中没有可识别的列名（楼栋、房号、业主姓名、身份证号…） "
        "(no recognised header row in the first 10 rows)"
    )


def parse_sheet(rows: Sequence[Sequence[object]], first_row_number: int = 1) -> ParsedSheet:
    """Map the header, then validate every data row; rows numbered as Excel shows them."""
    header_index = find_header(rows)
    header = rows[header_index]
    positions: dict[str, list[int]] = {}
    columns: dict[str, str] = {}
    extra: list[str] = []
    for position, cell in enumerate(header):
        name = header_field(cell)
        label = cells.text(cell)
        if name is None:
            if label:
                extra.append(label)
            continue
        if name in positions and name != "phone":
            extra.append(f"{label} (重复列 duplicate column)")
            continue
        positions.setdefault(name, []).append(position)
        columns.setdefault(name, label)
    missing = [COLUMNS[name][0] for name in REQUIRED if name not in positions]
    if missing:
        raise SheetError(f"缺少必需列 (required columns missing): {', '.join(missing)}")
    sheet = ParsedSheet(header_index + first_row_number, columns, extra)
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 1):
        if all(cell in (None, "") for cell in row):
            continue
        number = offset + first_row_number
        try:
            sheet.records.append(_record(number, row, positions))
        except RowProblems as problems:
            sheet.rejected.append(RowError(number, "; ".join(problems.reasons)))
    _reject_duplicates(sheet)
    return sheet


class RowProblems(Exception):
    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


def _record(number: int, row: Sequence[object], positions: dict[str, list[int]]) -> OwnerRecord:
    reasons: list[str] = []

    def cell(name: str) -> object:
        where = positions.get(name)
        if not where or where[0] >= len(row):
            return ""
        return row[where[0]]

    def checked(func: object, *args: object) -> object:
        try:
            return func(*args)  # type: ignore[operator]
        except cells.CellError as exc:
            reasons.append(str(exc))
            return None

    building = _canonical(cells.text(cell("building")), _BUILDING, "栋")
    unit = _canonical(cells.text(cell("unit")), _UNIT, "单元")
    room = cells.text(cell("room")).removesuffix("室")
    name = cells.text(cell("name"))
    for value, label in ((building, "楼栋"), (room, "房号"), (name, "业主姓名")):
        if not value:
            reasons.append(f"{label}为空 ({label} is empty)")
    id_number = checked(cells.identifier, cell("id_number"), "身份证号")
    if id_number == "":
        reasons.append("身份证号为空 (ID number is empty)")
    elif isinstance(id_number, str):
        problem = id_number_problem(id_number)
        if problem:
            reasons.append(problem)
    phones = _phones(row, positions.get("phone", []), reasons)
    floor = _floor(cells.text(cell("floor")), room, reasons)
    contract = checked(cells.excel_date, cell("contract_date"), "签约日期")
    delivery = checked(cells.excel_date, cell("planned_delivery_date"), "计划交付日期")
    if reasons:
        raise RowProblems(reasons)
    return OwnerRecord(
        row_number=number,
        phase=cells.text(cell("phase")),
        building=building,
        unit=unit,
        floor=floor,
        room=room,
        name=name,
        phones=phones,
        id_number=str(id_number),
        mailing_address=cells.text(cell("mailing_address")),
        contract_date=contract if isinstance(contract, date) else None,
        planned_delivery_date=delivery if isinstance(delivery, date) else None,
        certificate_number=cells.text(cell("certificate_number")),
        tier=cells.text(cell("tier")),
        notes=cells.text(cell("notes")),
    )


def _canonical(value: str, pattern: re.Pattern[str], suffix: str) -> str:
    """`1`, `01`, `1#`, `1号楼` → `1栋`; anything else stays as written."""
    match = pattern.match(value.replace(" ", ""))
    return f"{match[1]}{suffix}" if match else value


def _phones(row: Sequence[object], where: list[int], reasons: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    for position in where:
        raw = row[position] if position < len(row) else ""
        try:
            value = cells.identifier(raw, "联系电话")
        except cells.CellError as exc:
            reasons.append(str(exc))
            continue
        for part in _PHONE_SPLIT.split(value):
            phone = part.replace(" ", "")
            if phone.startswith("+86"):
                phone = phone[3:]
            elif phone.startswith("86") and len(phone) == 13:
                phone = phone[2:]
            if phone.replace("-", "").isdigit() and phone.startswith("1"):
                phone = phone.replace("-", "")
            if not phone:
                continue
            problem = phone_problem(phone)
            if problem:
                reasons.append(problem)
            elif phone not in found:
                found.append(phone)
    return tuple(found)


def _floor(value: str, room: str, reasons: list[str]) -> int | None:
    digits = value.removesuffix("层").removesuffix("F").removesuffix("f")
    if digits:
        if digits.lstrip("-").isdigit():
            return int(digits)
        reasons.append(f"楼层不是数字 (floor is not a number): {value}")
        return None
    if room.isdigit() and len(room) >= 3:  # 1802 → 18th floor
        return int(room[:-2])
    return None


def _reject_duplicates(sheet: ParsedSheet) -> None:
    """Identical repeats are rejected after the first; conflicting repeats are all rejected."""
    first: dict[tuple[str, ...], OwnerRecord] = {}
    conflicting: set[tuple[str, ...]] = set()
    for record in sheet.records:
        seen = first.setdefault(record.key, record)
        if seen is not record and _content(seen) != _content(record):
            conflicting.add(record.key)
    kept: list[OwnerRecord] = []
    for record in sheet.records:
        seen = first[record.key]
        if record.key in conflicting:
            rows = [r.row_number for r in sheet.records if r.key == record.key]
            others = ", ".join(str(n) for n in rows if n != record.row_number)
            reason = f"与第 {others} 行是同一业主同一房号但内容不同 (conflicts with row {others})"
            sheet.rejected.append(RowError(record.row_number, reason))
        elif seen is not record:
            reason = f"与第 {seen.row_number} 行重复 (duplicate of row {seen.row_number})"
            sheet.rejected.append(RowError(record.row_number, reason))
        else:
            kept.append(record)
    sheet.records = kept
    sheet.rejected.sort(key=lambda error: error.row_number)


def _content(record: OwnerRecord) -> tuple[object, ...]:
    values = list(record.__dict__.values())
    return tuple(values[1:])  # everything but the row number
