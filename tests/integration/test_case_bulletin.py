"""The case bulletin (案例通报) on both databases: chosen cases of the library in the order
chosen, rendered to HTML (escaped, StrictUndefined) and to PDF with real Chinese text, and the
`anju report bulletin` command."""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import date
from pathlib import Path

import jinja2
import pytest

from anju import cli
from anju.config import REPO_ROOT
from anju.reports import contexts, render
from anju.services import case_bulletin, cases
from anju.services.context import AppContext
from anju.services.errors import NotFoundError

ARTIFACTS = REPO_ROOT / "test-artifacts"
SCRIPT = "<script>alert('x')</script>"


@dataclasses.dataclass(frozen=True)
class Library:
    leak: int
    window: int
    parking: int
    draft: int


def _case(ctx: AppContext, publish: bool = True, **values: object) -> int:
    view = cases.create_case(ctx, "kefu", **values)
    if publish:
        cases.publish_case(ctx, view.id, "kefu")
    return view.id


@pytest.fixture
def library(ctx: AppContext) -> Library:
    """Three published cases (one description holds markup) and one draft."""
    leak = _case(
        ctx,
        title="卫生间沉箱积水渗漏",
        description="交房后三个月业主报楼下顶棚渗水 " + SCRIPT,
        stage="construction",
        category="quality",
        department="engineering",
        severity="serious",
        cause="沉箱防水层未上翻，闭水试验只做了二十四小时。",
        lesson="沉箱防水上翻不少于三十公分，闭水试验四十八小时并拍照留档。",
        source_project="江宁翠苑",
        location="卫生间",
        occurred_on=date(2025, 6, 1),
    )
    window = _case(
        ctx,
        title="主卧飘窗台面过低存在坠落隐患",
        description="验房时业主指出飘窗台面离地仅三十公分，孩子可以直接爬上。",
        stage="design",
        category="building",
        department="design",
        severity="critical",
        cause="设计按面积最大化布置飘窗，未复核防护高度。",
        lesson="飘窗台面低于四十五公分时必须设防护栏杆，施工图审查逐户核对。",
        source_project="栖霞雅苑",
        location="主卧",
    )
    parking = _case(
        ctx,
        title="地下车库坡道转弯半径不足",
        description="业主反映大型车辆在坡道转弯处剐蹭墙面。",
        stage="design",
        category="planning",
        department="design",
        severity="general",
        source_project="仙林花园",
        location="地下车库",
    )
    draft = _case(
        ctx,
        publish=False,
        title="入户门猫眼高度不一致",
        description="同一楼栋入户门猫眼高度相差五公分。",
        stage="construction",
        category="quality",
        department="engineering",
    )
    return Library(leak, window, parking, draft)


def test_the_bulletin_lists_the_chosen_cases_in_order_with_summary_and_details(
    ctx: AppContext, library: Library
) -> None:
    chosen = [library.window, library.leak, library.parking, library.window]
    report = case_bulletin.bulletin(ctx, chosen, "kefu", title="2025年第三季度设计案例通报")
    assert [c.case_id for c in report.cases] == [library.window, library.leak, library.parking]
    assert report.title == "2025年第三季度设计案例通报"
    assert report.issued_by != ""
    leak = report.cases[1]
    assert (leak.stage_label, leak.category_label, leak.severity_label) == (
        "施工交验",
        "工程质量",
        "严重",
    )
    assert (leak.department_label, leak.location, leak.source_project) == (
        "项目工程部",
        "卫生间",
        "江宁翠苑",
    )

    html = case_bulletin.render_html(report)
    titles = ("主卧飘窗台面过低存在坠落隐患", "卫生间沉箱积水渗漏", "地下车库坡道转弯半径不足")
    summary, details = html.split("<h2>案例一览</h2>")[1].split('<section class="bulletin-case"', 1)
    positions = [summary.index(t) for t in titles]
    assert positions == sorted(positions)  # the summary table in the chosen order
    positions = [details.index(t) for t in titles]
    assert positions == sorted(positions)  # and the cases in that order too
    for words in (
        "沉箱防水层未上翻",  # cause analysis
        "闭水试验四十八小时",  # lesson
        "设计管理部",  # responsible department
        "主卧",
        "栖霞雅苑",
        "已发布",
        "2025-06-01",
        report.issued_on.isoformat(),
        report.issued_by,
    ):
        assert words in html
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") == 1
    assert "入户门猫眼" not in html  # a case not chosen is not in the bulletin

    default = case_bulletin.bulletin(ctx, [library.parking], "kefu")
    assert default.title == "案例通报"
    assert "<h1>案例通报</h1>" in case_bulletin.render_html(default)


