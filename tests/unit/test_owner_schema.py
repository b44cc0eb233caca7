"""The owners sheet: header variants, normalisation, row validation and refused files.

Every test reads a real .xlsx written by openpyxl through the same reader the import uses.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from anju.importers import excel, identity
from anju.importers.identity import id_number_problem, mask_id_number, mask_phone, phone_problem
from anju.importers.owner_schema import ParsedSheet, SheetError, parse_sheet
from anju.importers.owner_template import template_bytes
from tests.owner_sheets import BAD_CHECKSUM, ID_A, ID_B, ID_C, ID_E, write_xlsx

LIMITS = excel.Limits()


def parse(path: Path, limits: excel.Limits = LIMITS) -> ParsedSheet:
    values = excel.read_first_sheet(excel.load_bytes(path, limits), limits)
    return parse_sheet(values.rows, values.first_row_number)


def messy_rows() -> list[list[object]]:
    return [  # Excel row 2 is the header: a merged title sits in row 1
        [
            "房间号",
            "栋号",
            "单元",
            "客户姓名",
            "手机",
            "身份证号码",
            "联系地址",
            "合同日期",
            "置业顾问",
            "付款方式",
        ],
        [
            "１０１",
            "１",
            "1单元",
            "王建华",
            "138 1234 5678",
            "３７０２０２１９９００１０１７５４０",
            "青岛市市南区",
            "2025年3月1日",
            "赵磊",
            "按揭",
        ],  # 3: valid
        ["102", "1", "1", "李淑芬", "13912345678", 3.70212198506123e17, "", "", "", ""],  # 4
        ["103", "1", "1", "孙涛", "13712345678", BAD_CHECKSUM, "", "", "", ""],  # 5
        ["104", "1", "1", "周丽", "1381234567", ID_B, "", "", "", ""],  # 6 bad phone
        [
            "101",
            "1#",
            "01",
            "王建华",
            "13812345678",
            ID_A,
            "青岛市市南区",
            "2025-03-01",
            "",
            "",
        ],  # 7: the same owner as row 3, written differently
        [None] * 10,  # 8: blank, skipped
        ["201", "2号楼", "1", "陈志强", "0532-88886666", "'" + ID_C, "", 45717, "", ""],  # 9 ok
        ["202", "2", "1", "吴敏", "88886666", ID_E, "", "", "", ""],  # 10 landline, no area
        ["203", "2", "1", "郑云", "13612345678", "4.40305E+17", "", "", "", ""],  # 11
        ["204", "2", "1", "", "13512345678", ID_E, "", "", "", ""],  # 12 no name
    ]


def test_a_messy_sheet_gives_exact_row_numbers_and_reasons(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "messy.xlsx", messy_rows(), title="翠湖云境业主信息（销售部）")
    sheet = parse(path)

    assert sheet.header_row == 2
    assert sheet.extra_columns == ["置业顾问", "付款方式"]
    assert sheet.columns["room"] == "房间号"
    assert sheet.columns["phone"] == "手机"
    rejected = {error.row_number: error.reason for error in sheet.rejected}
    assert sorted(rejected) == [4, 5, 6, 7, 10, 11, 12]
    assert "身份证号被 Excel 存成了数字" in rejected[4]
    assert "checksum" in rejected[5]
    assert "not an 11-digit mobile" in rejected[6]
    assert rejected[7] == "与第 3 行重复 (duplicate of row 3)"
    assert "landline without area code" in rejected[10]
    assert "scientific notation" in rejected[11]
    assert "业主姓名为空" in rejected[12]

    first, second = sheet.records
    assert (first.row_number, first.building, first.unit, first.room) == (3, "1栋", "1单元", "101")
    assert first.id_number == ID_A
    assert first.phones == ("13812345678",)
    assert first.contract_date == date(2025, 3, 1)
    assert first.floor == 1
    assert (second.row_number, second.building, second.id_number) == (9, "2栋", ID_C)
    assert second.phones == ("0532-88886666",)
    assert second.contract_date == date(2025, 3, 1)


def test_conflicting_duplicates_are_all_rejected(tmp_path: Path) -> None:
    header = ["楼栋", "房号", "姓名", "联系电话", "身份证"]
    rows = [
        header,
        ["1", "101", "王建华", "13812345678", ID_A],
        ["1", "101", "王建华", "13912345678", ID_A],
    ]
    sheet = parse(write_xlsx(tmp_path / "dup.xlsx", rows))
    assert [(e.row_number, "conflicts with row") for e in sheet.rejected] == [
        (2, "conflicts with row"),
        (3, "conflicts with row"),
    ]
    assert "row 3" in sheet.rejected[0].reason
    assert "row 2" in sheet.rejected[1].reason
    assert sheet.records == []


def test_several_phones_and_phone_columns_are_kept(tmp_path: Path) -> None:
    rows = [
        ["楼栋", "房号", "姓名", "手机", "固定电话", "身份证号"],
        ["1", "101", "王建华", "13812345678/+8613912345678", "021-55556666", ID_A],
    ]
    (record,) = parse(write_xlsx(tmp_path / "phones.xlsx", rows)).records
    assert record.phones == ("13812345678", "13912345678", "021-55556666")


def test_missing_required_columns_and_missing_header_are_refused(tmp_path: Path) -> None:
    rows = [["楼栋", "房号", "姓名", "备注"], ["1", "101", "王建华", ""]]
    with pytest.raises(SheetError, match=r"身份证号, 联系电话"):
        parse(write_xlsx(tmp_path / "cols.xlsx", rows))
    with pytest.raises(SheetError, match="no recognised header"):
        parse(write_xlsx(tmp_path / "none.xlsx", [["a", "b", "c"], [1, 2, 3]]))


def test_formulas_are_never_evaluated(tmp_path: Path) -> None:
    rows = [
        ["楼栋", "房号", "姓名", "联系电话", "身份证号"],
        ["1", "101", '=HYPERLINK("http://x","王")', "13812345678", "=1+1"],
    ]
    sheet = parse(write_xlsx(tmp_path / "formula.xlsx", rows))
    (error,) = sheet.rejected
    assert "业主姓名为空" in error.reason
    assert "身份证号为空" in error.reason


def test_identity_rules_and_masks() -> None:
    assert id_number_problem(ID_E) is None
    assert "checksum" in (id_number_problem(BAD_CHECKSUM) or "")
    assert "birth date" in (id_number_problem("370202199013017540") or "")
    assert "15-digit" in (id_number_problem("370202900101754") or "")
    assert phone_problem("13812345678") is None
    assert phone_problem("0532-88886666") is None
    assert phone_problem("12812345678") is not None
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("370202199001017542") == "3702**********7542"


def test_files_that_are_not_plain_xlsx_are_refused_before_parsing(tmp_path: Path) -> None:
    text = tmp_path / "owners.csv"
    text.write_text("楼栋,房号\n1,101\n", encoding="utf-8")
    with pytest.raises(excel.WorkbookRefused, match=r"not an \.xlsx file"):
        parse(text)
    encrypted = tmp_path / "locked.xlsx"  # what Excel writes for a password-protected book
    encrypted.write_bytes(excel.OLE2_MAGIC + b"\x00" * 1024)
    with pytest.raises(excel.WorkbookRefused, match="password-protected"):
        parse(encrypted)
    plain_zip = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(excel.WorkbookRefused, match="without an Excel workbook"):
        parse(plain_zip)


def test_size_and_zip_bomb_limits(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "ok.xlsx", [["楼栋", "房号"], ["1", "101"]])
    with pytest.raises(excel.WorkbookRefused, match="file too large"):
        parse(path, excel.Limits(max_bytes=1000))

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info, source.read(info))
        out.writestr("xl/media/padding.bin", b"\x00" * 60_000_000)
    assert bomb.stat().st_size < 200_000
    with pytest.raises(excel.WorkbookRefused, match="possible zip bomb"):
        parse(bomb)

    wide = tmp_path / "wide.xlsx"  # a sheet that declares 16384 x 1048576 cells
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(wide, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>'
                )
                assert b"XFD1048576" in data
            out.writestr(info, data)
    with pytest.raises(excel.WorkbookRefused, match="too many cells"):
        parse(wide)


def test_the_template_has_chinese_headers_a_valid_sample_and_validation() -> None:
    data = template_bytes()
    values = excel.read_first_sheet(data, LIMITS)
    sheet = parse_sheet(values.rows, values.first_row_number)
    assert sheet.extra_columns == []
    assert sheet.rejected == []
    (sample,) = sheet.records
    assert sample.building == "3栋"
    assert sample.room == "1802"
    assert sample.floor == 18
    workbook = load_workbook(io.BytesIO(data))
    validations = workbook.active.data_validations.dataValidation  # type: ignore[union-attr]
    assert {v.type for v in validations} >= {"list", "date", "textLength", "whole"}
    id_cell = workbook.active["H3"]  # type: ignore[index]
    assert id_cell.number_format == "@"


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("业主电话13912340101请回电", "业主电话139****0101请回电"),
        ("手机 139 1234 0101", "手机 139******0101"),
        ("手机 139-1234-0101", "手机 139******0101"),
        ("+8613912340101", "+86*******0101"),
        ("座机0532-88886666", "座机053******6666"),
        ("身份证370202199001017540", "身份证3702**********7540"),
        ("老身份证110101800101001", "老身份证1101*******1001"),
        ("合同号 2024061512345678901 不是证件", "合同号 2024061512345678901 不是证件"),
        ("王建华说卫生间漏水", "王**说卫生间漏水"),
    ],
)
def test_phones_ids_and_owner_names_in_free_text_are_masked(written: str, shown: str) -> None:
    assert identity.mask_in_text(written, ["王建华"]) == shown
