"""Cases in and out of .xlsx, on SQLite and PostgreSQL: the template imports, an export imports
back without changes, a file imported twice changes nothing, bad rows are refused with their row
number and nothing is written, formulas in cases leave as text, refused files are refused."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from anju import cli, demo_cases
from anju.services import case_exports, case_imports, cases
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, PermissionDeniedError

HEADER = ["案例编号", "标题", "所属阶段", "问题类别", "部门", "严重程度", "来源项目", "问题描述"]


def xlsx(rows: list[list[object]], title: str = "Sheet") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def every_case(ctx: AppContext) -> list[cases.CaseView]:
    found = cases.search_cases(
        ctx, "", "kefu", cases.CaseFilters(statuses=("draft", "published", "retired")), limit=200
    )
    return [cases.get_case(ctx, hit.id, "kefu").case for hit in found.hits]


def fingerprint(ctx: AppContext) -> list[tuple[object, ...]]:
    return sorted((c.id, c.version, c.status, c.updated_at) for c in every_case(ctx))


@pytest.fixture
def library(ctx: AppContext) -> AppContext:
    assert demo_cases.load(ctx) >= 60
    return ctx


def test_the_template_imports_its_sample_row_as_a_draft(ctx: AppContext) -> None:
    report = case_imports.commit_import(ctx, case_exports.template(), "kefu", "template.xlsx")
    assert (report.committed, report.new, report.invalid) == (True, 1, 0)
    created = cases.get_case(ctx, report.plan[0].case_id or 0, "kefu").case
    assert created.status == "draft"
    assert (created.stage, created.category, created.department) == (
        "design",
        "building",
        "design",
    )
    assert created.tags == ("阳台", "地漏", "积水")
    assert created.occurred_on == date(2025, 7, 1)


def test_an_export_imports_back_without_changes(library: AppContext) -> None:
    target = every_case(library)[0]
    cases.edit_case(
        library,
        target.id,
        "kefu",
        target.version,
        description="第一行（全角括号）\n第二行：  两个空格",
        lesson='=HYPERLINK("http://evil","点我")',
    )
    before = fingerprint(library)
    export = case_exports.export_cases(library, "kefu")
    assert export.cases == len(before)
    report = case_imports.commit_import(library, export.content, "kefu", export.file_name)
    assert (report.new, report.changed, report.invalid) == (0, 0, 0)
    assert report.unchanged == len(before)
    assert fingerprint(library) == before


def test_export_writes_formulas_as_text_and_filters_by_stage(library: AppContext) -> None:
    first = every_case(library)[0]
    cases.edit_case(library, first.id, "kefu", first.version, title="=1+2 外墙渗水", stage="design")
    export = case_exports.export_cases(library, "kefu", stage="design")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    titles = {row[1].value: row[1] for row in sheet.iter_rows(min_row=2)}
    cell = titles["=1+2 外墙渗水"]
    assert cell.data_type == "s"
    assert {row[2].value for row in sheet.iter_rows(min_row=2)} == {"设计"}
    assert sheet.cell(row=1, column=1).value == "案例编号"


def test_a_reader_exports_only_published_cases(library: AppContext) -> None:
    cases.create_case(
        library,
        "kefu",
        title="草稿不外传",
        description="d",
        stage="design",
        category="planning",
        department="design",
    )
    writer = case_exports.export_cases(library, "kefu").cases
    reader = case_exports.export_cases(library, "sheji").cases
    assert writer == reader + 1


def test_a_file_imported_twice_changes_nothing_and_a_corrected_file_updates(
    ctx: AppContext,
) -> None:
    data = xlsx(
        [
            HEADER,
            ["", "车库坡道冬季结冰", "施工", "质量", "工程部", "严重", "江畔春晓", "坡道无融雪"],
            ["WX-7", "外窗渗水", "设计", "建筑", "design", "一般", "桂语山房", "雨后窗台渗水"],
        ]
    )
    first = case_imports.commit_import(ctx, data, "kefu", "a.xlsx")
    assert (first.new, first.committed) == (2, True)
    state = fingerprint(ctx)
    again = case_imports.commit_import(ctx, data, "kefu", "a.xlsx")
    assert (again.new, again.changed, again.unchanged) == (0, 0, 2)
    assert fingerprint(ctx) == state

    corrected = xlsx(
        [
            [*HEADER, "状态"],
            ["", "车库坡道冬季结冰", "施工", "质量", "工程部", "严重", "江畔春晓", "坡道无融雪"],
            [
                "WX-7",
                "外窗渗水（改）",
                "设计",
                "建筑",
                "design",
                "一般",
                "桂语山房",
                "窗台渗水",
                "已发布",
            ],
        ]
    )
    preview = case_imports.preview_import(ctx, corrected, "kefu", "b.xlsx")
    assert [(p.action, p.changes) for p in preview.plan] == [
        ("unchanged", ()),
        ("changed", ("title", "description", "status")),
    ]
    assert fingerprint(ctx) == state  # a preview writes nothing
    case_imports.commit_import(ctx, corrected, "kefu", "b.xlsx")
    changed = next(c for c in every_case(ctx) if c.external_ref == "WX-7")
    assert (changed.title, changed.status) == ("外窗渗水（改）", "published")
    history = cases.get_case(ctx, changed.id, "kefu").history
    assert history[-1].action == "imported"
    assert history[-1].changes["title"] == ["外窗渗水", "外窗渗水（改）"]


def test_bad_rows_are_named_and_nothing_is_imported(ctx: AppContext, tmp_path: Path) -> None:
    data = xlsx(
        [
            ["案例库导入", None],  # a title row above the header
            HEADER,
            ["", "好的一行", "设计", "规划", "设计管理部", "一般", "甲", "描述"],
            ["", "阶段写错", "施工图", "规划", "设计管理部", "一般", "甲", "描述"],
            ["", "", "设计", "规划", "设计管理部", "一般", "甲", "描述"],
            ["", "好的一行", "设计", "规划", "设计管理部", "一般", "甲", "重复"],
            ["AJ-99999", "不存在的编号", "设计", "规划", "设计管理部", "一般", "甲", "描述"],
            ["", "没有描述", "设计", "规划", "设计管理部", "一般", "甲", ""],
        ]
    )
    report = case_imports.commit_import(ctx, data, "kefu", "bad.xlsx")
    assert not report.committed
    reasons = {row.row_number: row.reason for row in report.rejected}
    assert set(reasons) == {4, 5, 6, 7, 8}
    assert "阶段「施工图」无效" in reasons[4]
    assert "标题为空" in reasons[5]
    assert "与第 3 行是同一案例" in reasons[6]
    assert "AJ-99999" in reasons[7]
    assert "问题描述不能为空" in reasons[8]
    assert every_case(ctx) == []

    report_file = case_exports.error_report_xlsx(report)
    sheet = openpyxl.load_workbook(io.BytesIO(report_file)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][-2:] == ["原行号 (row)", "错误原因 (reason)"]
    assert [row[8].value for row in sheet.iter_rows(min_row=2)] == [4, 5, 6, 7, 8]


def test_only_writers_import(ctx: AppContext) -> None:
    with pytest.raises(PermissionDeniedError):
        case_imports.preview_import(ctx, case_exports.template(), "sheji")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"title,stage\n", "不是 .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "加密"),
        (b"x" * (21 * 1024 * 1024), "文件过大"),
    ],
)
def test_refused_files_are_refused_before_reading(
    ctx: AppContext, content: bytes, reason: str
) -> None:
    with pytest.raises(InvalidInputError, match=reason):
        case_imports.preview_import(ctx, content, "kefu", "f.xlsx")


def test_a_zip_bomb_is_refused(ctx: AppContext) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (50 * 1024 * 1024))
    with pytest.raises(InvalidInputError, match="压缩炸弹"):
        case_imports.preview_import(ctx, buffer.getvalue(), "kefu", "bomb.xlsx")


def test_cli_template_import_and_export(
    library: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "template.xlsx"
    assert cli.main(["cases", "template", "-o", str(template)], ctx=library) == 0
    assert "template written" in capsys.readouterr().out
    argv = ["cases", "import", str(template), "--user", "kefu", "--json"]
    assert cli.main([*argv, "--dry-run"], ctx=library) == 0
    assert json.loads(capsys.readouterr().out)["new"] == 1
    assert cli.main(argv, ctx=library) == 0
    assert json.loads(capsys.readouterr().out)["committed"] is True
    out = tmp_path / "cases.xlsx"
    export = ["cases", "export", "-o", str(out), "--user", "kefu", "--category", "quality"]
    assert cli.main(export, ctx=library) == 0
    assert "个案例已导出" in capsys.readouterr().out
    assert cli.main(["cases", "import", str(out), "--user", "kefu"], ctx=library) == 0
    assert "new 0, changed 0" in capsys.readouterr().out

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([HEADER, ["", "x", "月球", "规划", "设计管理部", "一般", "甲", "d"]]))
    errors = tmp_path / "errors.xlsx"
    argv = ["cases", "import", str(bad), "--user", "kefu", "--errors-xlsx", str(errors)]
    assert cli.main(argv, ctx=library) == 2
    out_text, err = capsys.readouterr()
    assert "row 2: 阶段「月球」无效" in out_text
    assert "未导入任何案例" in err
    assert errors.is_file()
