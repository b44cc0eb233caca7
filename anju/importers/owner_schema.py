"""The owners sheet sales send CS: which headers mean which field, and row validation.

Owns: the column catalogue (Chinese headers and the variants people type), finding the header
row, turning each data row into an `OwnerRecord` or a `RowError` with the Excel row number,
and duplicate detection inside one file. Pure: imports no database, service or Excel reader.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import NamedTuple

from anju.importers import cells
from anju.importers.identity import MOBILE as _MOBILE
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
_BUILDING = re.compile(r"^0*(\d+)(栋|幢|号楼|#|号|座)?$")
_UNIT = re.compile(r"^0*(\d+)(单元)?$")
_PHONE_SPLIT = re.compile(r"[/,;、|]+")


class SheetError(ValueError):
    """The sheet as a whole cannot be imported (no header, required columns missing)."""


class OwnerRecord(NamedTuple):
    """One valid data row. A named tuple: 100,000 of them are built per large import."""

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
    source: Sequence[Sequence[object]] = ()  # the sheet's rows as read, for the error report
    first_row_number: int = 1

    def header_cells(self) -> list[str]:
        """The header row as written in the file (text)."""
        return [cells.text(cell) for cell in self.source[self.header_row - self.first_row_number]]

    def original(self, row_number: int) -> Sequence[object]:
        """The cells of an Excel row as they were read (no normalisation)."""
        return self.source[row_number - self.first_row_number]


def header_field(header: object) -> str | None:
    """The field a header cell means, tolerant to spaces, full-width forms, `*` and (notes)."""
    return _ALIASES.get(cells.header_key(header))


def find_header(rows: Sequence[Sequence[object]]) -> int:
    """Index of the header row: the first of the top rows naming at least three known fields."""
    index = cells.header_row(rows, _ALIASES, HEADER_SEARCH_ROWS)
    if index is None:
        raise SheetError(
            "没有找到表头：前 10 行中没有可识别的列名（楼栋、房号、业主姓名、身份证号…） "
            "(no recognised header row in the first 10 rows)"
        )
    return index


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
    sheet = ParsedSheet(
        header_index + first_row_number,
        columns,
        extra,
        source=rows,
        first_row_number=first_row_number,
    )
    reader = _RowReader(positions, len(header))
    records = sheet.records
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 1):
        if not any(row) and all(cell in (None, "") for cell in row):
            continue
        number = offset + first_row_number
        try:
            records.append(reader.record(number, row))
        except RowProblems as problems:
            sheet.rejected.append(RowError(number, "; ".join(problems.reasons)))
    _reject_duplicates(sheet)
    return sheet


class RowProblems(Exception):
    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(reasons))


_SINGLE_FIELDS = tuple(name for name in COLUMNS if name != "phone")


class _RowReader:
    """Turns one data row into an `OwnerRecord`, or raises `RowProblems` with every reason.

    The hot loop of an import: the field positions are resolved once (one `itemgetter`
    picks every field's cell in a single call) and the low-variety columns (building, unit,
    dates) are normalised once per distinct value.
    """

    def __init__(self, positions: dict[str, list[int]], width: int) -> None:
        self.width = width  # absent fields read the "" appended after the last column
        where = [positions[name][0] if name in positions else width for name in _SINGLE_FIELDS]
        self.pick = itemgetter(*where)
        self.phone_positions = positions.get("phone", [])
        self.buildings: dict[str, str] = {}
        self.units: dict[str, str] = {}
        self.texts: dict[str, str] = {}  # phase, floor, tier, notes: a handful of values

    def record(self, number: int, row: Sequence[object]) -> OwnerRecord:
        width = self.width
        if len(row) == width:
            padded = [*row, ""]
        elif len(row) > width:
            padded = [*row[:width], ""]
        else:
            padded = [*row, *[""] * (width - len(row) + 1)]
        (
            raw_phase,
            raw_building,
            raw_unit,
            raw_floor,
            raw_room,
            raw_name,
            raw_id,
            raw_address,
            raw_contract,
            raw_delivery,
            raw_certificate,
            raw_tier,
            raw_notes,
        ) = self.pick(padded)
        text = cells.text
        reasons: list[str] = []
        building = self._canonical(raw_building, self.buildings, _BUILDING, "栋")
        unit = self._canonical(raw_unit, self.units, _UNIT, "单元")
        room = text(raw_room).removesuffix("室")
        name = text(raw_name)
        if not building:
            reasons.append("楼栋为空 (楼栋 is empty)")
        if not room:
            reasons.append("房号为空 (房号 is empty)")
        if not name:
            reasons.append("业主姓名为空 (业主姓名 is empty)")
        id_number = ""
        try:
            id_number = cells.identifier(raw_id, "身份证号")
        except cells.CellError as exc:
            reasons.append(str(exc))
        else:
            if id_number == "":
                reasons.append("身份证号为空 (ID number is empty)")
            else:
                problem = id_number_problem(id_number)
                if problem:
                    reasons.append(problem)
        phones = _phones(padded, self.phone_positions, reasons)
        floor = _floor(self._text(raw_floor), room, reasons)
        contract = _date(raw_contract, "签约日期", reasons)
        delivery = _date(raw_delivery, "计划交付日期", reasons)
        if reasons:
            raise RowProblems(reasons)
        return OwnerRecord(
            number,
            self._text(raw_phase),
            building,
            unit,
            floor,
            room,
            name,
            phones,
            id_number,
            text(raw_address),
            contract,
            delivery,
            "" if raw_certificate == "" else text(raw_certificate),
            self._text(raw_tier),
            self._text(raw_notes),
        )

    def _text(self, raw: object) -> str:
        if type(raw) is str:
            known = self.texts.get(raw)
            if known is None:
                known = self.texts[raw] = cells.text(raw)
            return known
        return cells.text(raw)

    @staticmethod
    def _canonical(raw: object, seen: dict[str, str], pattern: re.Pattern[str], suffix: str) -> str:
        if type(raw) is str:
            known = seen.get(raw)
            if known is None:
                known = seen[raw] = _canonical(cells.text(raw), pattern, suffix)
            return known
        return _canonical(cells.text(raw), pattern, suffix)


def _date(raw: object, what: str, reasons: list[str]) -> date | None:
    if raw == "" or raw is None:
        return None
    if type(raw) is date:
        return raw
    try:
        return cells.excel_date(raw, what)
    except cells.CellError as exc:
        reasons.append(str(exc))
        return None


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
        if len(where) == 1 and _MOBILE.match(value):  # the common case: one mobile number
            return (value,)
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
    return record[1:]  # everything but the row number
