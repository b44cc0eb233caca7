"""Opening an uploaded .xlsx safely and reading its first sheet's values.

Owns: the checks made before any parsing (size, file type, encryption, zip-bomb limits on the
uncompressed members and on the declared sheet dimensions) and the fast read of cell values by
python-calamine. Formulas are never evaluated: a formula cell gives its cached value (or
nothing). Must not import `anju.db` or `anju.services`.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import python_calamine

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted xlsx and legacy .xls
ZIP_MAGIC = b"PK\x03\x04"
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


class WorkbookRefused(ValueError):
    """The file is refused before parsing; the message says why."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_uncompressed_bytes: int = 400 * 1024 * 1024
    max_cells: int = 5_000_000
    max_ratio: int = 200  # uncompressed / compressed, per member


@dataclass(frozen=True)
class SheetValues:
    rows: list[list[object]]
    first_row_number: int  # the Excel row number of rows[0]


def load_bytes(source: str | Path | bytes, limits: Limits) -> bytes:
    """The file's bytes, refusing one over the size limit without reading it all."""
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        if not path.is_file():
            raise WorkbookRefused(f"文件不存在 (no such file): {path}")
        if path.stat().st_size > limits.max_bytes:
            raise WorkbookRefused(_too_big(path.stat().st_size, limits))
        data = path.read_bytes()
    if len(data) > limits.max_bytes:
        raise WorkbookRefused(_too_big(len(data), limits))
    return data


def check_xlsx(data: bytes, limits: Limits) -> None:
    """Refuse anything that is not a plain, reasonably sized .xlsx workbook."""
    if data.startswith(OLE2_MAGIC):
        raise WorkbookRefused(
            "文件已加密（设置了打开密码）或是旧版 .xls；请去掉密码并另存为 .xlsx "
            "(password-protected/encrypted workbook or legacy .xls: "
            "remove the password and save as .xlsx)"
        )
    if not data.startswith(ZIP_MAGIC):
        raise WorkbookRefused("不是 .xlsx 文件 (not an .xlsx file)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise WorkbookRefused(f"不是有效的 .xlsx 文件 (not a valid .xlsx file: {exc})") from exc
    with archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names:
            raise WorkbookRefused("不是 .xlsx 工作簿 (zip file without an Excel workbook)")
        total = 0
        cells = 0
        for info in archive.infolist():
            total += info.file_size
            if info.file_size > limits.max_ratio * max(info.compress_size, 1) + 1024 * 1024:
                raise WorkbookRefused(_bomb(f"{info.filename} expands {info.file_size} bytes"))
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                cells += _declared_cells(archive, info)
        if total > limits.max_uncompressed_bytes:
            raise WorkbookRefused(_bomb(f"{total} bytes uncompressed"))
        if cells > limits.max_cells:
            raise WorkbookRefused(
                f"单元格过多：{cells} 个，上限 {limits.max_cells} "
                f"(too many cells: {cells}, limit {limits.max_cells})"
            )


def read_first_sheet(data: bytes, limits: Limits) -> SheetValues:
    """Values of the first sheet (checked first), with merged header cells filled in."""
    check_xlsx(data, limits)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        if sheet.total_height * max(sheet.total_width, 1) > limits.max_cells:
            raise WorkbookRefused(f"单元格过多 (too many cells, limit {limits.max_cells})")
        rows = cast("list[list[object]]", sheet.to_python(skip_empty_area=False))  # fresh lists
        merged = sheet.merged_cell_ranges or []
    except python_calamine.PasswordError as exc:
        raise WorkbookRefused("文件已加密 (password-protected workbook)") from exc
    except python_calamine.CalamineError as exc:
        raise WorkbookRefused(f"无法读取该文件 (cannot read the workbook: {exc})") from exc
    _fill_merged_header(rows, merged)
    return SheetValues(rows, 1)


def _fill_merged_header(
    rows: list[list[object]], merged: list[tuple[tuple[int, int], tuple[int, int]]]
) -> None:
    """Copy a merged cell's value into every cell it covers, in the top rows only."""
    for (top, left), (bottom, right) in merged:
        if top >= 10 or top >= len(rows):
            continue
        value = rows[top][left] if left < len(rows[top]) else ""
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, min(right, len(rows[r]) - 1) + 1):
                if rows[r][c] in (None, ""):
                    rows[r][c] = value


def _declared_cells(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Cells a sheet declares in its <dimension>, read from its first few kilobytes only."""
    with archive.open(info) as stream:
        head = stream.read(4096)
    match = _DIMENSION.search(head)
    if not match or not match[3]:
        return 0
    width = _column_number(match[3]) - _column_number(match[1]) + 1
    height = int(match[4]) - int(match[2]) + 1
    return max(width, 0) * max(height, 0)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _too_big(size: int, limits: Limits) -> str:
    return (
        f"文件过大：{size // 1024} KB，上限 {limits.max_bytes // 1024} KB "
        f"(file too large: {size} bytes, limit {limits.max_bytes})"
    )


def _bomb(detail: str) -> str:
    return f"文件解压后过大，疑似压缩炸弹 (expands too much, possible zip bomb: {detail})"


__all__ = [
    "Limits",
    "SheetValues",
    "WorkbookRefused",
    "check_xlsx",
    "load_bytes",
    "read_first_sheet",
]
