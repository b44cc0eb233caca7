"""The project diagram: a process's BPMN XML with the state of each of its nodes.

Owns: deciding, for one project, which nodes of the top-level lifecycle and of one stage process
are completed (the audit trail: completed tasks, fired timers, stage events), active (the task
index: ready tasks and waiting timers) or pending (the rest). Reads the BPMN files of the version
the project's instance is pinned to. Must not import Streamlit; SQL stays in `anju.db`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from lxml import etree

from anju.db import diagram_repository as diagram_repo
from anju.db import repositories as repo
from anju.services.context import AppContext
from anju.services.errors import NotFoundError
from workflows.specs import BPMN_NS, FLOW_NODES, TOP_PROCESS

COMPLETED = "completed"
ACTIVE = "active"
PENDING = "pending"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class NodeState:
    """One flow node: its state, how often it was completed, how many of it are open now."""

    bpmn_id: str
    kind: str
    state: str
    completed: int = 0
    active: int = 0


@dataclass(frozen=True)
class Diagram:
    process_id: str
    name: str
    xml: str
    nodes: tuple[NodeState, ...]

    def counts(self) -> dict[str, int]:
        """How many nodes are completed, active and pending."""
        found = Counter(node.state for node in self.nodes)
        return {state: found.get(state, 0) for state in (COMPLETED, ACTIVE, PENDING)}


@dataclass(frozen=True)
class ProjectDiagrams:
    lifecycle: Diagram
    stage: Diagram | None
    stages: tuple[tuple[str, str], ...]  # (stage key, name) in flow order


@dataclass(frozen=True)
class _Node:
    bpmn_id: str
    kind: str
    called: str | None


@dataclass(frozen=True)
class _Process:
    process_id: str
    name: str
    xml: str
    nodes: tuple[_Node, ...]
    successors: dict[str, tuple[str, ...]]


def _processes(files: dict[str, str]) -> dict[str, _Process]:
    found: dict[str, _Process] = {}
    for text in files.values():
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            nodes = tuple(
                _Node(node.get("id") or "", etree.QName(node).localname, node.get("calledElement"))
                for node in process
                if isinstance(node.tag, str) and etree.QName(node).localname in FLOW_NODES
            )
            successors: dict[str, list[str]] = {}
            for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
                successors.setdefault(flow.get("sourceRef") or "", []).append(
                    flow.get("targetRef") or ""
                )
            pid = process.get("id") or ""
            found[pid] = _Process(
                pid,
                process.get("name") or pid,
                text,
                nodes,
                {source: tuple(targets) for source, targets in successors.items()},
            )
    return found


def project_diagrams(ctx: AppContext, code: str, stage_key: str | None = None) -> ProjectDiagrams:
    """The lifecycle diagram with stage states and one stage's diagram (default: the current)."""
    with ctx.db.unit_of_work(write=False) as session:
        project = repo.project_by_code(session, code)
        row = None if project is None else repo.instance_of_project(session, project.id)
        if project is None or row is None:
            raise NotFoundError(f"no project '{code}'")
        processes = _processes(diagram_repo.process_files(session, row.process_version))
        events = diagram_repo.node_events(session, row.id)
        open_nodes = diagram_repo.open_nodes(session, row.id)
        current, finished = row.stage_key, row.status == "completed"
    top = processes.get(TOP_PROCESS)
    if top is None:
        raise NotFoundError(f"the deployed process has no '{TOP_PROCESS}'")
    # Completions and fired timers belong to the stage that was running when they happened.
    done: dict[str, Counter[str]] = {}
    started: Counter[str] = Counter()
    stage_done: Counter[str] = Counter()
    running: str | None = None
    for event, bpmn_id, data in events:
        if event == "stage_started":
            running = data.get("stage")
            started[running or ""] += 1
        elif event == "stage_completed":
            stage_done[data.get("stage") or ""] += 1
        elif bpmn_id and running is not None:
            done.setdefault(running, Counter())[bpmn_id] += 1
    lifecycle = _lifecycle(top, current, finished, started, stage_done)
    stages = tuple(
        (node.called, processes[node.called].name)
        for node in top.nodes
        if node.called and node.called in processes
    )
    shown = stage_key or current
    stage = None
    if shown in processes and shown != TOP_PROCESS:
        stage = _stage(
            processes,
            processes[shown],
            done.get(shown, Counter()),
            open_nodes,
            running=shown == current,
            closed=bool(stage_done[shown]) and shown != current,
        )
    return ProjectDiagrams(lifecycle, stage, stages)


def _lifecycle(
    top: _Process,
    current: str | None,
    finished: bool,
    started: Counter[str],
    stage_done: Counter[str],
) -> Diagram:
    nodes: list[NodeState] = []
    for node in top.nodes:
        if node.called:
            if node.called == current:
                state = ACTIVE
            elif stage_done[node.called]:
                state = COMPLETED
            else:
                state = PENDING
            nodes.append(
                NodeState(
                    node.bpmn_id,
                    node.kind,
                    state,
                    completed=stage_done[node.called],
                    active=int(node.called == current),
                )
            )
        elif node.kind == "startEvent" or (node.kind == "endEvent" and finished):
            nodes.append(NodeState(node.bpmn_id, node.kind, COMPLETED, completed=1))
        else:
            nodes.append(NodeState(node.bpmn_id, node.kind, PENDING))
    return Diagram(top.process_id, top.name, top.xml, tuple(nodes))


def _stage(
    processes: dict[str, _Process],
    process: _Process,
    done: Counter[str],
    open_nodes: list[tuple[str, str, str, str | None]],
    running: bool,
    closed: bool,
) -> Diagram:
    """A stage's nodes: open ones active, completed ones (in this stage's run) completed."""
    here = [(kind, b, pid) for kind, b, pid, stage in open_nodes if stage == process.process_id]
    active = Counter(bpmn_id for _, bpmn_id, _ in here)
    active_in = Counter(pid for kind, _, pid in here if kind == "user")
    ran = bool(done) or running or closed
    nodes: list[NodeState] = []
    for node in process.nodes:
        completed = done[node.bpmn_id]
        now = active[node.bpmn_id]
        if node.called:
            called = processes.get(node.called)
            inner = {n.bpmn_id for n in called.nodes} if called else set()
            completed = max((done[bpmn_id] for bpmn_id in inner), default=0)
            now = active_in[node.called]
        elif (node.kind == "startEvent" and ran) or (node.kind == "endEvent" and closed):
            completed = max(completed, 1)
        if now:
            state = ACTIVE
        elif completed:
            state = COMPLETED
        else:
            state = PENDING
        nodes.append(NodeState(node.bpmn_id, node.kind, state, completed, now))
    return Diagram(process.process_id, process.name, process.xml, _passed(process, nodes))


def _passed(process: _Process, nodes: list[NodeState]) -> tuple[NodeState, ...]:
    """Gateways leave no trace in the audit trail: one was passed when a node after it ran."""
    by_id = {node.bpmn_id: node for node in nodes}
    for _ in range(len(nodes)):  # gateway chains: repeat until nothing changes
        changed = False
        for node in list(by_id.values()):
            if node.state != PENDING or not node.kind.endswith("Gateway"):
                continue
            after = [by_id[t] for t in process.successors.get(node.bpmn_id, ()) if t in by_id]
            if any(n.state != PENDING for n in after):
                by_id[node.bpmn_id] = NodeState(node.bpmn_id, node.kind, COMPLETED, completed=1)
                changed = True
        if not changed:
            break
    return tuple(by_id[node.bpmn_id] for node in nodes)
