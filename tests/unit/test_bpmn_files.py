"""Every file in bpmn/ parses, validates, draws in a modeler and says who does each task."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from anju.roles import LANE_ROLES
from tests.conftest import STAGES
from workflows.errors import SpecError
from workflows.script_env import parse_duration
from workflows.specs import BPMN_NS, FLOW_NODES, load_bundle, read_directory

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DD_DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
FILES = sorted(BPMN_DIR.glob("*.bpmn"))


def tree(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def nodes(root: etree._Element) -> list[etree._Element]:
    return [n for tag in FLOW_NODES for n in root.iter(f"{{{BPMN_NS}}}{tag}")]


def bounds(shape: etree._Element) -> tuple[float, float, float, float]:
    b = shape.find(f"{{{DC_NS}}}Bounds")
    assert b is not None
    return (float(b.get("x")), float(b.get("y")), float(b.get("width")), float(b.get("height")))


def test_the_whole_lifecycle_is_there() -> None:
    bundle = load_bundle(read_directory(BPMN_DIR), roles=LANE_ROLES)
    assert [stage.key for stage in bundle.stages] == STAGES
    assert {*STAGES, "service_standards"} <= set(bundle.subprocess_specs)
    assert len(bundle.tasks) >= 50


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_stem_is_the_process_id(path: Path) -> None:
    [process] = tree(path).iter(f"{{{BPMN_NS}}}process")
    assert process.get("id") == path.stem


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_element_is_drawn(path: Path) -> None:
    root = tree(path)
    shapes = {s.get("bpmnElement"): s for s in root.iter(f"{{{DI_NS}}}BPMNShape")}
    edges = {e.get("bpmnElement"): e for e in root.iter(f"{{{DI_NS}}}BPMNEdge")}
    for node in nodes(root):
        assert node.get("id") in shapes, f"{node.get('id')} has no shape"
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        edge = edges.get(flow.get("id"))
        assert edge is not None, f"{flow.get('id')} has no edge"
        assert len(edge.findall(f"{{{DD_DI_NS}}}waypoint")) >= 2
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        assert lane.get("id") in shapes, f"lane {lane.get('id')} is not drawn"
    for participant in root.iter(f"{{{BPMN_NS}}}participant"):
        assert participant.get("id") in shapes


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_node_is_drawn_inside_its_lane(path: Path) -> None:
    root = tree(path)
    shapes = {s.get("bpmnElement"): s for s in root.iter(f"{{{DI_NS}}}BPMNShape")}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        lx, ly, lw, lh = bounds(shapes[lane.get("id")])
        for ref in lane.iter(f"{{{BPMN_NS}}}flowNodeRef"):
            x, y, w, h = bounds(shapes[ref.text])
            inside_x = lx <= x and x + w <= lx + lw
            inside_y = ly <= y and y + h <= ly + lh
            assert inside_x, f"{ref.text} is outside lane {lane.get('id')}"
            assert inside_y, f"{ref.text} is outside lane {lane.get('id')}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_user_task_has_a_role_a_name_documentation_and_a_due_date(path: Path) -> None:
    bundle = load_bundle(read_directory(BPMN_DIR), roles=LANE_ROLES)
    root = tree(path)
    for task in root.iter(f"{{{BPMN_NS}}}userTask"):
        definition = bundle.task(path.stem, task.get("id"))
        assert definition.role in LANE_ROLES
        assert definition.name != definition.bpmn_id, "the name is the Chinese label"
        assert definition.documentation
        parse_duration(definition.due)


def test_stage_gates_end_every_stage() -> None:
    bundle = load_bundle(read_directory(BPMN_DIR), roles=LANE_ROLES)
    for stage in STAGES:
        key = stage.removesuffix("_stage")
        review = bundle.task(stage, f"{key}_gate_review")
        approval = bundle.task(stage, f"{key}_gate_approval")
        assert (review.role, review.approval) == ("leader", "stage_gate")
        assert (approval.role, approval.approval) == ("gm", "stage_gate")


# ---------------------------------------------------------------------------- refusals


def broken(name: str, old: str, new: str) -> dict[str, str]:
    files = read_directory(BPMN_DIR)
    assert old in files[name], f"{old!r} not in {name}"
    files[name] = files[name].replace(old, new, 1)
    return files


def test_a_file_that_does_not_parse_is_refused_with_its_name() -> None:
    files = read_directory(BPMN_DIR)
    files["sales_stage.bpmn"] = files["sales_stage.bpmn"][:500]
    with pytest.raises(SpecError, match=r"sales_stage\.bpmn: not well-formed XML"):
        load_bundle(files)


def test_a_missing_called_process_is_refused_with_the_call_activity() -> None:
    files = read_directory(BPMN_DIR)
    del files["service_standards.bpmn"]
    with pytest.raises(SpecError, match="calls process 'service_standards'") as refused:
        load_bundle(files)
    assert refused.value.element == "call_service_standards"


def test_a_sequence_flow_to_nowhere_is_refused_with_the_flow_id() -> None:
    files = broken("handover_stage.bpmn", 'targetRef="check_owner_archive"', 'targetRef="nowhere"')
    with pytest.raises(SpecError, match="targetRef 'nowhere' is no element") as refused:
        load_bundle(files)
    assert refused.value.file == "handover_stage.bpmn"


def test_an_unsafe_condition_is_refused() -> None:
    files = broken("sales_stage.bpmn", "plastering_done == True", "open('/etc/passwd') != ''")
    with pytest.raises(SpecError, match='"open" is not available') as refused:
        load_bundle(files)
    assert refused.value.file == "sales_stage.bpmn"
    assert refused.value.element == "flow_plastering_check_to_open_day_merge"


def test_a_task_in_an_unknown_lane_is_refused() -> None:
    files = broken("design_stage.bpmn", 'id="design"', 'id="marketing"')
    with pytest.raises(SpecError, match="lane id must be a role"):
        load_bundle(files, roles=LANE_ROLES)


def test_a_user_task_without_a_due_date_is_refused() -> None:
    files = broken(
        "summary_stage.bpmn",
        '<spiffworkflow:property name="due"',
        '<spiffworkflow:property name="x"',
    )
    with pytest.raises(SpecError, match="no 'due' property"):
        load_bundle(files)


def test_the_ids_start_and_end_are_refused() -> None:
    files = read_directory(BPMN_DIR)
    text = files["summary_stage.bpmn"]
    start_id = text.split('<bpmn:startEvent id="', 1)[1].split('"', 1)[0]
    files["summary_stage.bpmn"] = text.replace(f'"{start_id}"', '"Start"')
    with pytest.raises(SpecError, match="clash with the engine") as refused:
        load_bundle(files)
    assert refused.value.element == "Start"


def test_a_form_field_named_typename_is_refused() -> None:
    files = broken("design_stage.bpmn", 'name="field.case_list"', 'name="field.typename"')
    with pytest.raises(SpecError, match="'typename' is not allowed") as refused:
        load_bundle(files)
    assert refused.value.element == "submit_design_cases"
