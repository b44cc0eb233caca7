"""Normalising single Excel cell values: text, identifiers typed as numbers, dates.

Owns: turning what a spreadsheet reader hands back (str, float, date, '') into clean Python
values, and the tolerant reading of header cells shared by the sheet schemas. Pure functions;
imports nothing from Anju.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

EXCEL_EPOCH = date(1899, 12, 30)
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+\d+$", re.IGNORECASE)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(\s.*)?$")


class CellError(ValueError):
    """A cell whose value cannot be used; the message is shown to the user."""


def text(value: object) -> str:
    """A cell as clean text: full-width folded (NFKC), spaces collapsed, leading apostrophe off.

    Integral floats (Excel stores every number as a float) lose their `.0`.
    """
    if type(value) is str:  # the common case, kept fast: 12 cells x 100,000 rows
        folded = value
        if not unicodedata.is_normalized("NFKC", folded):
            folded = unicodedata.normalize("NFKC", folded)
        folded = " ".join(folded.split())
        return folded.lstrip("'‘’`").strip() if folded[:1] in "'‘’`" else folded
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return text(str(value))


def looks_scientific(value: str) -> bool:
    return bool(_SCIENTIFIC.match(value))


def identifier(value: object, what: str) -> str:
    """Text of a cell holding a long identifier (ID number, phone), refusing float damage.

    A number of 16 or more digits cannot survive a float, and scientific notation has lost
    digits already; both are errors, never guesses.
    """
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = float(value)
        if not number.is_integer() or abs(number) >= 1e15:
            raise CellError(
                f"{what}被 Excel 存成了数字 {number:.6g}，后几位已丢失；请把该列设为文本后重新填写 "
                f"({what} was stored as a number and lost digits; format the column as text)"
            )
        return str(int(number))
    cleaned = text(value).replace(" ", "").upper()
    if "E" in cleaned and looks_scientific(cleaned):
        raise CellError(
            f"{what}是科学计数法 {cleaned}，原号码已丢失 "
            f"({what} is in scientific notation; the digits are lost)"
        )
    return cleaned


def excel_date(value: object, what: str) -> date | None:
    """A date from an Excel serial, a date cell or text such as 2024-05-01 / 2024年5月1日."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _serial(float(value), what)
    raw = text(value)
    if not raw:
        return None
    match = _DATE_TEXT.match(raw)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        if raw.isdigit() and len(raw) == 8:
            return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
        if raw.isdigit() and len(raw) == 5:
            return _serial(float(raw), what)
    except ValueError:
        pass
    raise CellError(f"{what}不是有效日期 (not a date): {raw}")


def _serial(number: float, what: str) -> date:
    if not 1 <= number < 2958466:
        raise CellError(f"{what}不是有效日期 (not a date): {number:g}")
    return EXCEL_EPOCH + timedelta(days=int(number))


_HEADER_NOTES = re.compile(r"[(\[（【].*?[)\]）】]")


def header_key(value: object) -> str:
    """A header cell as a lookup key: NFKC, `(notes)`, `*` (required marks) and spaces off."""
    raw = unicodedata.normalize("NFKC", str(value or ""))
    return _HEADER_NOTES.sub("", raw).replace("*", "").replace(" ", "").strip()


def free_text(value: object) -> str:
    """A prose cell (a description, a cause): kept as written — line breaks, full-width
    punctuation and inner spaces stay — only CRLF → LF and the ends stripped."""
    if type(value) is str:
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text(value)


def header_row(
    rows: Sequence[Sequence[object]], aliases: Mapping[str, str], search_rows: int = 10
) -> int | None:
    """Index of the first of the top rows naming at least three fields of `aliases`
    (header key → field), or None."""
    for index, row in enumerate(rows[:search_rows]):
        found = {aliases.get(header_key(cell)) for cell in row} - {None}
        if len(found) >= 3:
            return index
    return None
