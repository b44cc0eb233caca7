"""The downloadable case-library template: Chinese headers, one sample row, drop-down lists.

Owns: writing the template .xlsx with openpyxl (required headers in red with a note, lists of
the accepted labels for the coded columns, a date column). Must not import `anju.db` or
`anju.services`.
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.comments import Comment  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

from anju.importers.case_schema import COLUMNS, REQUIRED, VALUES

SAMPLE: dict[str, object] = {
    "ref": "",
    "title": "示例：阳台地漏位置过高导致积水",
    "stage": "设计",
    "category": "建筑主体及户内",
    "department": "设计管理部",
    "severity": "一般",
    "source_kind": "客户投诉",
    "source_project": "示例项目一期",
    "location": "5栋阳台",
    "description": "示例行，导入前请删除 (sample row: delete before importing)。"
    "雨后阳台积水约2厘米。",
    "cause": "地漏标高高于找坡最低点。",
    "lesson": "施工图标注地漏标高和找坡方向，图纸内审逐项核对。",
    "tags": "阳台、地漏、积水",
    "occurred_on": date(2025, 7, 1),
    "status": "草稿",
}
WIDE = {"title": 30, "description": 50, "cause": 40, "lesson": 40, "category": 24}
MAX_ROW = 20000


def template_bytes() -> bytes:
    """The template workbook as bytes."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "案例库"
    for index, name in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=COLUMNS[name][0])
        cell.font = Font(bold=True, color="C00000" if name in REQUIRED else "000000")
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        if name in REQUIRED:
            cell.comment = Comment("必填 (required)", "Anju")
        if name == "ref":
            cell.comment = Comment(
                "选填：导出文件中的 AJ-编号 指向库中案例；其他编号作为外部编号保存。"
                "不填时按 来源项目+案例标题 识别同一案例。",
                "Anju",
            )
        sample = sheet.cell(row=2, column=index, value=SAMPLE[name])
        sample.alignment = Alignment(wrap_text=True, vertical="top")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = WIDE.get(name, 14)
        if name in VALUES:
            labels = ",".join(dict.fromkeys(label for _, label in VALUES[name].values()))
            _validate(sheet, letter, DataValidation(type="list", formula1=f'"{labels}"'))
        if name == "occurred_on":
            sample.number_format = "yyyy-mm-dd"
            _validate(
                sheet,
                letter,
                DataValidation(
                    type="date",
                    operator="greaterThan",
                    formula1="36526",
                    error="请输入日期 (enter a date)",
                ),
            )
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _validate(sheet: object, letter: str, rule: DataValidation) -> None:
    rule.allow_blank = True
    rule.showErrorMessage = True
    rule.errorStyle = "warning"  # a variant the import accepts (e.g. 施工) may still be typed
    rule.add(f"{letter}2:{letter}{MAX_ROW}")
    sheet.add_data_validation(rule)  # type: ignore[attr-defined]
