"""The Streamlit pages through AppTest, on the real services and a fresh database."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from anju.config import REPO_ROOT
from anju.services import auth, projects
from anju.ui.i18n import MESSAGES
from anju.ui.pages.my_tasks import field_key
from tests.conftest import Driver
from tests.ui.conftest import app, signed_in


def test_the_catalogue_has_every_key_in_both_languages() -> None:
    assert set(MESSAGES["zh"]) == set(MESSAGES["en"])


def test_signed_out_visitors_see_only_the_login_form(app_env: Driver) -> None:
    at = app().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "安居 · 客户服务流程"
    assert not at.error
    assert not at.dataframe
    assert not at.sidebar.button


def test_a_refused_login_is_explained(app_env: Driver) -> None:
    at = app()
    at.query_params["login"] = "failed"  # where POST /session/login sends a refused sign-in
    at.run()
    assert [e.value for e in at.error] == ["用户名或密码错误。"]
    assert not at.dataframe


def test_cs_completes_a_design_task_with_its_bpmn_form(app_env: Driver) -> None:
    at = signed_in(app_env, "kefu")
    assert at.header[0].value == "我的任务"
    assert at.selectbox(key="my_tasks_pick").options  # the two design-stage CS tasks
    pick = at.selectbox(key="my_tasks_pick")
    target = next(o for o in pick.options if "提交老项目经验教训案例" in o)
    pick.select(target).run()
    task_id = app_env.task("submit_design_cases").task_id
    at.number_input(key=field_key(task_id, "design_case_count")).set_value(9).run()
    at.text_area(key=field_key(task_id, "case_list")).input("外墙渗水、电梯噪声").run()
    at.button(key="complete_task").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["已完成“提交老项目经验教训案例”。"]
    assert "scheme_design" in app_env.ready()
    assert all("提交老项目经验教训案例" not in o for o in at.selectbox(key="my_tasks_pick").options)


def test_the_leader_rejects_a_gate_with_a_reason(app_env: Driver) -> None:
    app_env.run_until_ready("design_gate_review")
    at = signed_in(app_env, "lingdao")
    assert at.header[0].value == "审批"
    [comment] = at.text_area
    comment.input("缺少图纸内审记录").run()
    reject = next(b for b in at.button if b.key and b.key.startswith("reject_"))
    reject.click().run()
    assert not at.exception, at.exception
    assert "已驳回" in at.success[0].value
    rework = app_env.task("submit_design_review")
    assert rework.context["last_rejection"]["comment"] == "缺少图纸内审记录"


def test_the_projects_page_shows_the_portfolio_in_english(app_env: Driver) -> None:
    at = signed_in(app_env, "kefu")
    at.selectbox(key="anju_language").select("en").run()
    at.switch_page("anju/ui/pages/projects.py").run()
    assert not at.exception, at.exception
    assert at.header[0].value == "Projects"
    table = at.dataframe[0].value
    assert list(table["Project"]) == ["云栖花园"]
    assert list(table["Stage"]) == [projects.get_project(app_env.ctx, "P1").stage_name]


def test_the_projects_page_finds_a_project_by_name(app_env: Driver) -> None:
    other = Driver(app_env.ctx, app_env.clock, code="HZ-2")
    other.start_project(name="西溪里")
    at = signed_in(app_env, "kefu")
    at.switch_page("anju/ui/pages/projects.py").run()
    assert at.caption[0].value == "共 2 个项目，第 1/1 页"
    at.text_input(key="projects_search").input("西溪").run()
    assert not at.exception, at.exception
    assert list(at.dataframe[0].value["项目"]) == ["西溪里"]
    assert at.selectbox(key="projects_pick").options == ["HZ-2 · 西溪里"]
    at.text_input(key="projects_search").input("没有这个").run()
    assert [i.value for i in at.info] == ["没有符合条件的项目。"]


def test_a_cs_user_neither_sees_nor_can_open_approvals(app_env: Driver) -> None:
    at = signed_in(app_env, "kefu")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("anju/ui/pages/approvals.py")
    page = AppTest.from_file(str(REPO_ROOT / "anju/ui/pages/approvals.py"), default_timeout=60)
    page.session_state["anju_token"] = at.session_state["anju_token"]
    page.run()
    assert [e.value for e in page.error] == ["您的角色无权查看此页面。"]
    assert not page.button


def test_sign_out_ends_the_session(app_env: Driver) -> None:
    at = signed_in(app_env, "kefu")
    token = at.session_state["anju_token"]
    at.button(key="logout").click().run()
    assert auth.session_user(app_env.ctx, token) is None
    assert not at.sidebar.button
    assert at.title[0].value == "安居 · 客户服务流程"


def test_the_project_page_shows_the_lifecycle_and_stage_diagrams(app_env: Driver) -> None:
    app_env.complete("submit_design_cases")
    at = signed_in(app_env, "kefu")
    at.switch_page("anju/ui/pages/projects.py").run()
    assert not at.exception, at.exception
    frames = at.get("iframe")
    assert len(frames) == 2  # the lifecycle, then the current stage
    lifecycle, stage = (frame.proto.srcdoc for frame in frames)
    assert "BpmnJS" in lifecycle  # the viewer, inlined from node_modules
    assert "<script src" not in lifecycle  # nothing is fetched at run time
    assert "<link" not in lifecycle
    assert '"call_design_stage", "state": "active"' in lifecycle
    assert '"submit_design_cases", "state": "completed"' in stage
    assert '"scheme_design", "state": "active"' in stage
    assert at.selectbox(key="projects_stage").value == "design_stage"
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert any("已完成" in b and "进行中" in b and "未开始" in b for b in badges)
    at.selectbox(key="projects_stage").select("sales_stage").run()
    assert not at.exception, at.exception
    assert '"state": "active"' not in at.get("iframe")[1].proto.srcdoc


def test_cs_starts_a_project_and_a_duplicate_code_is_refused(app_env: Driver) -> None:
    at = signed_in(app_env, "kefu")
    at.switch_page("anju/ui/pages/start_project.py").run()
    assert not at.exception, at.exception
    assert at.header[0].value == "启动项目"
    at.text_input(key="start_code").input("SZ-01")
    at.text_input(key="start_name").input("星河湾")
    at.text_input(key="start_city").input("苏州")
    at.text_input(key="start_product_type").input("洋房")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert not at.error
    assert [s.value for s in at.success] == ["项目“星河湾”（SZ-01）已启动，当前阶段：设计阶段。"]
    assert projects.get_project(app_env.ctx, "SZ-01").stage_key == "design_stage"
    at.text_input(key="start_code").input("P1")  # app_env's project
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["项目编号“P1”已被使用，请换一个编号。"]


def test_only_customer_service_and_admins_may_start_projects(app_env: Driver) -> None:
    at = signed_in(app_env, "lingdao")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("anju/ui/pages/start_project.py")
    page = AppTest.from_file(str(REPO_ROOT / "anju/ui/pages/start_project.py"), default_timeout=60)
    page.session_state["anju_token"] = at.session_state["anju_token"]
    page.run()
    assert [e.value for e in page.error] == ["您的角色无权查看此页面。"]
    assert not page.text_input
