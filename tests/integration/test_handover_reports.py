"""The hand-over reports (交房报告) on both databases: a unit's report to sign and the project's
report, in HTML and in PDF with real Chinese text, built from hand-over data made through the
real services, and the `anju report handover` command."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import zipfile
from datetime import date, timedelta
from pathlib import Path

import jinja2
import pytest
from PIL import Image

from anju import cli
from anju.config import REPO_ROOT
from anju.importers.identity import id_check_char
from anju.localtime import local_date
from anju.reports import contexts, render
from anju.reports.pdf import render_pdf
from anju.services import (
    attachments,
    handover,
    handover_reports,
    handover_units,
    inspection,
    owners,
)
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from anju.services.inspection import ItemResult
from tests.conftest import Driver, TestClock
from tests.owner_sheets import write_xlsx

ARTIFACTS = REPO_ROOT / "test-artifacts"
PHONE = "13912340101"
SCRIPT = "<script>alert('x')</script>"
HEADER = ["楼栋", "单元", "楼层", "房号", "业主姓名", "联系电话", "身份证号", "备注"]
ROOMS = [(floor, f"{floor}0{door}") for floor in (1, 2, 3) for door in (1, 2)]


def _id_number(serial: int) -> str:
    first17 = f"32011319850301{serial:03d}"
    return first17 + id_check_char(first17)


def owner_rows() -> list[list[object]]:
    """Six homes of 1栋1单元 (floors 1-3, doors 01 and 02); one owner's note holds markup."""
    rows: list[list[object]] = [HEADER]
    for serial, (floor, number) in enumerate(ROOMS, start=1):
        note = SCRIPT if number == "101" else ""
        phone = PHONE if number == "101" else f"1390000{serial:04d}"
        rows.append(
            ["1栋", "1单元", floor, number, f"周秀{serial}", phone, _id_number(serial), note]
        )
    return rows


@pytest.fixture
def project(driver: Driver, ctx: AppContext, clock: TestClock, tmp_path: Path) -> str:
    """Hand-over data of one riser: 101, 201 and 301 leak; 102 is refused; 202 handed over."""
    driver.start_project(name="栖霞雅苑")
    owners.commit_import(ctx, driver.code, write_xlsx(tmp_path / "o.xlsx", owner_rows()), "kefu")
    code = driver.code
    day = local_date(clock.moment)
    handover_units.book_appointment(
        ctx, code, "101", "kefu", day + timedelta(days=1), "09:00-10:00"
    )

    def found(room: str, **values: str) -> int:
        fields = {"space": "卫生间", "part": "墙面", "category": "渗漏", "severity": "major"}
        fields.update(values)
        return handover.add_defect(
            ctx, code, room, "kefu", due=day + timedelta(days=5), **fields
        ).defect_id

    leak = found("101", description="淋浴区墙面返潮 " + SCRIPT)
    found("101", space="客厅", part="地面", category="空鼓", description="地砖空鼓两块")
    found("201", description="卫生间顶棚滴水")
    found("301", description="卫生间墙角渗水")
    crack = found("102", space="阳台", part="墙面", category="开裂", description="阳台墙面开裂")
    closed = found("202", space="卧室", part="门窗", category="门窗", description="窗扇关闭不严")

    clock.advance(days=2)
    handover.mark_ready(ctx, leak, "gongcheng", note="已重做防水")
    handover.reinspect(ctx, leak, "kefu", accept=False, reason="淋浴区仍有返潮")
    handover.mark_ready(ctx, closed, "gongcheng")
    handover.reinspect(ctx, closed, "kefu", accept=True)
    handover.mark_ready(ctx, crack, "gongcheng")
    handover_units.refuse(ctx, code, "102", "kefu", "阳台开裂未修复，拒绝收房")
    handover_units.hand_over(ctx, code, "202", "kefu")
    clock.advance(days=5)  # the open rectifications (due after 5 days) are now overdue
    return code


