"""Writing tables to .xlsx for people to open in Excel: exports and import error reports.

Owns: formula-injection neutralisation (CWE-1236) and the write-only openpyxl workbook. A text
cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is written as a text cell
with Excel's quote prefix, so Excel shows it and never evaluates it (openpyxl would otherwise
turn `=HYPERLINK(...)` into a live formula). Must not import `anju.db` or `anju.services`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font, PatternFill  # type: ignore[import-untyped]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REASON_FONT = Font(color="C00000")


def is_dangerous(value: object) -> bool:
    """Whether a spreadsheet program could read `value` as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def table_bytes(
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    widths: Sequence[int] = (),
    highlight_last_column: bool = False,
) -> bytes:
    """One sheet named `title`: a bold header row, then `rows`, every text cell made safe."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, width in enumerate(widths):
        sheet.column_dimensions[_letter(index)].width = width
    sheet.freeze_panes = "A2"
    head = []
    for label in header:
        cell = _cell(sheet, label)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        head.append(cell)
    sheet.append(head)
    for row in rows:
        cells = [_cell(sheet, value) for value in row]
        if highlight_last_column and cells:
            cells[-1].font = _REASON_FONT
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet: object, value: object) -> WriteOnlyCell:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    elif value is not None and not isinstance(value, int | float | date | datetime):
        value = str(value)  # times, durations and anything else a reader handed us
    cell = WriteOnlyCell(sheet, value=value)
    if is_dangerous(value):
        cell.data_type = "s"  # a string, not a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(value, datetime) else "yyyy-mm-dd"
    return cell


def _letter(index: int) -> str:
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


ROW_HEADER = "原行号 (row)"
REASON_HEADER = "错误原因 (reason)"


def error_report_bytes(
    header: Sequence[str], rejected: Iterable[tuple[int, str, Sequence[object]]]
) -> bytes:
    """An import's rejected rows as they were in the file, then their row number and reason.

    `rejected` holds (row number, reason, original cells); the header is the file's own.
    """
    rows = list(rejected)
    width = max([len(header), *(len(cells) for _, _, cells in rows)])
    head = [*header, *[""] * (width - len(header)), ROW_HEADER, REASON_HEADER]
    body = (
        [*cells, *[None] * (width - len(cells)), number, reason] for number, reason, cells in rows
    )
    return table_bytes(
        "错误行 errors", head, body, widths=[14] * width + [10, 60], highlight_last_column=True
    )
