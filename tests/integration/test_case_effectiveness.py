"""Effectiveness figures of the case library on SQLite and PostgreSQL: per project and in
total — handed over, verified, avoided rate, not-avoided reasons, not applicable — and
recurrences (a later project's case that repeats an earlier published one)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from anju import cli, demo_cases
from anju.services import case_effectiveness, case_inputs, cases
from anju.services.errors import NotFoundError
from tests.conftest import Driver

CASE = {"stage": "construction", "department": "engineering", "description": "联合验收发现"}


@pytest.fixture
def verified_project(driver: Driver) -> Driver:
    """P1 (测试项目) in design with a package of four cases: avoided, not avoided (with
    reason), not applicable, and one still unverified."""
    ctx = driver.ctx
    assert demo_cases.load(ctx) >= 60
    driver.start_project()
    driver.run_until_ready("submit_design_cases")
    picked = [s.case_id for s in case_inputs.recommend(ctx, "P1").suggestions[:4]]
    package = case_inputs.create_package(ctx, "P1", "design", "kefu", picked)
    case_inputs.acknowledge_package(ctx, package.id, "sheji")
    first, second, third, _ = package.items
    case_inputs.verify_item(ctx, first.id, "kefu", "avoided")
    case_inputs.verify_item(ctx, second.id, "kefu", "not_avoided", "规划条件限制", "总图第3版")
    case_inputs.verify_item(ctx, third.id, "kefu", "not_applicable", "无地下车库")
    return driver


def test_figures_per_project_and_in_total(verified_project: Driver) -> None:
    ctx = verified_project.ctx
    report = case_effectiveness.effectiveness(ctx)
    (p1,) = report.projects
    assert (p1.project_code, p1.project_name) == ("P1", "测试项目")
    assert (p1.packages, p1.handed_over, p1.verified, p1.unverified) == (1, 4, 3, 1)
    assert (p1.avoided, p1.not_avoided, p1.not_applicable) == (1, 1, 1)
    assert p1.avoided_rate == 0.5  # not applicable and unverified count neither way
    assert report.total.handed_over == 4
    (missed,) = report.not_avoided
    assert (missed.reason, missed.evidence) == ("规划条件限制", "总图第3版")
    with pytest.raises(NotFoundError):
        case_effectiveness.effectiveness(ctx, "NOPE")


def test_a_later_similar_case_of_the_same_category_is_a_recurrence(
    verified_project: Driver,
) -> None:
    ctx = verified_project.ctx
    earlier = cases.search_cases(ctx, "地下车库顶板渗水", limit=1).hits[0]
    assert earlier.category == "quality"
    before = cases.create_case(  # happened before the earlier case was published: not counted
        ctx, "kefu", title="车库顶板漏水", category="quality", source_project="测试项目",
        occurred_on=ctx.now().date() - timedelta(days=3), **CASE,
    )  # fmt: skip
    verified_project.clock.advance(days=2)
    repeat = cases.create_case(
        ctx, "kefu", title="车库顶板漏水", category="quality", source_project="测试项目", **CASE
    )
    cases.create_case(  # same text, other category: not counted
        ctx, "kefu", title="车库顶板漏水", category="service", source_project="测试项目", **CASE
    )
    cases.create_case(  # same category, unrelated text: not counted
        ctx, "kefu", title="入户门把手松动", category="quality", source_project="测试项目", **CASE
    )
    report = case_effectiveness.effectiveness(ctx, "P1")
    assert [(r.case_id, r.earlier_case_id) for r in report.recurrences] == [(repeat.id, earlier.id)]
    assert before.id not in {r.case_id for r in report.recurrences}
    assert report.recurrences[0].similarity >= 0.6  # 渗水 ≈ 漏水
    assert report.projects[0].recurrences == 1
    assert report.total.recurrences == 1


def test_cli_prints_the_figures(
    verified_project: Driver, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = verified_project.ctx
    assert cli.main(["cases", "effectiveness", "--project", "P1", "--json"], ctx=ctx) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["projects"][0]["avoided_rate"] == 0.5
    assert cli.main(["cases", "effectiveness"], ctx=ctx) == 0
    out = capsys.readouterr().out
    assert "50%" in out
    assert "规划条件限制" in out
