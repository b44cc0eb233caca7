"""Owner data leaving Anju as .xlsx: the import's error report and the owners export, read
back with openpyxl; formula injection neutralised; masking and the access log."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from anju import cli
from anju.services import owner_exports, owners
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, PermissionDeniedError
from tests.conftest import Driver
from tests.owner_sheets import BAD_CHECKSUM, ID_A, ID_B, clean_rows, write_xlsx

EVIL = '=HYPERLINK("http://evil.example/steal","点我")'


@pytest.fixture
def project(driver: Driver) -> str:
    driver.start_project()
    return driver.code


def with_text_cells(path: Path, cells: dict[str, str]) -> Path:
    """Put strings that look like formulas into text cells, as a hostile file would have."""
    workbook = load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    for ref, value in cells.items():
        sheet[ref].value = value
        sheet[ref].data_type = "s"
    workbook.save(path)
    return path


def sheet_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def data_types(content: bytes) -> set[str]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return {cell.data_type for row in sheet.iter_rows() for cell in row}


def test_the_error_report_has_the_original_rows_and_a_reason(
    ctx: AppContext, project: str, tmp_path: Path
) -> None:
    rows = clean_rows()
    rows.append(["3栋", "1单元", "301", "孙涛", "13712345678", BAD_CHECKSUM, "", "2025-03-05"])
    rows.append(["3栋", "1单元", "302", "placeholder", "1381234567", ID_B, "地址", ""])
    path = with_text_cells(write_xlsx(tmp_path / "bad.xlsx", rows), {"D7": "@SUM(A1:A9)"})
    report = owners.preview_import(ctx, project, path, "kefu")
    assert report.invalid == 2

    content = owner_exports.error_report_xlsx(report)
    header, *errors = sheet_rows(content)
    assert header == [*rows[0], "原行号 (row)", "错误原因 (reason)"]
    expected = [rows[5], ["3栋", "1单元", "302", "@SUM(A1:A9)", *rows[6][4:]]]
    assert [e[:8] for e in errors] == [[v if v != "" else None for v in r] for r in expected]
    assert [e[8] for e in errors] == [6, 7]
    assert "checksum" in str(errors[0][9])
    assert "not an 11-digit mobile" in str(errors[1][9])
    assert "f" not in data_types(content)  # '@SUM(...)' is text, never a formula

    refused = owners.commit_import(ctx, project, path, "kefu")  # a refused commit has it too
    assert sheet_rows(owner_exports.error_report_xlsx(refused))[1:] == errors


def test_export_is_masked_unless_revealed_and_every_export_is_logged(
    ctx: AppContext, project: str, tmp_path: Path
) -> None:
    owners.commit_import(ctx, project, write_xlsx(tmp_path / "o.xlsx", clean_rows()), "kefu")

    masked = owner_exports.export_owners(ctx, project, "xiaoshou")
    assert masked.masked
    assert masked.owners == 4
    header, *rows = sheet_rows(masked.content)
    assert header[:8] == [
        "分期",
        "楼栋",
        "单元",
        "楼层",
        "房号",
        "业主姓名",
        "联系电话",
        "身份证号",
    ]
    first = dict(zip(header, rows[0], strict=True))
    assert (first["业主姓名"], first["联系电话"], first["身份证号"]) == (
        "王建华",
        "138****5678",
        "3702**********7540",
    )
    assert ID_A not in str(rows)

    full = owner_exports.export_owners(ctx, project, "kefu2", reveal_reason="交房通知寄送")
    assert not full.masked
    first = dict(zip(header, sheet_rows(full.content)[1], strict=True))
    assert (first["联系电话"], first["身份证号"]) == ("13812345678", ID_A)

    exports = [e for e in owners.access_log(ctx, project, "kefu") if e["action"] == "export"]
    assert [(e["username"], e["fields"], e["owner_id"] is None) for e in exports] == [
        ("xiaoshou", "masked", True),
        *[("kefu2", "phones,id_number", False)] * 4,
    ]
    assert {e["reason"] for e in exports[1:]} == {"交房通知寄送"}

    with pytest.raises(PermissionDeniedError):
        owner_exports.export_owners(ctx, project, "xiaoshou", reveal_reason="想看看")
    with pytest.raises(PermissionDeniedError, match="only customer_service, sales and admin"):
        owner_exports.export_owners(ctx, project, "gongcheng")
    with pytest.raises(InvalidInputError, match="needs a reason"):
        owner_exports.export_owners(ctx, project, "kefu", reveal_reason=" ")
    assert len(owners.access_log(ctx, project, "kefu")) == 1 + 1 + 4  # refusals log nothing


def test_formulas_in_owner_data_come_back_as_text_and_an_export_re_imports(
    ctx: AppContext, project: str, tmp_path: Path
) -> None:
    path = with_text_cells(
        write_xlsx(tmp_path / "o.xlsx", clean_rows()),
        {"D2": EVIL, "G3": "+1 (0532) 黄岛区", "G4": "-", "G5": "\t@cmd"},
    )
    assert owners.commit_import(ctx, project, path, "kefu").new == 4

    export = owner_exports.export_owners(ctx, project, "kefu", reveal_reason="核对档案")
    header, *rows = sheet_rows(export.content)
    by_name = {row[5]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_name[EVIL]["业主姓名"] == EVIL  # a string, not a formula
    assert "f" not in data_types(export.content)
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    assert (sheet["F2"].value, sheet["F2"].data_type) == (EVIL, "s")
    assert sheet["F2"].quotePrefix

    again = tmp_path / "export.xlsx"
    again.write_bytes(export.content)
    report = owners.commit_import(ctx, project, again, "kefu")
    assert (report.new, report.changed, report.unchanged, report.invalid) == (0, 0, 4, 0)


def test_cli_errors_xlsx_and_export_owners(
    ctx: AppContext, project: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = clean_rows()
    rows.append(["3栋", "1单元", "301", "孙涛", "13712345678", BAD_CHECKSUM, "", ""])
    path = write_xlsx(tmp_path / "o.xlsx", rows)
    errors = tmp_path / "errors.xlsx"
    argv = ["import-owners", str(path), "--project", project, "--user", "kefu"]
    assert cli.main([*argv, "--errors-xlsx", str(errors)], ctx=ctx) == 2
    assert sheet_rows(errors.read_bytes())[1][8:9] == [6]
    assert "error report written to" in capsys.readouterr().err

    fixed = write_xlsx(tmp_path / "fixed.xlsx", clean_rows())
    argv = ["import-owners", str(fixed), "--project", project, "--user", "kefu"]
    assert cli.main(argv, ctx=ctx) == 0

    out = tmp_path / "owners.xlsx"
    base = ["export-owners", "--project", project, "--user", "kefu", "-o", str(out)]
    assert cli.main(base, ctx=ctx) == 0
    assert "4 owners written" in capsys.readouterr().out
    assert sheet_rows(out.read_bytes())[1][6] == "138****5678"
    assert cli.main([*base, "--reveal", "寄送交房通知书"], ctx=ctx) == 0
    assert sheet_rows(out.read_bytes())[1][6] == "13812345678"
    assert cli.main([*base[:4], "xiaoshou", *base[5:], "--reveal", "想看"], ctx=ctx) == 2
