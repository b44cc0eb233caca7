"""The engine on its own: start, complete with form checks, decide gates, save and restore."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests import mini_bpmn
from workflows.engine import MAX_GATE_REJECTIONS, Instance
from workflows.errors import FormDataError, SpecError, TaskFailedError, TaskStateError
from workflows.specs import load_bundle

NOW = datetime(2026, 5, 1, tzinfo=UTC)
DATA = {
    "project_name": "试点",
    "city": "苏州",
    "product_type": "洋房",
    "planned_handover_date": "2028-06-30",
}


def mini(condition: str = "amount == 1") -> Instance:
    return Instance.start(load_bundle(mini_bpmn.files(condition)), DATA, NOW)


def saved(instance: Instance) -> Instance:
    return Instance.restore(instance.bundle, instance.dump())


def ready_id(instance: Instance, bpmn_id: str) -> str:
    return next(t.task_id for t in instance.ready() if t.bpmn_id == bpmn_id)


def test_start_needs_the_project_data() -> None:
    with pytest.raises(FormDataError, match="planned_handover_date"):
        Instance.start(load_bundle(mini_bpmn.files()), {**DATA, "planned_handover_date": ""}, NOW)


def test_form_fields_are_checked_against_the_bpmn() -> None:
    instance = mini()
    task = ready_id(instance, "fill_form")
    with pytest.raises(FormDataError, match="must be a number"):
        instance.complete(task, {"amount": "three"}, NOW)
    with pytest.raises(FormDataError, match="no field"):
        instance.complete(task, {"typename": "x"}, NOW)
    with pytest.raises(FormDataError, match="must be text, a number"):
        instance.complete(task, {"amount": 1, "comment": {"nested": "dict"}}, NOW)


def test_a_completed_task_cannot_run_twice() -> None:
    instance = mini()
    task = ready_id(instance, "fill_form")
    instance.complete(task, {"amount": 1}, NOW)
    with pytest.raises(TaskStateError, match="not ready"):
        instance.complete(task, {"amount": 1}, NOW)


def test_rejection_loops_back_with_its_reason_and_approval_clears_it() -> None:
    instance = saved(mini())
    instance.complete(ready_id(instance, "fill_form"), {"amount": 1}, NOW)
    instance = saved(instance)
    instance.decide(ready_id(instance, "gate_review"), False, "数量不对", "lingdao", NOW)
    instance = saved(instance)
    rework = next(t for t in instance.ready() if t.bpmn_id == "fill_form")
    assert rework.context["last_rejection"]["comment"] == "数量不对"
    assert rework.context["last_rejection"]["by"] == "lingdao"
    instance.complete(rework.task_id, {"amount": 1}, NOW)
    instance = saved(instance)
    instance.decide(ready_id(instance, "gate_review"), True, "", "lingdao", NOW)
    assert saved(instance).workflow.completed


def test_a_rejection_needs_a_comment() -> None:
    instance = mini()
    instance.complete(ready_id(instance, "fill_form"), {"amount": 1}, NOW)
    with pytest.raises(FormDataError, match="comment"):
        instance.decide(ready_id(instance, "gate_review"), False, "  ", "lingdao", NOW)


def test_gate_rejections_are_capped() -> None:
    instance = mini()
    for round_ in range(MAX_GATE_REJECTIONS + 1):
        instance.complete(ready_id(instance, "fill_form"), {"amount": 1}, NOW)
        gate = ready_id(instance, "gate_review")
        if round_ == MAX_GATE_REJECTIONS:
            with pytest.raises(TaskStateError, match="rejected"):
                instance.decide(gate, False, "again", "lingdao", NOW)
        else:
            instance.decide(gate, False, "again", "lingdao", NOW)


def test_a_failing_condition_raises_task_failed_and_names_the_task() -> None:
    instance = mini("amount.missing == 1")
    with pytest.raises(TaskFailedError, match="填写表单"):
        instance.complete(ready_id(instance, "fill_form"), {"amount": 1}, NOW)


def test_an_optional_field_left_empty_can_be_read_by_a_condition() -> None:
    instance = mini("bool(amount)")
    instance.complete(ready_id(instance, "fill_form"), {}, NOW)
    assert saved(instance).workflow.completed


def test_unsafe_conditions_are_refused_at_load_time() -> None:
    with pytest.raises(SpecError, match="s3") as refused:
        load_bundle(mini_bpmn.files("__import__('os').system('id')"))
    assert refused.value.file == "mini_stage.bpmn"
    assert refused.value.element == "s3"
