"""The project diagram's node states, computed by the service from the audit trail and the
task index of a project driven through the real services."""

from __future__ import annotations

import pytest

from anju.services import diagram
from anju.services.diagram import ACTIVE, COMPLETED, PENDING
from anju.services.errors import NotFoundError
from tests.conftest import Driver


def states(shown: diagram.Diagram | None) -> dict[str, str]:
    assert shown is not None
    return {node.bpmn_id: node.state for node in shown.nodes}


def test_a_new_project_shows_design_active_and_its_first_tasks_ready(driver: Driver) -> None:
    driver.start_project()
    shown = diagram.project_diagrams(driver.ctx, "P1")
    lifecycle = states(shown.lifecycle)
    assert lifecycle["lifecycle_start"] == COMPLETED
    assert lifecycle["call_design_stage"] == ACTIVE
    assert lifecycle["call_sales_stage"] == PENDING
    assert lifecycle["lifecycle_end"] == PENDING
    assert [key for key, _ in shown.stages][:2] == ["design_stage", "sales_stage"]
    assert shown.stage is not None
    assert shown.stage.process_id == "design_stage"
    assert "<bpmndi:BPMNDiagram" in shown.stage.xml  # the deployed file, with its layout
    stage = states(shown.stage)
    assert {b for b, s in stage.items() if s == ACTIVE} == {
        "submit_design_cases",
        "call_service_standards",  # its first task, compile_service_standards, is ready
    }
    assert stage["design_gate_approval"] == PENDING


def test_completed_design_tasks_are_completed_and_the_ready_ones_active(driver: Driver) -> None:
    driver.start_project()
    driver.complete("submit_design_cases")
    driver.run_until_ready("design_gate_review")
    shown = diagram.project_diagrams(driver.ctx, "P1").stage
    assert shown is not None
    stage = states(shown)
    for done in ("submit_design_cases", "scheme_design", "drawing_internal_review"):
        assert stage[done] == COMPLETED
    assert stage["call_service_standards"] == COMPLETED
    assert stage["design_split"] == COMPLETED  # a gateway passed on the way
    assert stage["design_gate_review"] == ACTIVE
    assert set(driver.ready()) == {b for b, s in stage.items() if s == ACTIVE}
    assert stage["design_gate_approval"] == PENDING
    assert stage["design_end"] == PENDING
    node = next(n for n in shown.nodes if n.bpmn_id == "submit_design_cases")
    assert (node.completed, node.active) == (1, 0)
    counts = shown.counts()
    assert counts[ACTIVE] == 1
    assert counts[COMPLETED] >= 8


def test_after_the_gate_the_next_stage_is_active_and_design_is_completed(driver: Driver) -> None:
    driver.start_project()
    driver.run_until("sales_stage")
    shown = diagram.project_diagrams(driver.ctx, "P1")
    lifecycle = states(shown.lifecycle)
    assert lifecycle["call_design_stage"] == COMPLETED
    assert lifecycle["call_sales_stage"] == ACTIVE
    assert shown.stage is not None
    assert shown.stage.process_id == "sales_stage"
    design = diagram.project_diagrams(driver.ctx, "P1", "design_stage").stage
    assert design is not None
    assert design.counts()[PENDING] == 0
    assert design.counts()[ACTIVE] == 0
    assert states(design)["design_end"] == COMPLETED


def test_an_unknown_project_is_not_found(driver: Driver) -> None:
    with pytest.raises(NotFoundError):
        diagram.project_diagrams(driver.ctx, "NOPE")
