"""Department managers reassign tasks; administrators add users, change roles, deactivate."""

from __future__ import annotations

import pytest

from anju.services import auth, projects, task_lists, tasks, users
from anju.services.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from tests.conftest import Driver
from tests.ui.conftest import PASSWORD, page, signed_in, token_for


@pytest.fixture
def manager(app_env: Driver) -> Driver:
    users.add_user(app_env.ctx, "kefu_jl", "张经理", ["customer_service", "cs_manager"])
    auth.set_password(app_env.ctx, "kefu_jl", PASSWORD)
    return app_env


def test_a_manager_assigns_department_tasks_to_a_colleague(manager: Driver) -> None:
    at = signed_in(manager, "kefu_jl")
    at.switch_page("anju/ui/pages/assign_tasks.py").run()
    assert not at.exception, at.exception
    assert at.header[0].value == "分派任务"
    chooser = at.multiselect(key="assign_tasks")
    assert len(chooser.options) == 2  # the two customer-service tasks of P1
    chooser.set_value([manager.task("submit_design_cases").task_id]).run()
    at.selectbox(key="assign_to").select("kefu2").run()
    at.button(key="assign_submit").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["已将 1 项任务分派给 刘海波。"]
    assert manager.task("submit_design_cases").assignee == "kefu2"
    trail = projects.history(manager.ctx, "P1")[-1]
    assert (trail.event, trail.actor, trail.data) == (
        "task_reassigned",
        "kefu_jl",
        {"from": None, "to": "kefu2"},
    )
    with pytest.raises(Exception, match="claimed by kefu2"):
        tasks.complete(manager.ctx, manager.task("submit_design_cases").task_id, "kefu", {})


def test_the_assign_page_comes_fifty_tasks_to_a_page(manager: Driver) -> None:
    for number in range(2, 27):  # 26 projects, two customer-service tasks each
        Driver(manager.ctx, manager.clock, f"P{number}").start_project(name=f"项目{number}")
    at = signed_in(manager, "kefu_jl")
    at.switch_page("anju/ui/pages/assign_tasks.py").run()
    assert any(c.value == "共 52 项待办任务，第 1/2 页" for c in at.caption)
    assert len(at.multiselect(key="assign_tasks").options) == 50
    first = task_lists.department_tasks(manager.ctx, "kefu_jl").rows[0].task_id
    at.multiselect(key="assign_tasks").set_value([first]).run()
    assert at.multiselect(key="assign_tasks").value == [first]
    at.number_input(key="assign_page").set_value(2).run()
    assert not at.exception, at.exception
    assert len(at.multiselect(key="assign_tasks").options) == 2
    assert at.multiselect(key="assign_tasks").value == []  # a choice on page 1 is not carried


def test_reassignment_is_checked_by_the_service(manager: Driver) -> None:
    ctx, task_id = manager.ctx, manager.task("submit_design_cases").task_id
    with pytest.raises(PermissionDeniedError, match="manages no department"):
        tasks.reassign(ctx, [task_id], "kefu2", "kefu")
    with pytest.raises(InvalidInputError, match="not in the customer_service lane"):
        tasks.reassign(ctx, [task_id], "sheji", "kefu_jl")
    with pytest.raises(InvalidInputError, match="at least one task"):
        tasks.reassign(ctx, [], "kefu2", "kefu_jl")
    users.add_user(ctx, "sheji_jl", "设计经理", ["design", "design_manager"])
    with pytest.raises(PermissionDeniedError, match="does not manage"):
        tasks.reassign(ctx, [task_id], "kefu2", "sheji_jl")
    assert manager.task("submit_design_cases").assignee is None


def test_only_managers_see_the_assign_page(manager: Driver) -> None:
    at = signed_in(manager, "kefu")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("anju/ui/pages/assign_tasks.py")
    direct = page("anju/ui/pages/assign_tasks.py")
    direct.session_state["anju_token"] = token_for(manager, "kefu")
    direct.run()
    assert [e.value for e in direct.error] == ["您的角色无权查看此页面。"]


def test_an_admin_adds_a_user_who_can_then_sign_in(app_env: Driver) -> None:
    at = signed_in(app_env, "admin")
    at.switch_page("anju/ui/pages/admin_users.py").run()
    assert not at.exception, at.exception
    assert "kefu" in list(at.dataframe[0].value["用户名"])
    at.text_input(key="admin_new_username").input("kefu3")
    at.text_input(key="admin_new_display_name").input("林晓")
    at.multiselect(key="admin_new_roles").set_value(["customer_service"])
    at.text_input(key="admin_new_password").input("short")
    at.button(key="admin_add_submit").click().run()
    assert [e.value for e in at.error] == ["操作未完成：a password needs at least 8 characters"]
    assert "kefu3" not in list(at.dataframe[0].value["用户名"])
    at.text_input(key="admin_new_password").input("long-enough-1")
    at.button(key="admin_add_submit").click().run()
    assert [s.value for s in at.success] == ["已添加用户“林晓”。"]
    assert "kefu3" in list(at.dataframe[0].value["用户名"])
    assert auth.session_user(app_env.ctx, auth.login(app_env.ctx, "kefu3", "long-enough-1"))


def test_an_admin_changes_roles_and_deactivates_a_user(app_env: Driver) -> None:
    kefu2_token = token_for(app_env, "kefu2")
    at = signed_in(app_env, "admin")
    at.switch_page("anju/ui/pages/admin_users.py").run()
    at.selectbox(key="admin_pick").select("kefu2").run()
    assert at.multiselect(key="admin_roles").value == ["customer_service"]
    at.multiselect(key="admin_roles").set_value(["customer_service", "cs_manager"]).run()
    at.button(key="admin_save_roles").click().run()
    assert [s.value for s in at.success] == ["已更新“刘海波”的角色。"]
    assert {u.username: u.roles for u in users.list_users(app_env.ctx)}["kefu2"] == (
        "cs_manager",
        "customer_service",
    )
    at.selectbox(key="admin_pick").select("kefu2").run()
    at.button(key="admin_deactivate").click().run()
    assert [s.value for s in at.success] == ["已停用“kefu2”，其所有登录已结束。"]
    assert auth.session_user(app_env.ctx, kefu2_token) is None
    with pytest.raises(PermissionDeniedError):
        auth.login(app_env.ctx, "kefu2", PASSWORD)
    assert "kefu2" not in at.selectbox(key="admin_pick").options


def test_account_actions_are_for_admins_and_keep_an_admin_in_charge(app_env: Driver) -> None:
    ctx = app_env.ctx
    with pytest.raises(PermissionDeniedError, match="only an administrator"):
        auth.create_user(ctx, "kefu", "x1", "某人", ["sales"], "long-enough-1")
    with pytest.raises(PermissionDeniedError, match="only an administrator"):
        auth.deactivate(ctx, "kefu", "kefu2")
    with pytest.raises(InvalidInputError, match="unknown role"):
        auth.create_user(ctx, "admin", "x1", "某人", ["boss"], "long-enough-1")
    with pytest.raises(InvalidInputError, match="own administrator role"):
        auth.change_roles(ctx, "admin", "admin", ["customer_service"])
    with pytest.raises(InvalidInputError, match="yourself"):
        auth.deactivate(ctx, "admin", "admin")
    with pytest.raises(NotFoundError):
        auth.change_roles(ctx, "admin", "nobody", ["sales"])
