"""The sign-in in a real browser: an HttpOnly cookie and a server-side session that survive a
reload and a second tab, and a sign-out that ends the session everywhere."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import PASSWORD, Server, settle, shoot, sign_in, sign_out

pytestmark = pytest.mark.e2e


def test_login_survives_a_reload_and_a_second_tab_and_logout_ends_both(
    browser: Browser, server: Server
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(server.url)
    settle(page)
    shoot(page, "c1_login")
    sign_in(page, server, "kefu")
    [cookie] = [c for c in context.cookies() if c["name"] == "anju_session"]
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Strict"

    page.reload()
    settle(page)
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()
    expect(page.get_by_text("当前用户：王晓燕")).to_be_visible()

    second = context.new_page()
    second.goto(f"{server.url}/projects")
    settle(second)
    expect(second.get_by_role("heading", name="项目", exact=True)).to_be_visible()
    shoot(second, "c2_second_tab")

    sign_out(page)
    assert not [c for c in context.cookies() if c["name"] == "anju_session"]
    second.reload()
    settle(second)
    expect(second.get_by_label("用户名")).to_be_visible()
    expect(second.get_by_text("当前用户")).to_have_count(0)


def test_a_wrong_password_is_refused_and_sets_no_cookie(browser: Browser, server: Server) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(server.url)
    settle(page)
    page.get_by_label("用户名").fill("kefu")
    page.get_by_label("密码", exact=True).fill(PASSWORD + "x")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("用户名或密码错误。")).to_be_visible()
    settle(page)
    assert not [c for c in context.cookies() if c["name"] == "anju_session"]
    expect(page.get_by_text("当前用户")).to_have_count(0)
