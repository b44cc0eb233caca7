"""The main paths in a real browser: a design stage from a CS task to the GM's approval, and two
people completing the same task at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Driver
from tests.e2e.conftest import Server, settle, shoot, sign_in, sign_out

pytestmark = pytest.mark.e2e
CASES_TASK = "提交老项目经验教训案例"


def open_task(page: Page, name: str) -> None:
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_test_id("stSelectbox").filter(has_text="选择任务").click()
    page.get_by_role("option", name=re.compile(name)).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    settle(page)


def fill_cases_form(page: Page, count: str) -> None:
    page.get_by_label("提交案例数").fill(count)
    page.get_by_label("案例清单说明 ·").fill("外墙渗水、电梯噪声、地库积水")
    page.get_by_label("备注").fill("已按四类整理")
    page.get_by_label("备注").press("Tab")


def approve_gate(page: Page, name: str, comment: str) -> None:
    expect(page.get_by_text(name)).to_be_visible()
    page.get_by_label("审批意见（驳回时必填）").fill(comment)
    page.get_by_role("button", name="通过").click()
    expect(page.get_by_text(f"已通过“{name}”。")).to_be_visible()
    settle(page)


def test_design_stage_from_cs_task_to_gm_approval(
    browser: Browser, server: Server, portfolio: Driver
) -> None:
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    sign_in(page, server, "kefu")
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()
    shoot(page, "a1_my_tasks_kefu")
    open_task(page, CASES_TASK)
    fill_cases_form(page, "9")
    shoot(page, "a2_task_form")
    page.get_by_role("button", name="完成任务").click()
    expect(page.get_by_text(f"已完成“{CASES_TASK}”。")).to_be_visible()
    shoot(page, "a3_task_completed")
    assert "scheme_design" in portfolio.ready()
    sign_out(page)

    portfolio.run_until_ready("design_gate_review")
    sign_in(page, server, "lingdao")
    expect(page.get_by_role("heading", name="审批")).to_be_visible()
    shoot(page, "a4_approvals_leader")
    approve_gate(page, "分管领导审核设计阶段", "同意，图纸内审记录齐全")
    sign_out(page)

    sign_in(page, server, "zongjingli")
    shoot(page, "a5_approvals_gm")
    approve_gate(page, "总经理审批设计阶段", "同意进入营销阶段")
    assert portfolio.project().stage_key == "sales_stage"
    page.get_by_role("link", name="项目").click()
    expect(page.get_by_role("heading", name="项目")).to_be_visible()
    settle(page)
    stage = page.get_by_test_id("stMetric").filter(has_text="当前阶段")
    expect(stage).to_contain_text("营销阶段")
    lifecycle, current = page.frame_locator("iframe").first, page.frame_locator("iframe").nth(1)
    expect(
        lifecycle.locator('svg [data-element-id="call_sales_stage"].anju-active')
    ).to_be_attached()
    expect(
        lifecycle.locator('svg [data-element-id="call_design_stage"].anju-completed')
    ).to_be_attached()
    expect(lifecycle.locator(".bjs-powered-by")).to_be_visible()  # bpmn-js's watermark stays
    expect(current.locator("svg .anju-active").first).to_be_attached()
    shoot(page, "a6_projects_gm")
    page.locator("iframe").nth(1).scroll_into_view_if_needed()
    shoot(page, "a7_project_stage_diagram")


def test_two_people_complete_the_same_task_and_the_second_is_told_who_did(
    browser: Browser, server: Server, portfolio: Driver
) -> None:
    first = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    second = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    for page, username in ((first, "kefu"), (second, "kefu2")):
        sign_in(page, server, username)
        open_task(page, CASES_TASK)
        fill_cases_form(page, "3")

    first.get_by_role("button", name="完成任务").click()
    expect(first.get_by_text(f"已完成“{CASES_TASK}”。")).to_be_visible()
    second.get_by_role("button", name="完成任务").click()
    refusal = second.get_by_text(re.compile(f"“{CASES_TASK}”已由 王晓燕 于 .* 完成"))
    expect(refusal).to_be_visible()
    shoot(first, "b1_first_completes")
    shoot(second, "b2_second_is_told")
    history = [entry for entry in portfolio.ready().values() if entry.name == CASES_TASK]
    assert history == []
