"""The case-input loop on SQLite and PostgreSQL: recommend → package → acknowledge → the stage
gate is refused while a case is unverified (naming it) → verify every case → the gate approves."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import insert, update

from anju import cli, demo_cases
from anju.db.case_tables import Case, CaseRevision, CaseSearch
from anju.db.unit_of_work import Database
from anju.services import case_inputs, case_match, cases
from anju.services.context import AppContext
from anju.services.errors import (
    ConflictError,
    InvalidInputError,
    PermissionDeniedError,
)
from tests.conftest import BACKENDS, Driver


@pytest.fixture
def design_project(ctx: AppContext, driver: Driver) -> Driver:
    assert demo_cases.load(ctx) >= 60
    driver.start_project()
    driver.run_until_ready("submit_design_cases")
    return driver


def test_recommendation_ranks_design_cases_and_explains_itself(design_project: Driver) -> None:
    found = case_inputs.recommend(design_project.ctx, "P1", text="卫生间渗水")
    assert found.stage == "design"
    assert found.department == "design"
    assert found.suggestions
    scores = [s.score for s in found.suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(s.reasons for s in found.suggestions)
    assert found.suggestions[0].stage == "design"
    assert any("渗水≈" in r for s in found.suggestions for r in s.reasons)


def test_the_gate_waits_for_every_case_to_be_verified(design_project: Driver) -> None:
    ctx = design_project.ctx
    picked = [s.case_id for s in case_inputs.recommend(ctx, "P1").suggestions[:3]]
    with pytest.raises(PermissionDeniedError):
        case_inputs.create_package(ctx, "P1", "design", "sheji", picked)
    with pytest.raises(ConflictError, match="当前处于"):
        case_inputs.create_package(ctx, "P1", "construction", "kefu", picked)
    package = case_inputs.create_package(ctx, "P1", "design", "kefu", picked, note="设计输入")
    assert package.department == "design"
    assert [i.case_id for i in package.items] == picked
    with pytest.raises(ConflictError, match="已在本阶段的案例包中"):
        case_inputs.create_package(ctx, "P1", "design", "kefu", picked[:1])
    assert all(s.in_package for s in case_inputs.recommend(ctx, "P1").suggestions[:3])

    first, *rest = package.items
    with pytest.raises(ConflictError, match="尚未由 design 签收"):
        case_inputs.verify_item(ctx, first.id, "kefu", "avoided")
    with pytest.raises(PermissionDeniedError):
        case_inputs.acknowledge_package(ctx, package.id, "gongcheng")
    signed = case_inputs.acknowledge_package(ctx, package.id, "sheji")
    assert (signed.acknowledged_by, signed.acknowledged_at) == ("sheji", ctx.now())

    with pytest.raises(PermissionDeniedError):
        case_inputs.verify_item(ctx, first.id, "sheji", "avoided")
    with pytest.raises(InvalidInputError, match="证据"):
        case_inputs.verify_item(ctx, first.id, "kefu", "not_avoided", reason="工期紧")
    case_inputs.verify_item(ctx, first.id, "kefu", "avoided", evidence="图纸 A-12")

    design_project.run_until_ready("design_gate_review")
    with pytest.raises(InvalidInputError, match="未做规避确认") as refused:
        design_project.approve("design_gate_review")
    for item in rest:
        assert f"#{item.case_id} {item.case_title}" in str(refused.value)
    assert f"#{first.case_id} " not in str(refused.value)
    assert "design_gate_review" in design_project.ready()  # nothing moved
    assert [i.id for i in case_inputs.open_items(ctx, "P1", "design")] == [i.id for i in rest]

    design_project.reject("design_gate_review", "请先完成规避确认")  # rejecting stays possible
    design_project.run_until_ready("design_gate_review")
    case_inputs.verify_item(ctx, rest[0].id, "kefu", "not_applicable", reason="本项目无地下车库")
    case_inputs.verify_item(
        ctx, rest[1].id, "kefu2", "not_avoided", reason="规划条件限制", evidence="总图第3版"
    )
    assert case_inputs.open_items(ctx, "P1", "design") == []
    design_project.approve("design_gate_review")
    design_project.approve("design_gate_approval")
    assert design_project.project().stage_key == "sales_stage"
    verified = case_inputs.project_packages(ctx, "P1", "design")[0].items
    assert [(i.result, i.verified_by) for i in verified] == [
        ("avoided", "kefu"),
        ("not_applicable", "kefu"),
        ("not_avoided", "kefu2"),
    ]


def test_cli_recommends_packages_acknowledges_and_verifies(
    design_project: Driver, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx = design_project.ctx
    assert cli.main(["cases", "recommend", "--project", "P1", "--json"], ctx=ctx) == 0
    found = json.loads(capsys.readouterr().out)
    picked = [str(s["case_id"]) for s in found["suggestions"][:2]]
    argv = ["cases", "package", "--project", "P1", "--stage", "design", "--user", "kefu"]
    cases_args = [arg for case_id in picked for arg in ("--case", case_id)]
    assert cli.main([*argv, *cases_args, "--json"], ctx=ctx) == 0
    package = json.loads(capsys.readouterr().out)
    assert cli.main(["cases", "acknowledge", str(package["id"]), "--user", "sheji"], ctx=ctx) == 0
    assert "签收" in capsys.readouterr().out
    item = str(package["items"][0]["id"])
    bad = ["cases", "verify", item, "--user", "kefu", "--result", "not_applicable"]
    assert cli.main(bad, ctx=ctx) == 2
    assert cli.main([*bad, "--reason", "不涉及"], ctx=ctx) == 0
    assert cli.main(["cases", "recommend", "--project", "P1", "--stage", "design"], ctx=ctx) == 0
    assert "理由" in capsys.readouterr().out


def test_recommendation_follows_every_change_to_the_library(design_project: Driver) -> None:
    """The in-memory matching index sees cases published, edited and retired after it was
    loaded, in this process and in another one (a second context on the same database)."""
    ctx = design_project.ctx
    other = AppContext(db=Database(ctx.db.url), clock=ctx.clock, data_dir=ctx.data_dir)
    text = "储藏室门禁刷卡失灵"

    def top(context: AppContext) -> int:
        return case_inputs.recommend(context, "P1", "design", text=text).suggestions[0].case_id

    before = top(ctx), top(other)  # both indexes loaded
    created = cases.create_case(ctx, "kefu", title="储藏室门禁刷卡失灵", description="刷卡无反应。",
                                stage="design", category="living", department="design")  # fmt: skip
    assert top(ctx) == before[0]  # a draft is not suggested
    cases.publish_case(ctx, created.id, "kefu")
    assert top(ctx) == top(other) == created.id
    edited = cases.edit_case(ctx, created.id, "kefu", created.version + 1, title="地库照明不足",
                             description="车道灯具间距过大。")  # fmt: skip
    assert top(ctx) != created.id
    assert top(other) != created.id
    cases.edit_case(ctx, created.id, "kefu", edited.version, title=text)
    assert top(other) == created.id
    cases.retire_case(other, created.id, "kefu")
    assert top(ctx) == before[0]
    assert top(other) == before[1]
    other.db.dispose()


@pytest.mark.parametrize("database_url", BACKENDS[1:], indirect=True)  # SQLite serialises writers
@pytest.mark.parametrize("horizon_held", [False, True])
def test_recommendation_sees_a_change_that_commits_after_later_ones(
    design_project: Driver, monkeypatch: pytest.MonkeyPatch, horizon_held: bool
) -> None:
    """On PostgreSQL a slow transaction can commit its revision after many later ids were read;
    the matching index still catches it up: at once when it was the oldest transaction running,
    within RECHECK_SECONDS when an older unrelated one still holds the horizon — also while
    recommendations keep coming more often than that."""
    monkeypatch.setattr(case_match, "RECHECK_SECONDS", 1.0)
    ctx = design_project.ctx
    text = "储藏室门禁刷卡失灵"

    def top() -> int:
        return case_inputs.recommend(ctx, "P1", "design", text=text).suggestions[0].case_id

    slow_case = top()  # the index is loaded; now another published case is rewritten slowly
    target = next(s.case_id for s in case_inputs.recommend(ctx, "P1", "design").suggestions
                  if s.case_id != slow_case)  # fmt: skip
    with ctx.db.engine.connect() as unrelated, ctx.db.engine.connect() as slow:
        if horizon_held:  # an older transaction with an id, open throughout
            unrelated.exec_driver_sql("SELECT pg_current_xact_id()")
        writing = slow.begin()
        revision = {"at": ctx.now(), "actor": "kefu", "action": "edited", "changes": {}}
        slow.execute(update(Case).where(Case.id == target).values(title=text))
        searchable = {"title": text, "doc": text + "\n刷卡无反应。"}
        slow.execute(update(CaseSearch).where(CaseSearch.case_id == target).values(searchable))
        slow.execute(insert(CaseRevision).values(case_id=target, version=9, **revision))
        with ctx.db.engine.begin() as others:  # 150 revisions with later ids commit first
            rows = [{"case_id": slow_case, "version": 1, **revision} for _ in range(150)]
            others.execute(insert(CaseRevision), rows)
        assert top() != target  # caught up past them; the slow change is not visible yet
        writing.commit()
        seen = [top() == target]
        deadline = time.monotonic() + 5 * case_match.RECHECK_SECONDS
        while horizon_held and not seen[-1] and time.monotonic() < deadline:
            seen.append(top() == target)  # calls closer together than RECHECK_SECONDS
        unrelated.rollback()
    assert seen[-1]
    assert (len(seen) > 1) == horizon_held  # at once, or only by the periodic look
