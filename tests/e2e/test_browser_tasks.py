"""Task arrivals in a real browser: the navigation shows how many new tasks wait and a toast
announces them; looking at My tasks clears the badge."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import Driver
from tests.e2e.conftest import Server, settle, shoot, sign_in

pytestmark = pytest.mark.e2e


def test_new_tasks_show_in_the_navigation_and_as_a_toast(
    browser: Browser, server: Server, portfolio: Driver
) -> None:
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    sign_in(page, server, "kefu")  # looks at My tasks: what is there now is seen
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name="项目", exact=True).click()
    settle(page)
    expect(nav.get_by_role("link", name="我的任务", exact=True)).to_be_visible()

    portfolio.clock.moment = datetime.now(UTC)  # the server runs on the real clock
    Driver(portfolio.ctx, portfolio.clock, "P2").start_project(name="锦绣江南")
    nav.get_by_role("link", name="项目", exact=True).click()  # any rerun
    settle(page)
    expect(nav.get_by_role("link", name="我的任务 (2)")).to_be_visible()
    expect(page.get_by_text("自您上次查看以来，有 2 项新任务到达。")).to_be_visible()
    shoot(page, "d1_new_tasks_badge")

    nav.get_by_role("link", name="我的任务 (2)").click()
    settle(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="项目", exact=True).click()
    settle(page)
    expect(nav.get_by_role("link", name="我的任务", exact=True)).to_be_visible()
