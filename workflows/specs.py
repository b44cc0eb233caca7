"""BPMN process models: read, validate and version them.

Owns: turning a set of BPMN files into a `ProcessBundle` (SpiffWorkflow specs plus what Anju
reads from the models: each user task's role, due duration, form fields and approval kind,
and the ordered stages of the top-level process), or refusing the files with a `SpecError`
that names the file, the element and the reason. A bundle's version is the SHA-256 of its
files' contents. Must not import `anju`, SQL or Streamlit.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from workflows.errors import ExpressionError, SpecError
from workflows.script_env import compile_expression, compile_script, parse_duration

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
TOP_PROCESS = "project_lifecycle"
FIELD_TYPES = frozenset({"text", "date", "bool", "number"})
APPROVAL_KINDS = frozenset({"stage_gate", "standards", "open_day_exception"})
RESERVED_IDS = frozenset({"Start", "End"})
RESERVED_FIELDS = frozenset({"typename", "comment", "add_duration"})
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
FLOW_NODES = [  # every BPMN element a sequence flow may connect
    "userTask",
    "manualTask",
    "task",
    "scriptTask",
    "serviceTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "callActivity",
    "subProcess",
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
]


@dataclass(frozen=True)
class FormField:
    """One input of a task's form, from a `field.NAME` property: `type|required|label`."""

    name: str
    type: str
    required: bool
    label: str


@dataclass(frozen=True)
class TaskDefinition:
    """What the BPMN says about one user task."""

    process_id: str
    bpmn_id: str
    name: str
    documentation: str
    role: str
    due: str
    fields: tuple[FormField, ...] = ()
    approval: str | None = None

    @property
    def decision_variable(self) -> str:
        """The data key an approval writes: `<task id>_decision` = "approved" | "rejected"."""
        return f"{self.bpmn_id}_decision"


@dataclass(frozen=True)
class StageDefinition:
    """A stage of the top-level process: one call activity, in flow order."""

    key: str
    name: str
    order: int
    call_activity_id: str


@dataclass
class ProcessBundle:
    """Every file of one deployed version, parsed: what an instance is pinned to."""

    version: str
    files: dict[str, str]
    spec: Any
    subprocess_specs: dict[str, Any]
    tasks: dict[tuple[str, str], TaskDefinition]
    stages: tuple[StageDefinition, ...]
    process_names: dict[str, str] = field(default_factory=dict)

    def task(self, process_id: str, bpmn_id: str) -> TaskDefinition:
        return self.tasks[(process_id, bpmn_id)]

    def stage(self, key: str) -> StageDefinition | None:
        return next((stage for stage in self.stages if stage.key == key), None)