def test_the_unit_report_shows_outcome_defects_and_history_with_masked_personal_data(
    ctx: AppContext, project: str
) -> None:
    report = handover_reports.unit_report(ctx, project, "1栋1单元101", "kefu")
    assert report.location.label == "1栋1单元101"
    assert report.outcome.status == "pending"
    assert (report.total_defects, report.open_defects) == (2, 2)
    assert [(g.space, g.part) for g in report.groups] == [("卫生间", "墙面"), ("客厅", "地面")]
    leak = report.groups[0].defects[0]
    assert (leak.state, leak.overdue) == ("open", True)
    assert [(e.action, e.reason) for e in leak.history] == [
        ("assigned", ""),
        ("ready", "已重做防水"),
        ("not_accepted", "淋浴区仍有返潮"),
    ]
    assert report.owners[0].name == "周**"  # 周秀1: the surname only
    assert report.owners[0].phones == ("139****0101",)

    html = render.render_html(report)
    for words in ("待整改", "复验不通过", "淋浴区仍有返潮", "已逾期", "09:00-10:00"):
        assert words in html
    assert "139****0101" in html
    assert PHONE not in html
    assert "周秀1" not in html
    assert "<script>" not in html  # the owner's note and the description are escaped
    assert html.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") == 2
    for signer in ("业主", "客服", "工程", "日期"):
        assert f"<th>{signer}</th>" in html

    refused = handover_reports.unit_report(ctx, project, "102", "kefu")
    assert (refused.outcome.status, refused.outcome.reason) == (
        "refused",
        "阳台开裂未修复，拒绝收房",
    )
    assert refused.groups[0].defects[0].state == "ready_for_review"
    assert "拒收原因：阳台开裂未修复，拒绝收房" in render.render_html(refused)
    done = handover_reports.unit_report(ctx, project, "202", "kefu")
    assert (done.outcome.status, done.outcome.keys_handed, done.open_defects) == (
        "handed_over",
        True,
        0,
    )
    with pytest.raises(NotFoundError):
        handover_reports.unit_report(ctx, project, "909", "kefu")


def test_the_project_report_counts_units_defects_and_shows_the_riser_as_a_stripe(
    ctx: AppContext, project: str
) -> None:
    report = handover_reports.project_report(ctx, project, "wuye")
    assert (report.rooms_total, report.handed_over, report.refused, report.pending) == (6, 1, 1, 4)
    assert [(r.location, r.reason) for r in report.refusals] == [
        ("1栋1单元102", "阳台开裂未修复，拒绝收房")
    ]
    assert (report.total_defects, report.open_defects) == (6, 5)
    assert [(b.label, b.value) for b in report.by_category.bars] == [
        ("渗漏", 3),  # most first, then by name
        ("开裂", 1),
        ("空鼓", 1),
        ("门窗", 1),
    ]
    assert report.by_category.bars[0].label == "渗漏"
    assert report.by_location.bars[0].label == "卫生间"
    assert {b.label: b.value for b in report.durations.bars}["0–3 天"] == 1

    (building,) = report.grid
    assert building.name == "1栋"
    assert building.columns == ("1单元-01", "1单元-02")
    assert [row.floor for row in building.rows] == [3, 2, 1]
    stripe = [row.cells[0] for row in building.rows]  # 301, 201, 101: one riser
    assert [(c.number, c.open_defects) for c in stripe if c] == [("301", 1), ("201", 1), ("101", 2)]
    room_101 = building.rows[2].cells[0]
    assert room_101 is not None
    assert (room_101.open_defects, room_101.level) == (2, 2)

    assert sorted(o.location for o in report.overdue) == [
        "1栋1单元101",
        "1栋1单元101",
        "1栋1单元102",  # ready for review is still open until CS accepts it
        "1栋1单元201",
        "1栋1单元301",
    ]
    assert {o.days_overdue for o in report.overdue} == {2}
    assert (report.concerns[0].label, report.concerns[0].count) == ("类别：渗漏", 3)

    html = render.render_html(report)
    assert '<td class="lvl-2" title="101" data-room="1栋101">2</td>' in html
    assert "阳台开裂未修复，拒绝收房" in html
    assert "<svg" in html  # charts are inline SVG drawn on the server
    assert "<script" not in html  # no JavaScript


def test_templates_render_with_strict_undefined_and_document_their_context(
    ctx: AppContext, project: str
) -> None:
    report = handover_reports.unit_report(ctx, project, "101", "kefu")

    @dataclasses.dataclass(frozen=True)
    class Incomplete:  # a unit report without its outcome
        project: contexts.ProjectHeader
        location: contexts.RoomLocation
        generated_at: object

    partial = Incomplete(report.project, report.location, report.generated_at)
    with pytest.raises(jinja2.UndefinedError, match=r"outcome|owners"):
        render.render_template(contexts.UnitReport.template, r=partial)
    for cls in (contexts.UnitReport, contexts.ProjectReport, contexts.DefectLine):
        assert all(help_text for help_text in contexts.help_of(cls).values()), cls


