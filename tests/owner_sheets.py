"""Real owner .xlsx files for the tests, written with openpyxl the way sales send them, and a
defect recorded in one of their rooms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from anju.services import handover
from anju.services.context import AppContext

# Checksum-valid (GB 11643) fake ID numbers; 11010519491231002X is the standard's own example.
ID_A = "370202199001017540"
ID_B = "370212198506123013"
ID_C = "320506199203084410"
ID_D = "44030519781120662X"
ID_E = "11010519491231002X"
BAD_CHECKSUM = "370202199001017541"

HEADER = ["楼栋", "单元", "房号", "业主姓名", "联系电话", "身份证号", "通讯地址", "签约日期"]


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[object]],
    title: str | None = None,
    text_columns: Sequence[int] = (),
) -> Path:
    """Write `rows` to the first sheet; an optional merged title row above them."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title is not None:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(list(row))
    for column in text_columns:
        for cells in sheet.iter_rows(min_col=column, max_col=column):
            for cell in cells:
                cell.number_format = "@"
    workbook.save(path)
    return path


def clean_rows() -> list[list[object]]:
    return [
        HEADER,
        [
            "1栋",
            "1单元",
            "101",
            "王建华",
            "13812345678",
            ID_A,
            "青岛市市南区香港中路 8 号",
            "2025-03-01",
        ],
        [
            "1栋",
            "1单元",
            "102",
            "李淑芬",
            "0532-88886666",
            ID_B,
            "青岛市崂山区海尔路 1 号",
            "2025-03-02",
        ],
        ["1栋", "2单元", "201", "陈志强", "13912345678", ID_C, "", "2025-03-03"],
        ["2栋", "1单元", "1802", "刘芳", "", ID_D, "青岛市黄岛区长江中路 9 号", "2025-03-04"],
    ]


def record_leak(
    ctx: AppContext, code: str, room: str, description: str = "淋浴区墙面返潮", **values: Any
) -> int:
    """Record a bathroom-wall leak in `room` (as customer service), due 2026-06-01; its id."""
    fields: dict[str, Any] = {
        "space": "卫生间",
        "part": "墙面",
        "category": "渗漏",
        "severity": "major",
        "due": date(2026, 6, 1),
    }
    fields.update(values)
    return handover.add_defect(ctx, code, room, "kefu", description=description, **fields).defect_id