def content_version(files: Mapping[str, str]) -> str:
    """The version of a set of files: SHA-256 over their names and contents, in name order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def read_directory(directory: Path) -> dict[str, str]:
    """Read every `*.bpmn` file of a folder: {file name: text}."""
    return {
        path.name: path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.bpmn"))
    }


def _parse_xml(name: str, text: str) -> Any:
    try:
        return etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise SpecError(name, None, f"not well-formed XML (line {exc.lineno}): {exc.msg}") from exc


def _local(node: Any) -> str:
    return str(etree.QName(node).localname)


def _properties(node: Any) -> dict[str, str]:
    props = node.xpath("./bpmn:extensionElements/spiffworkflow:properties/*", namespaces=NS)
    return {p.get("name"): p.get("value", "") for p in props}


def _parse_field(file: str, task_id: str, name: str, value: str) -> FormField:
    parts = [part.strip() for part in value.split("|")]
    if len(parts) != 3 or parts[0] not in FIELD_TYPES or parts[1] not in {"required", "optional"}:
        raise SpecError(file, task_id, f"form field '{name}' must read 'type|required|label'")
    if not _IDENTIFIER.match(name) or name in RESERVED_FIELDS or name.endswith("_decision"):
        raise SpecError(file, task_id, f"form field name '{name}' is not allowed")
    return FormField(name=name, type=parts[0], required=parts[1] == "required", label=parts[2])


def _check_expression(file: str, element: str, text: str, script: bool = False) -> None:
    try:
        compile_script(text) if script else compile_expression(text)
    except ExpressionError as exc:
        raise SpecError(file, element, str(exc)) from exc
    except SyntaxError as exc:
        raise SpecError(file, element, f"invalid Python expression: {exc.msg}") from exc


def _check_process(file: str, process: Any, roles: frozenset[str] | None) -> dict[str, str]:
    """Structural checks SpiffWorkflow does not make; returns {flow node id: lane id}."""
    nodes = {n.get("id"): n for tag in FLOW_NODES for n in process.iter(f"{{{BPMN_NS}}}{tag}")}
    for node_id in nodes:
        if node_id in RESERVED_IDS:
            raise SpecError(file, node_id, "the ids 'Start' and 'End' clash with the engine's own")
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        for end in ("sourceRef", "targetRef"):
            ref = flow.get(end)
            if ref not in nodes:
                raise SpecError(file, flow.get("id"), f"sequence flow {end} '{ref}' is no element")
        for condition in flow.iter(f"{{{BPMN_NS}}}conditionExpression"):
            _check_expression(file, flow.get("id"), (condition.text or "").strip())
    for timer in process.iter(f"{{{BPMN_NS}}}timerEventDefinition"):
        for expr in timer:
            _check_expression(file, timer.getparent().get("id"), (expr.text or "").strip())
    for script_task in process.iter(f"{{{BPMN_NS}}}scriptTask"):
        body = script_task.find(f"{{{BPMN_NS}}}script")
        _check_expression(
            file, script_task.get("id"), (body.text or "") if body is not None else "", True
        )
    lanes: dict[str, str] = {}
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):
        if roles is not None and lane.get("id") not in roles:
            raise SpecError(file, lane.get("id"), f"lane id must be a role: {sorted(roles)}")
        for ref in lane.iter(f"{{{BPMN_NS}}}flowNodeRef"):
            if ref.text in lanes:
                raise SpecError(file, ref.text, "flow node is in two lanes")
            lanes[str(ref.text)] = lane.get("id")
    return lanes


def _task_definitions(
    file: str, process: Any, lanes: dict[str, str]
) -> dict[tuple[str, str], TaskDefinition]:
    process_id = process.get("id")
    found: dict[tuple[str, str], TaskDefinition] = {}
    for node in process.iter(f"{{{BPMN_NS}}}userTask"):
        task_id = node.get("id")
        if task_id not in lanes:
            raise SpecError(file, task_id, "user task is in no lane, so no role can do it")
        props = _properties(node)
        due = props.get("due")
        if not due:
            raise SpecError(file, task_id, "user task has no 'due' property (ISO 8601 duration)")
        try:
            parse_duration(due)
        except ExpressionError as exc:
            raise SpecError(file, task_id, str(exc)) from exc
        approval = props.get("approval")
        if approval is not None and approval not in APPROVAL_KINDS:
            raise SpecError(file, task_id, f"unknown approval kind '{approval}'")
        fields = tuple(
            _parse_field(file, task_id, key.removeprefix("field."), value)
            for key, value in props.items()
            if key.startswith("field.")
        )
        doc = node.find(f"{{{BPMN_NS}}}documentation")
        found[(process_id, task_id)] = TaskDefinition(
            process_id=process_id,
            bpmn_id=task_id,
            name=node.get("name") or task_id,
            documentation=(doc.text or "").strip() if doc is not None else "",
            role=lanes[task_id],
            due=due,
            fields=fields,
            approval=approval,
        )
    return found


def _stages(file: str, process: Any) -> tuple[StageDefinition, ...]:
    """The call activities of the top-level process, following its flow from the start."""
    by_id = {n.get("id"): n for n in process}
    outgoing: dict[str, list[str]] = {}
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    starts = [n.get("id") for n in process.iter(f"{{{BPMN_NS}}}startEvent")]
    if not starts:
        raise SpecError(file, process.get("id"), "the process has no start event")
    stages: list[StageDefinition] = []
    seen: set[str] = set()
    current: str | None = starts[0]
    while current and current not in seen:
        seen.add(current)
        node = by_id.get(current)
        if node is not None and _local(node) == "callActivity":
            key = node.get("calledElement")
            stages.append(StageDefinition(key, node.get("name") or key, len(stages) + 1, current))
        nxt = outgoing.get(current)
        current = nxt[0] if nxt else None
    return tuple(stages)


def load_bundle(
    files: Mapping[str, str], top: str = TOP_PROCESS, roles: Iterable[str] | None = None
) -> ProcessBundle:
    """Parse and validate a whole set of BPMN files, or raise SpecError saying what is wrong."""
    role_set = frozenset(roles) if roles is not None else None
    tasks: dict[tuple[str, str], TaskDefinition] = {}
    defined: dict[str, str] = {}
    names: dict[str, str] = {}
    calls: list[tuple[str, str, str]] = []
    trees = {name: _parse_xml(name, text) for name, text in files.items()}
    for name, root in trees.items():
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            pid = process.get("id")
            if pid in defined:
                raise SpecError(name, pid, f"process id is also defined in {defined[pid]}")
            defined[pid] = name
            names[pid] = process.get("name") or pid
            tasks.update(_task_definitions(name, process, _check_process(name, process, role_set)))
            for call in process.iter(f"{{{BPMN_NS}}}callActivity"):
                calls.append((name, call.get("id"), call.get("calledElement")))
    for name, call_id, called in calls:
        if called not in defined:
            raise SpecError(name, call_id, f"calls process '{called}', which no file defines")
    if top not in defined:
        raise SpecError(top + ".bpmn", top, "the top-level process is missing")
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        for name, text in files.items():
            parser.add_bpmn_str(text.encode("utf-8"), filename=name)
        spec = parser.get_spec(top)
        subprocess_specs = parser.get_subprocess_specs(top)
    except ValidationException as exc:
        raise SpecError(exc.file_name or "?", exc.id or None, str(exc).split("\n")[0]) from exc
    top_process = next(trees[defined[top]].iter(f"{{{BPMN_NS}}}process"))
    return ProcessBundle(
        version=content_version(files),
        files=dict(files),
        spec=spec,
        subprocess_specs=subprocess_specs,
        tasks=tasks,
        stages=_stages(defined[top], top_process),
        process_names=names,
    )
