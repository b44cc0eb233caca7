"""The downloadable owners template: Chinese headers, one sample row, data validation.

Owns: writing the template .xlsx with openpyxl. Identifier columns are formatted as text so
Excel cannot turn an ID number into a float. Must not import `anju.db` or `anju.services`.
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.comments import Comment  # type: ignore[import-untyped]
from openpyxl.styles import Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

from anju.importers.owner_schema import COLUMNS, REQUIRED, TIERS

TEXT_FIELDS = ("building", "unit", "room", "phone", "id_number", "certificate_number")
DATE_FIELDS = ("contract_date", "planned_delivery_date")
SAMPLE: dict[str, object] = {
    "phase": "一期",
    "building": "3栋",
    "unit": "2单元",
    "floor": 18,
    "room": "1802",
    "name": "张明远",
    "phone": "13812345678",
    "id_number": "110105198803152315",
    "mailing_address": "山东省青岛市市南区香港中路 76 号 1 单元 502 室",
    "contract_date": date(2025, 6, 18),
    "planned_delivery_date": date(2026, 12, 30),
    "certificate_number": "",
    "tier": "普通",
    "notes": "示例行，导入前请删除 (sample row: delete before importing)",
}
MAX_ROW = 20000


def template_bytes() -> bytes:
    """The template workbook as bytes."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "业主信息"
    fields = list(COLUMNS)
    for index, name in enumerate(fields, start=1):
        header = COLUMNS[name][0]
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True, color="C00000" if name in REQUIRED else "000000")
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        if name in REQUIRED:
            cell.comment = Comment("必填 (required)", "Anju")
        value = SAMPLE[name]
        sample = sheet.cell(row=2, column=index, value=value)
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 30 if name == "mailing_address" else 16
        if name in TEXT_FIELDS:
            sample.number_format = "@"
            for row in range(3, 500):
                sheet.cell(row=row, column=index).number_format = "@"
        if name in DATE_FIELDS:
            sample.number_format = "yyyy-mm-dd"
            _validate(
                sheet,
                letter,
                DataValidation(
                    type="date",
                    operator="greaterThan",
                    formula1="36526",
                    allow_blank=True,
                    error="请输入日期 (enter a date)",
                ),
            )
    columns = {name: sheet.cell(row=1, column=i + 1).column_letter for i, name in enumerate(fields)}
    _validate(
        sheet,
        columns["tier"],
        DataValidation(type="list", formula1='"' + ",".join(TIERS) + '"', allow_blank=True),
    )
    _validate(
        sheet,
        columns["id_number"],
        DataValidation(
            type="textLength",
            operator="equal",
            formula1="18",
            allow_blank=True,
            error="身份证号为 18 位 (the ID number has 18 characters)",
        ),
    )
    _validate(
        sheet,
        columns["floor"],
        DataValidation(
            type="whole", operator="between", formula1="-5", formula2="200", allow_blank=True
        ),
    )
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _validate(sheet: object, letter: str, rule: DataValidation) -> None:
    rule.showErrorMessage = True
    rule.add(f"{letter}2:{letter}{MAX_ROW}")
    sheet.add_data_validation(rule)  # type: ignore[attr-defined]
