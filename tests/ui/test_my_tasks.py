"""My tasks: filters and pages from the service, saved filters, claim / release, new arrivals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from anju.services import task_lists, tasks
from anju.services.errors import ConflictError, InvalidInputError
from anju.services.task_lists import TaskFilter
from tests.conftest import Driver
from tests.ui.conftest import signed_in

CASES_TASK = "提交老项目经验教训案例"


def nav_titles(at: AppTest) -> list[str]:
    """The navigation's page titles (AppTest has no public view of st.navigation)."""
    return [str(info.get("page_name")) for info in at._registered_pages.values()]


def another_project(driver: Driver, code: str, name: str) -> None:
    Driver(driver.ctx, driver.clock, code).start_project(name=name)


def test_the_service_filters_by_project_stage_and_due_window(app_env: Driver) -> None:
    another_project(app_env, "P2", "锦绣江南")
    ctx = app_env.ctx
    mine = task_lists.my_tasks(ctx, "kefu")
    assert (mine.total, {r.project_code for r in mine.rows}) == (4, {"P1", "P2"})
    p2 = task_lists.my_tasks(ctx, "kefu", TaskFilter(project="P2"))
    assert ({r.project_code for r in p2.rows}, p2.total) == ({"P2"}, 2)
    assert task_lists.my_tasks(ctx, "kefu", TaskFilter(stage="sales_stage")).total == 0
    assert task_lists.my_tasks(ctx, "kefu", TaskFilter(due="overdue")).total == 0
    soonest = min(r.due_at for r in mine.rows if r.due_at)
    app_env.clock.moment = soonest + timedelta(seconds=1)
    overdue = task_lists.my_tasks(ctx, "kefu", TaskFilter(due="overdue"))
    assert overdue.total >= 1
    assert all(r.overdue for r in overdue.rows)
    with pytest.raises(InvalidInputError):
        task_lists.my_tasks(ctx, "kefu", TaskFilter(due="someday"))


def test_the_service_pages_the_list(app_env: Driver) -> None:
    another_project(app_env, "P2", "锦绣江南")
    first = task_lists.my_tasks(app_env.ctx, "kefu", page=1, page_size=3)
    last = task_lists.my_tasks(app_env.ctx, "kefu", page=2, page_size=3)
    assert (first.total, first.pages, len(first.rows), len(last.rows)) == (4, 2, 3, 1)
    assert not {r.task_id for r in first.rows} & {r.task_id for r in last.rows}
    beyond = task_lists.my_tasks(app_env.ctx, "kefu", page=9, page_size=3)
    assert (beyond.page, beyond.rows) == (2, last.rows)


def test_fifty_tasks_a_page_with_a_page_control(app_env: Driver) -> None:
    for number in range(2, 27):  # 26 projects, two customer-service tasks each
        another_project(app_env, f"P{number}", f"项目{number}")
    at = signed_in(app_env, "kefu")
    assert any(c.value == "共 52 项待办任务，第 1/2 页" for c in at.caption)
    assert len(at.dataframe[0].value) == 50
    at.number_input(key="tasks_page").set_value(2).run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 2
    assert any(c.value == "共 52 项待办任务，第 2/2 页" for c in at.caption)


def test_a_saved_filter_is_kept_for_the_next_session(app_env: Driver) -> None:
    another_project(app_env, "P2", "锦绣江南")
    at = signed_in(app_env, "kefu")
    at.selectbox(key="tasks_project").select("P2").run()
    assert set(at.dataframe[0].value["项目"]) == {"锦绣江南"}
    at.text_input(key="tasks_filter_name").input("锦绣").run()
    at.button(key="tasks_save_filter").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["已保存筛选“锦绣”。"]

    later = signed_in(app_env, "kefu")  # a new browser session
    assert set(later.dataframe[0].value["项目"]) == {"云栖花园", "锦绣江南"}
    later.selectbox(key="tasks_saved").select("锦绣").run()
    assert set(later.dataframe[0].value["项目"]) == {"锦绣江南"}
    assert task_lists.saved_filters(app_env.ctx, "kefu2") == []  # per user


def test_a_filter_without_a_name_is_refused(app_env: Driver) -> None:
    at = signed_in(app_env, "kefu")
    at.button(key="tasks_save_filter").click().run()
    assert [e.value for e in at.error] == [
        "操作未完成：a filter needs a name of 1 to 64 characters"
    ]


def pick(at: AppTest, name: str) -> None:
    chooser = at.selectbox(key="my_tasks_pick")
    chooser.select(next(o for o in chooser.options if name in o)).run()


def test_a_task_claimed_by_a_colleague_shows_who_and_cannot_be_done(app_env: Driver) -> None:
    kefu = signed_in(app_env, "kefu")
    pick(kefu, CASES_TASK)
    kefu.button(key="claim_task").click().run()
    assert [s.value for s in kefu.success] == [f"已认领“{CASES_TASK}”。"]
    assert kefu.dataframe[0].value["认领人"].tolist().count("王晓燕") == 1

    colleague = signed_in(app_env, "kefu2")
    pick(colleague, CASES_TASK)
    assert [i.value for i in colleague.info] == [
        "此任务已由 王晓燕 认领，您不能办理；如需接手请联系对方释放。"
    ]
    assert not [b for b in colleague.button if b.key == "complete_task"]
    task_id = app_env.task("submit_design_cases").task_id
    with pytest.raises(ConflictError, match="claimed by kefu"):
        tasks.complete(app_env.ctx, task_id, "kefu2", {})

    kefu.button(key="release_task").click().run()
    assert f"已释放“{CASES_TASK}”" in kefu.success[0].value
    colleague.run()
    assert not colleague.info
    assert [b for b in colleague.button if b.key == "complete_task"]


def test_new_tasks_are_counted_in_the_title_and_announced(app_env: Driver) -> None:
    at = signed_in(app_env, "kefu")  # first look: both tasks of P1 are new
    assert [t.value for t in at.toast] == ["自您上次查看以来，有 2 项新任务到达。"]
    at.switch_page("anju/ui/pages/projects.py").run()  # My tasks was looked at: seen
    assert "我的任务" in nav_titles(at)
    assert not at.toast
    app_env.clock.moment = datetime.now(UTC)  # the app runs on the real clock
    another_project(app_env, "P2", "锦绣江南")
    at.run()
    assert "我的任务 (2)" in nav_titles(at)
    assert [t.value for t in at.toast] == ["自您上次查看以来，有 2 项新任务到达。"]
    at.run()
    assert not at.toast  # told once per arrival
    at.switch_page("anju/ui/pages/my_tasks.py").run()
    at.switch_page("anju/ui/pages/projects.py").run()
    assert "我的任务" in nav_titles(at)
    assert task_lists.new_task_count(app_env.ctx, "kefu") == 0
    assert task_lists.new_task_count(app_env.ctx, "kefu2") == 4  # per user, never looked


def test_an_open_task_shows_its_project_and_latest_events(app_env: Driver) -> None:
    at = signed_in(app_env, "kefu")
    pick(at, CASES_TASK)
    [context] = [e for e in at.expander if e.label.startswith("项目概况与最近动态")]
    assert context.label == "项目概况与最近动态：云栖花园"
    assert "苏州 · 高层住宅 · 当前阶段：" in context.caption[0].value
    events = context.dataframe[0].value
    assert list(events["事件"])[-1] == "项目启动"  # newest first: the start is the oldest
