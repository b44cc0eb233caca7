"""Saved state: it restores whatever order the database returns keys in, and keeps types."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from SpiffWorkflow.util.task import TaskState

from workflows.engine import Instance
from workflows.serializer import dump, load
from workflows.specs import ProcessBundle

NOW = datetime(2026, 5, 1, tzinfo=UTC)
DATA = {
    "project_name": "试点",
    "city": "苏州",
    "product_type": "洋房",
    "planned_handover_date": "2028-06-30",
}


def scrambled(value: Any) -> Any:
    """Objects with their keys sorted the way PostgreSQL's JSONB returns them."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k), k), reverse=True)
        return {key: scrambled(value[key]) for key in keys}
    if isinstance(value, list):
        return [scrambled(item) for item in value]
    return value


def test_state_restores_whatever_order_its_keys_come_back_in(repo_bundle: ProcessBundle) -> None:
    instance = Instance.start(repo_bundle, DATA, NOW)
    for task in instance.ready():
        if task.bpmn_id == "compile_service_standards":
            instance.complete(
                task.task_id, {"standards_version": "V2", "revision_summary": "草案"}, NOW
            )
    restored = Instance.restore(repo_bundle, scrambled(json.loads(json.dumps(instance.dump()))))
    ready = restored.workflow.get_tasks(manual=True, state=TaskState.READY)
    assert ready
    for task in ready:
        assert task.data["planned_handover_date"] == "2028-06-30", task.task_spec.bpmn_id
    assert [t.bpmn_id for t in restored.ready()] == [t.bpmn_id for t in instance.ready()]


def test_dates_decimals_and_sets_survive_a_round_trip(repo_bundle: ProcessBundle) -> None:
    instance = Instance.start(repo_bundle, DATA, NOW)
    root = instance.workflow.task_tree
    root.data.update({"area": Decimal("128.35"), "keys": {"A-1", "A-2"}, "day": date(2027, 1, 1)})
    state = json.loads(json.dumps(dump(instance.workflow)))
    again = load(state, repo_bundle).task_tree.data
    assert (again["area"], again["keys"], again["day"]) == (
        Decimal("128.35"),
        {"A-1", "A-2"},
        date(2027, 1, 1),
    )


def test_the_state_does_not_carry_the_process_spec(repo_bundle: ProcessBundle) -> None:
    state = Instance.start(repo_bundle, DATA, NOW).dump()
    assert "spec" not in state["workflow"]
    assert "subprocess_specs" not in state["workflow"]
    assert state["anju_state_version"] == 1
