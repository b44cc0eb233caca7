"""The case library and case inputs pages against the real services: search, write, publish,
a stale edit, a package handed to design, acknowledged, verified, and the design gate refused
while one case is unverified."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from anju import demo_cases
from anju.services import case_inputs, cases, owners
from anju.ui.pages.cases import snippet_html
from tests.conftest import Driver
from tests.owner_sheets import clean_rows, record_leak, write_xlsx
from tests.ui.conftest import signed_in

CASES_PAGE = "anju/ui/pages/cases.py"
INPUTS_PAGE = "anju/ui/pages/case_inputs.py"


def open_page(driver: Driver, username: str, path: str) -> AppTest:
    at = signed_in(driver, username)
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def snippets(at: AppTest) -> list[str]:
    return [str(element.proto.body) for element in at.get("html")]


def test_the_snippet_is_escaped_before_the_hits_are_marked() -> None:
    marked = "业主<b>说</b>【漏水】了【漏】"
    assert snippet_html(marked, ((10, 12), (13, 14))) == (
        "业主&lt;b&gt;说&lt;/b&gt;<mark>漏水</mark>了<mark>漏</mark>"
    )


def test_searching_for_a_leak_shows_ranked_published_cases(app_env: Driver) -> None:
    demo_cases.load(app_env.ctx)
    at = open_page(app_env, "sheji", CASES_PAGE)  # a reader
    at.text_input(key="cases_query").input("漏水").run()
    assert not at.exception, at.exception
    expected = cases.search_cases(app_env.ctx, "漏水", "sheji", limit=10)
    assert expected.total > 0
    assert at.caption[0].value.startswith(f"共 {expected.total} 个案例")
    titles = [m.value for m in at.markdown if m.value.startswith("**#")]
    assert titles == [f"**#{hit.id} {hit.title}**" for hit in expected.hits]
    assert all("<mark>漏水</mark>" in body for body in snippets(at))
    assert not any(b.label == "新建案例" for b in at.expander)  # readers do not write

    at.text_input(key="cases_query").input("水").run()  # one character works too
    assert not at.exception, at.exception
    one = cases.search_cases(app_env.ctx, "水", "sheji", limit=10)
    assert at.caption[0].value.startswith(f"共 {one.total} 个案例")
    at.selectbox(key="cases_stage").select("construction").run()
    staged = [m.value for m in at.markdown if m.value.startswith("**#")]
    filtered = cases.search_cases(
        app_env.ctx, "水", "sheji", cases.CaseFilters(stage="construction"), limit=10
    )
    assert staged == [f"**#{hit.id} {hit.title}**" for hit in filtered.hits]


def fill_case(at: AppTest, title: str) -> None:
    at.text_input(key="cases_new_title").input(title)
    at.text_area(key="cases_new_description").input("地下室外墙雨季渗水，墙面发霉。")
    at.selectbox(key="cases_new_stage").select("construction")
    at.selectbox(key="cases_new_category").select("quality")
    at.selectbox(key="cases_new_department").select("engineering")
    at.text_area(key="cases_new_lesson").input("外墙防水做法交底并闭水试验。")


def test_customer_service_creates_and_publishes_a_case(app_env: Driver) -> None:
    at = open_page(app_env, "kefu", CASES_PAGE)
    fill_case(at, "地下室外墙渗水发霉")
    at.button(key="FormSubmitter:cases_new-保存为草稿").click().run()
    assert not at.exception, at.exception
    [found] = cases.search_cases(
        app_env.ctx, "外墙渗水", "kefu", cases.CaseFilters(statuses=("draft",))
    ).hits
    assert [s.value for s in at.success] == [
        f"已创建案例 #{found.id}“地下室外墙渗水发霉”（草稿）。"
    ]
    assert cases.search_cases(app_env.ctx, "外墙渗水", "sheji").total == 0  # a draft is hidden

    at.selectbox(key="cases_pick").select(found.id).run()
    assert at.dataframe[0].value.iloc[0, 1] == "地下室外墙渗水发霉"
    at.button(key=f"publish_{found.id}").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [f"已发布案例 #{found.id}。"]
    assert [h.id for h in cases.search_cases(app_env.ctx, "外墙渗水", "sheji").hits] == [found.id]
    history = at.dataframe[1].value
    assert list(history["操作"]) == ["创建", "发布"]


def test_a_stale_edit_is_refused_with_reload_advice(app_env: Driver) -> None:
    created = cases.create_case(
        app_env.ctx,
        "kefu",
        title="电梯厅渗水",
        description="雨天电梯厅地面积水。",
        stage="construction",
        category="quality",
        department="engineering",
    )
    at = open_page(app_env, "kefu", CASES_PAGE)
    at.selectbox(key="cases_pick").select(created.id).run()
    prefix = f"cases_edit_{created.id}"
    at.text_input(key=f"{prefix}_title").input("电梯厅雨天积水")  # kefu starts on version 1
    cases.edit_case(app_env.ctx, created.id, "kefu2", 1, lesson="门槛加挡水条。")  # kefu2 saves
    at.button(key=f"FormSubmitter:{prefix}-保存修改").click().run()
    assert not at.exception, at.exception
    [refusal] = [e.value for e in at.error]
    assert refusal.startswith("别人已保存了这个案例，请重新加载后再编辑")
    assert cases.get_case(app_env.ctx, created.id, "kefu").case.title == "电梯厅渗水"

    at.button(key=f"cases_reload_{created.id}").click().run()  # reload, then the edit goes in
    at.text_input(key=f"{prefix}_title").input("电梯厅雨天积水")
    at.button(key=f"FormSubmitter:{prefix}-保存修改").click().run()
    assert [s.value for s in at.success] == [f"已保存案例 #{created.id}（第 3 版）。"]
    saved = cases.get_case(app_env.ctx, created.id, "kefu").case
    assert (saved.title, saved.lesson) == ("电梯厅雨天积水", "门槛加挡水条。")


def test_a_package_goes_to_design_is_acknowledged_verified_and_gates_the_stage(
    app_env: Driver,
) -> None:
    ctx = app_env.ctx
    demo_cases.load(ctx)
    suggested = case_inputs.recommend(ctx, "P1", "design").suggestions[:3]
    at = open_page(app_env, "kefu", INPUTS_PAGE)
    assert any(c.value.startswith("推荐理由：") for c in at.caption)
    for s in suggested:
        at.checkbox(key=f"inputs_pick_P1_design_{s.case_id}").check()
    at.button(key="inputs_hand_over").click().run()
    assert not at.exception, at.exception
    [package] = case_inputs.project_packages(ctx, "P1", "design")
    assert [s.value for s in at.success] == [
        f"已将 3 个案例作为案例包 #{package.id} 移交给设计管理部。"
    ]
    assert [i.case_id for i in package.items] == [s.case_id for s in suggested]
    assert "等待设计管理部签收" in [w.value for w in at.warning]

    design = open_page(app_env, "sheji", INPUTS_PAGE)
    design.button(key=f"inputs_ack_{package.id}").click().run()
    assert not design.exception, design.exception
    assert [s.value for s in design.success] == [f"已签收案例包 #{package.id}。"]
    assert [i.value for i in design.info] == ["没有待签收的案例包。"]

    at = open_page(app_env, "kefu", INPUTS_PAGE)
    first, second, last = package.items
    at.button(key=f"FormSubmitter:inputs_verify_{first.id}-确认").click().run()
    assert [s.value for s in at.success] == [f"已确认 #{first.case_id}：已规避。"]
    at.radio(key=f"inputs_result_{second.id}").set_value("not_avoided")
    at.button(key=f"FormSubmitter:inputs_verify_{second.id}-确认").click().run()
    assert "「未规避」必须附上证据" in at.error[0].value  # the service's rule, shown
    at.text_input(key=f"inputs_reason_{second.id}").input("层高限制无法调整")
    at.text_input(key=f"inputs_evidence_{second.id}").input("施工图 A-12")
    at.button(key=f"FormSubmitter:inputs_verify_{second.id}-确认").click().run()
    assert [s.value for s in at.success] == [f"已确认 #{second.case_id}：未规避。"]
    states = list(at.dataframe[0].value["确认结果"])
    assert states == ["已规避", "未规避", "待确认"]

    app_env.run_until_ready("design_gate_review")
    leader = signed_in(app_env, "lingdao")
    task_id = app_env.task("design_gate_review").task_id
    leader.button(key=f"approve_{task_id}").click().run()
    [refusal] = [e.value for e in leader.error]
    assert f"#{last.case_id} {last.case_title}" in refusal
    assert "design_gate_review" in app_env.ready()

    at = open_page(app_env, "kefu", INPUTS_PAGE)
    at.radio(key=f"inputs_result_{last.id}").set_value("not_applicable")
    at.text_input(key=f"inputs_reason_{last.id}").input("本项目无幼儿园")
    at.button(key=f"FormSubmitter:inputs_verify_{last.id}-确认").click().run()
    leader = signed_in(app_env, "lingdao")
    leader.button(key=f"approve_{task_id}").click().run()
    assert not leader.error
    assert "design_gate_review" not in app_env.ready()


def test_the_pages_appear_by_role(app_env: Driver) -> None:
    def titles(at: AppTest) -> list[str]:
        return [str(info.get("page_name")) for info in at._registered_pages.values()]

    assert {"案例库", "案例输入"} <= set(titles(signed_in(app_env, "kefu")))
    leader = titles(signed_in(app_env, "lingdao"))
    assert "案例库" in leader
    assert "案例输入" not in leader


def test_customer_service_drafts_cases_from_the_projects_defects_once(
    app_env: Driver, tmp_path: Path
) -> None:
    owners.commit_import(
        app_env.ctx, app_env.code, write_xlsx(tmp_path / "o.xlsx", clean_rows()), "kefu"
    )
    for room, description in (("1栋1单元101", "卫生间墙面返潮"), ("1栋1单元102", "入户门闭合不严")):
        record_leak(app_env.ctx, app_env.code, room, description)
    at = open_page(app_env, "kefu", CASES_PAGE)
    at.selectbox(key="cases_drafts_project").select(app_env.code).run()
    at.button(key="cases_drafts_make").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [
        "云栖花园：2 个缺陷，新生成 2 个草稿案例，0 个此前已生成。"
    ]
    assert at.selectbox(key="cases_status").value == "draft"  # the new drafts are listed
    assert len(at.selectbox(key="cases_pick").options) == 2
    at.button(key="cases_drafts_make").click().run()
    assert [s.value for s in at.success] == [
        "云栖花园：2 个缺陷，新生成 0 个草稿案例，2 个此前已生成。"
    ]