def test_unknown_ids_and_drafts_for_readers_are_refused_by_name(
    ctx: AppContext, library: Library
) -> None:
    with pytest.raises(NotFoundError) as refused:
        case_bulletin.bulletin(ctx, [library.leak, 9998, 9999], "kefu")
    assert "#9998" in str(refused.value)
    assert "#9999" in str(refused.value)
    assert f"#{library.leak}" not in str(refused.value)

    with pytest.raises(NotFoundError, match=f"#{library.draft}"):
        case_bulletin.bulletin(ctx, [library.leak, library.draft], "sheji")  # design reads
    drafted = case_bulletin.bulletin(ctx, [library.draft], "kefu")  # customer service may
    assert drafted.cases[0].status_label == "草稿"
    assert "草稿" in case_bulletin.render_html(drafted)
    assert (
        case_bulletin.bulletin(ctx, [library.leak], "sheji").cases[0].title == "卫生间沉箱积水渗漏"
    )


def test_the_template_renders_with_strict_undefined_and_documents_its_context(
    ctx: AppContext, library: Library
) -> None:
    report = case_bulletin.bulletin(ctx, [library.leak], "kefu")

    @dataclasses.dataclass(frozen=True)
    class Incomplete:  # a bulletin without its cases
        title: str
        issued_on: date
        issued_by: str
        generated_at: object

    partial = Incomplete(report.title, report.issued_on, report.issued_by, report.generated_at)
    with pytest.raises(jinja2.UndefinedError, match="cases"):
        render.render_template(contexts.CaseBulletin.template, r=partial)
    for cls in (contexts.CaseBulletin, contexts.BulletinCase):
        assert all(help_text for help_text in contexts.help_of(cls).values()), cls


def test_the_pdf_has_the_chinese_titles_in_wenquanyi(ctx: AppContext, library: Library) -> None:
    report = case_bulletin.bulletin(ctx, [library.leak, library.window, library.parking], "kefu")
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "case_bulletin.pdf"
    path.write_bytes(case_bulletin.render(report, "pdf"))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in ("案例通报", "卫生间沉箱积水渗漏", "主卧飘窗台面过低存在坠落隐患", "原因分析"):
        assert words in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    assert "WenQuanYi" in fonts.stdout
    png = path.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(png)], check=True
    )
    assert list(ARTIFACTS.glob("case_bulletin*.png"))


def test_the_cli_writes_the_bulletin_and_refuses_unknown_ids(
    ctx: AppContext, library: Library, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bulletin.html"
    argv = ["report", "bulletin", "--case", str(library.parking), "--case"]
    argv += [f"{library.leak},{library.window}", "--user", "kefu", "--title", "设计交底案例"]
    assert cli.main([*argv, "--format", "html", "-o", str(out)], ctx=ctx) == 0
    html = out.read_text(encoding="utf-8")
    assert "<h1>设计交底案例</h1>" in html
    assert html.index("地下车库坡道") < html.index("卫生间沉箱") < html.index("主卧飘窗")

    pdf = tmp_path / "bulletin.pdf"
    argv = ["report", "bulletin", "--case", str(library.leak), "--user", "kefu"]
    assert cli.main([*argv, "--format", "pdf", "-o", str(pdf)], ctx=ctx) == 0
    assert pdf.read_bytes().startswith(b"%PDF")

    missing = tmp_path / "none.pdf"
    argv = ["report", "bulletin", "--case", "4242", "--user", "kefu", "-o", str(missing)]
    assert cli.main(argv, ctx=ctx) == 2
    assert not missing.exists()
    assert "#4242" in capsys.readouterr().err