def test_the_pdf_has_real_chinese_text_in_wenquanyi(ctx: AppContext, project: str) -> None:
    pdf = render_pdf(handover_reports.unit_report(ctx, project, "101", "kefu"))
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "handover_unit_report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in ("单户交房报告", "1栋1单元101", "卫生间", "渗漏", "复验不通过", "139****0101"):
        assert words in text
    assert PHONE not in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    assert "WenQuanYi" in fonts.stdout
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(path),
            str(path.with_suffix("")),
        ],
        check=True,
    )
    assert list(ARTIFACTS.glob("handover_unit_report*.png"))

    project_pdf = ARTIFACTS / "handover_project_report.pdf"
    project_pdf.write_bytes(render_pdf(handover_reports.project_report(ctx, project, "kefu")))
    text = subprocess.run(
        ["pdftotext", str(project_pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in ("项目交房报告", "拒收原因", "阳台开裂未修复", "渗漏"):
        assert words in text
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(project_pdf),
            str(project_pdf.with_suffix("")),
        ],
        check=True,
    )


def test_the_cli_writes_the_project_report_one_unit_and_a_zip_of_all_units(
    ctx: AppContext, project: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["report", "handover", "--project", project, "--user", "kefu"]
    out = tmp_path / "project.html"
    assert cli.main([*base, "--format", "html", "-o", str(out)], ctx=ctx) == 0
    assert "项目交房报告" in out.read_text(encoding="utf-8")

    unit = tmp_path / "101.pdf"
    assert (
        cli.main([*base, "--unit", "1栋1单元101", "--format", "pdf", "-o", str(unit)], ctx=ctx) == 0
    )
    assert unit.read_bytes().startswith(b"%PDF")

    bundle = tmp_path / "units.zip"
    assert cli.main([*base, "--unit", "all", "--format", "html", "-o", str(bundle)], ctx=ctx) == 0
    with zipfile.ZipFile(io.BytesIO(bundle.read_bytes())) as archive:
        names = archive.namelist()
        assert len(names) == 6
        assert f"{project}_1栋1单元102.html" in names
        assert "阳台开裂未修复" in archive.read(f"{project}_1栋1单元102.html").decode()
    assert "[6/6]" in capsys.readouterr().err

    missing = tmp_path / "none.pdf"
    assert cli.main([*base, "--unit", "909", "--format", "pdf", "-o", str(missing)], ctx=ctx) == 2
    assert not missing.exists()
    assert "909" in capsys.readouterr().err


def _jpeg(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (shade, 90, 60)).save(out, "JPEG")
    return out.getvalue()


def test_the_unit_report_shows_the_inspection_and_the_first_three_photos_of_a_defect(
    ctx: AppContext, project: str
) -> None:
    before = handover_reports.unit_report(ctx, project, "301", "kefu")
    assert before.inspection is None
    assert "尚未进行联合查验" in render.render_html(before)
    sheet = inspection.checklist()
    results = [
        ItemResult(item.space, item.item, "na" if n == 0 else "pass")
        for n, item in enumerate(sheet.items)
    ]
    inspection.record_inspection(ctx, project, "301", "kefu", results)
    [leak] = [d for d in handover.list_defects(ctx, project, "kefu") if d.location.endswith("301")]
    for shade in (40, 80, 120, 160):
        attachments.attach(ctx, "defect", leak.defect_id, "kefu", f"渗水{shade}.jpg", _jpeg(shade))

    report = handover_reports.unit_report(ctx, project, "301", "kefu")
    assert report.inspection is not None
    assert (report.inspection.passed, report.inspection.not_applicable) == (len(sheet.items) - 1, 1)
    line = report.groups[0].defects[0]
    assert len(line.photos) == 3
    assert line.more_photos == 1
    assert all(p.startswith("data:image/jpeg;base64,") for p in line.photos)
    html = render.render_html(report)
    assert f"合格 {len(sheet.items) - 1}，有问题 0，不适用 1" in html
    assert "另有 1 张" in html

    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "handover_unit_report_photos.pdf"
    path.write_bytes(render_pdf(report))
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(images) == 3  # the thumbnails, 320 px wide, not the 1200 px originals
    assert all(int(row.split()[3]) == 320 for row in images)
    assert path.stat().st_size < 100_000


def test_reports_are_for_the_defect_readers_and_a_zip_needs_rooms(
    ctx: AppContext, project: str, driver: Driver
) -> None:
    for outsider in ("xiaoshou", "sheji"):  # sales and design: not among the defects' readers
        with pytest.raises(PermissionDeniedError):
            handover_reports.project_report(ctx, project, outsider)
        with pytest.raises(PermissionDeniedError):
            handover_reports.unit_reports(ctx, project, outsider)
    other = Driver(ctx, driver.clock, "P2")
    other.start_project(name="无房项目")
    with pytest.raises(InvalidInputError, match="no rooms"):
        handover_reports.units_zip(handover_reports.unit_reports(ctx, "P2", "kefu"), "pdf")


def test_phones_typed_into_a_description_are_masked_in_the_report(
    ctx: AppContext, project: str
) -> None:
    handover.add_defect(
        ctx,
        project,
        "301",
        "kefu",
        space="厨房",
        part="台面",
        category="开裂",
        description="业主请回电 139 1234 5678",
        severity="minor",
        due=date(2026, 6, 1),
    )
    html = render.render_html(handover_reports.unit_report(ctx, project, "301", "kefu"))
    assert "139******5678" in html
    assert "1234 5678" not in html
