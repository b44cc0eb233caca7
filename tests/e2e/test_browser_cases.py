"""The case-input loop in a real browser: customer service finds cases and hands three to design,
design acknowledges, customer service verifies two, the leader's design-gate approval is refused
naming the third, customer service verifies it and the leader approves."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from anju import demo_cases
from anju.services import case_inputs
from tests.conftest import Driver
from tests.e2e.conftest import Server, settle, shoot, sign_in, sign_out

pytestmark = pytest.mark.e2e
GATE = "分管领导审核设计阶段"


@pytest.fixture
def library(portfolio: Driver) -> Driver:
    """The portfolio with the demo case library, created and published by customer service."""
    demo_cases.load(portfolio.ctx)
    return portfolio


def go(page: Page, title: str) -> None:
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    settle(page)


def verify(page: Page, case_id: int, title: str) -> None:
    form = page.get_by_test_id("stForm").filter(has_text=f"规避确认：#{case_id} {title}")
    form.get_by_role("button", name="确认").click()
    expect(page.get_by_text(f"已确认 #{case_id}：已规避。")).to_be_visible()
    settle(page)


def test_cases_handed_to_design_gate_the_stage_until_verified(
    browser: Browser, library: Driver, server: Server
) -> None:
    ctx = library.ctx
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_in(page, server, "kefu")
    go(page, "案例库")
    page.get_by_label("搜索案例").fill("漏水")
    page.get_by_label("搜索案例").press("Enter")
    settle(page)
    expect(page.get_by_text("个案例，第 1/").first).to_be_visible()
    expect(page.locator("mark", has_text="漏水").first).to_be_visible()
    shoot(page, "d1_case_search")

    go(page, "案例输入")
    picked = case_inputs.recommend(ctx, "P1", "design").suggestions[:3]
    for s in picked:
        page.get_by_text(f"#{s.case_id} {s.title}", exact=True).click()
        settle(page)
    expect(page.get_by_text("推荐理由：").first).to_be_visible()
    shoot(page, "d2_recommended_ticked")
    page.get_by_role("button", name="移交给设计管理部").click()
    expect(page.get_by_text("个案例作为案例包")).to_be_visible()
    expect(page.get_by_text("等待设计管理部签收")).to_be_visible()
    settle(page)
    shoot(page, "d3_package_handed_over")
    sign_out(page)

    sign_in(page, server, "sheji")
    go(page, "案例输入")
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_text("没有待签收的案例包。")).to_be_visible()
    settle(page)
    shoot(page, "d4_design_acknowledged")
    sign_out(page)

    sign_in(page, server, "kefu")
    go(page, "案例输入")
    first, second, last = picked
    verify(page, first.case_id, first.title)
    verify(page, second.case_id, second.title)
    shoot(page, "d5_two_verified")
    sign_out(page)

    library.run_until_ready("design_gate_review")
    sign_in(page, server, "lingdao")
    expect(page.get_by_text(GATE)).to_be_visible()
    page.get_by_label("审批意见（驳回时必填）").fill("同意")
    page.get_by_role("button", name="通过").click()
    refusal = page.get_by_role("alert").filter(has_text="不能通过阶段审批")
    expect(refusal).to_contain_text(f"#{last.case_id} {last.title}")
    settle(page)
    shoot(page, "d6_gate_refused")
    assert "design_gate_review" in library.ready()
    sign_out(page)

    sign_in(page, server, "kefu")
    go(page, "案例输入")
    verify(page, last.case_id, last.title)
    sign_out(page)

    sign_in(page, server, "lingdao")
    page.get_by_label("审批意见（驳回时必填）").fill("同意，案例均已确认")
    page.get_by_role("button", name="通过").click()
    expect(page.get_by_text(f"已通过“{GATE}”。")).to_be_visible()
    shoot(page, "d7_gate_approved")
    assert "design_gate_review" not in library.ready()
