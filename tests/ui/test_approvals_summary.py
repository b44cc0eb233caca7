"""The approver's stage summary: work done in the stage, unverified case inputs, open defects."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from anju import demo_cases
from anju.services import approvals, case_inputs, handover, owners
from tests.conftest import Driver
from tests.owner_sheets import clean_rows, write_xlsx
from tests.ui.conftest import signed_in


def test_a_design_gate_shows_the_work_done_and_the_unverified_cases(app_env: Driver) -> None:
    ctx = app_env.ctx
    demo_cases.load(ctx)
    picked = [s.case_id for s in case_inputs.recommend(ctx, "P1").suggestions[:2]]
    case_inputs.create_package(ctx, "P1", "design", "kefu", picked)
    app_env.run_until_ready("design_gate_review")
    at = signed_in(app_env, "lingdao")
    assert not at.exception, at.exception
    assert at.expander[0].label == "阶段小结 · 设计阶段"
    done = at.dataframe[0].value
    assert "提交老项目经验教训案例" in list(done["任务"])
    assert "王晓燕" in list(done["操作人"])
    assert [w.value for w in at.warning] == ["未做规避确认的案例（2）"]
    shown = list(at.dataframe[1].value["案例"])
    assert sorted(c.split()[0] for c in shown) == sorted(f"#{case_id}" for case_id in picked)


def test_a_handover_gate_lists_the_open_defects(app_env: Driver, tmp_path: Path) -> None:
    ctx = app_env.ctx
    owners.commit_import(ctx, "P1", write_xlsx(tmp_path / "o.xlsx", clean_rows()), "kefu")
    app_env.run_until("handover_stage")
    today = app_env.clock.moment.astimezone(ZoneInfo("Asia/Shanghai")).date()
    handover.add_defect(
        ctx,
        "P1",
        "1栋1单元101",
        "kefu",
        space="卫生间",
        part="墙面",
        category="渗漏",
        description="淋浴区墙面返潮",
        severity="major",
        due=today + timedelta(days=7),
    )
    app_env.run_until_ready("handover_gate_review")
    summary = approvals.stage_summary(ctx, "P1", "handover_stage", "lingdao")
    assert [d.description for d in summary.open_defects] == ["淋浴区墙面返潮"]
    assert all(entry.event != "stage_started" for entry in summary.done)
    at = signed_in(app_env, "lingdao")
    assert not at.exception, at.exception
    assert "未关闭的交房问题（1）" in [w.value for w in at.warning]
    assert list(at.dataframe[-1].value["问题描述"]) == ["淋浴区墙面返潮"]


def test_approvals_come_ten_to_a_page(app_env: Driver) -> None:
    """Each gate shows its stage summary, so the page holds ten and pages through the rest."""
    app_env.run_until_ready("design_gate_review")
    for number in range(2, 12):
        other = Driver(app_env.ctx, app_env.clock, code=f"P{number}")
        other.start_project(name=f"翠湖{number}期")
        other.run_until_ready("design_gate_review")
    at = signed_in(app_env, "lingdao")
    assert at.caption[0].value == "共 11 项待审批，第 1/2 页"
    assert len(at.expander) == 10
    at.number_input(key="approvals_page").set_value(2).run()
    assert not at.exception, at.exception
    assert at.caption[0].value == "共 11 项待审批，第 2/2 页"
    assert len(at.expander) == 1
