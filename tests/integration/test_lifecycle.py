"""A project's lifecycle through the services, as the BPMN files define it.

Every Driver step loads the instance from the database, changes it and saves it again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from anju.services import approvals, processes, projects, tasks, timers
from anju.services.errors import InvalidInputError
from tests import mini_bpmn
from tests.conftest import STAGES, Driver


def finish_design(driver: Driver) -> None:
    driver.run_until("sales_stage")


def test_a_project_runs_through_all_six_stages_in_order(driver: Driver) -> None:
    started = driver.start_project(handover=date(2027, 6, 30))
    assert (started.stage_key, started.progress) == ("design_stage", 0)
    seen = []
    for _ in range(200):
        summary = driver.project()
        if not seen or seen[-1] != summary.stage_key:
            seen.append(summary.stage_key)
        if summary.stage_key is None:
            break
        if summary.ready_tasks == 0:
            driver.clock.moment = max(driver.clock.moment, summary.next_timer_at)
            driver.advance_clock(minutes=1)
        else:
            driver.step_any()
    assert seen == [*STAGES, None]
    done = driver.project()
    assert (done.status, done.progress, done.ready_tasks) == ("completed", 100, 0)
    events = [(h.event, h.data.get("stage")) for h in projects.history(driver.ctx, "P1")]
    assert [s for e, s in events if e == "stage_completed"] == STAGES
    assert [s for e, s in events if e == "stage_started"] == STAGES
    assert events[-1] == ("project_completed", None)


def test_progress_counts_the_completed_stages(driver: Driver) -> None:
    driver.start_project()
    finish_design(driver)
    summary = driver.project()
    assert (summary.stage_name, summary.stage_order, summary.progress) == ("营销阶段", 2, 17)


def test_a_rejected_gate_sends_the_stage_back_with_the_reason(driver: Driver) -> None:
    driver.start_project()
    driver.run_until_ready("design_gate_review")
    driver.reject("design_gate_review", "户型图缺少设备点位，请补充后重新提交")
    rework = driver.task("submit_design_review")
    assert rework.context["last_rejection"]["comment"] == "户型图缺少设备点位，请补充后重新提交"
    assert rework.context["last_rejection"]["by"] == "lingdao"
    assert driver.project().stage_key == "design_stage"
    entry = [h for h in projects.history(driver.ctx, "P1") if h.event == "gate_rejected"]
    assert [(e.actor_name, e.comment) for e in entry] == [
        ("孙志强", "户型图缺少设备点位，请补充后重新提交")
    ]
    driver.complete("submit_design_review")
    driver.approve("design_gate_review")
    assert "last_rejection" not in driver.task("design_gate_approval").context
    driver.approve("design_gate_approval")
    assert driver.project().stage_key == "sales_stage"


def test_a_gm_rejection_also_loops_back_to_the_stage(driver: Driver) -> None:
    driver.start_project()
    driver.run_until_ready("design_gate_approval")
    driver.reject("design_gate_approval", "请补充精装交付标准")
    assert driver.task("submit_design_review").context["last_rejection"]["by"] == "zongjingli"


def test_a_rejection_without_a_reason_is_refused(driver: Driver) -> None:
    driver.start_project()
    driver.run_until_ready("design_gate_review")
    row = driver.task("design_gate_review")
    with pytest.raises(InvalidInputError, match="needs a comment"):
        approvals.reject(driver.ctx, row.task_id, "lingdao", "  ")
    assert driver.task("design_gate_review").task_id == row.task_id


def test_the_standards_chain_goes_leader_then_gm_and_loops_on_rejection(driver: Driver) -> None:
    driver.start_project()
    driver.complete("compile_service_standards")
    driver.reject("review_service_standards", "投诉处理时限写得不清楚")
    driver.complete("compile_service_standards")
    driver.approve("review_service_standards")
    assert driver.task("approve_service_standards").role == "gm"
    driver.approve("approve_service_standards")
    assert not {"compile_service_standards", "approve_service_standards"} & set(driver.ready())


def reach_open_day(driver: Driver) -> None:
    driver.start_project()
    finish_design(driver)
    driver.complete("organise_customer_events")
    driver.complete("support_customer_events")


def test_an_open_day_before_plastering_needs_the_exception_approval(driver: Driver) -> None:
    reach_open_day(driver)
    driver.complete("plan_site_open_day", open_day_date="2026-05-01", plastering_done=False)
    assert driver.task("approve_open_day_exception").approval == "open_day_exception"
    assert "prepare_open_day_site" not in driver.ready()
    driver.reject("approve_open_day_exception", "粉刷未完成，现场安全无法保证，改期")
    driver.complete("plan_site_open_day", open_day_date="2026-06-01", plastering_done=False)
    driver.approve("approve_open_day_exception")
    assert "prepare_open_day_site" in driver.ready()


def test_an_open_day_after_plastering_needs_no_exception(driver: Driver) -> None:
    reach_open_day(driver)
    driver.complete("plan_site_open_day", open_day_date="2026-06-01", plastering_done=True)
    assert set(driver.ready()) == {"prepare_open_day_site"}


def test_the_pre_delivery_inspection_starts_one_month_before_handover(driver: Driver) -> None:
    driver.start_project(handover=date(2027, 9, 15))
    driver.run_until_ready("inspect_sample_unit")
    driver.complete("inspect_sample_unit")
    summary = driver.project()
    assert summary.ready_tasks == 0
    assert summary.next_timer_at == datetime(2027, 8, 15, tzinfo=UTC)
    driver.clock.moment = datetime(2027, 8, 14, 23, 0, tzinfo=UTC)
    assert timers.fire_due_timers(driver.ctx) == []
    fired = driver.advance_clock(hours=2)
    assert [(f.project_code, f.timer) for f in fired] == [("P1", "交房前一个月")]
    assert "predelivery_quality_inspection" in driver.ready()


def test_the_residence_callback_starts_three_months_after_move_in(driver: Driver) -> None:
    driver.start_project()
    driver.run_until_ready("record_concentrated_move_in")
    driver.complete("record_concentrated_move_in", move_in_date="2028-01-20")
    for _ in range(20):
        if not driver.ready():
            break
        driver.step_any()
    assert driver.project().next_timer_at == datetime(2028, 4, 20, tzinfo=UTC)
    driver.clock.moment = datetime(2028, 4, 20, 8, tzinfo=UTC)
    timers.fire_due_timers(driver.ctx)
    assert "residence_callback" in driver.ready()


def test_due_dates_come_from_the_bpmn(driver: Driver) -> None:
    driver.start_project()
    row = driver.task("submit_design_cases")  # due P14D in design_stage.bpmn
    assert row.due_at == driver.clock.moment + timedelta(days=14)
    driver.clock.advance(days=15)
    assert driver.task("submit_design_cases").overdue


def test_a_running_project_stays_on_its_version_when_a_new_one_is_deployed(
    driver: Driver,
) -> None:
    before = driver.start_project().process_version
    processes.deploy_files(driver.ctx, mini_bpmn.files(), "admin", "a different model")
    driver.complete("submit_design_cases")
    assert driver.project().process_version == before
    assert "scheme_design" in driver.ready()
    newer = Driver(driver.ctx, driver.clock, code="P2").start_project()
    assert newer.process_version != before
    assert {t.bpmn_id for t in tasks.list_tasks(driver.ctx, project="P2")} == {"fill_form"}
