"""Saved state of one running instance: a versioned, JSON-ready dict without the process spec.

Owns: converting a `BpmnWorkflow` to and from the dict stored in the database. The spec is
not stored per instance (it is the pinned `ProcessBundle`, kept once per version), which
halves the state. Anju's envelope has its own version and a chain of upgrade steps, like
SpiffWorkflow's serializer migrations; SpiffWorkflow's own `serializer_version` is kept too.
Must not import `anju`, SQL or Streamlit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from workflows.specs import ProcessBundle

STATE_VERSION = 1
"""Version of Anju's state envelope. Bump it with an upgrade step in `UPGRADES`."""

UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
"""`UPGRADES[n]` turns an envelope of version n into version n + 1."""


class PinnedSpecWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Converts a top-level workflow without its specs; they come back from the bundle."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], bundle: ProcessBundle | None = None) -> BpmnWorkflow:
        if bundle is None:
            raise ValueError("restoring a workflow needs the bundle it is pinned to")
        workflow = self.target_class(bundle.spec, bundle.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _registry() -> Any:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = PinnedSpecWorkflowConverter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(
        date, lambda v: {"value": v.isoformat()}, lambda v: date.fromisoformat(v["value"])
    )
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
    registry.register(set, lambda v: {"items": sorted(v, key=repr)}, lambda v: set(v["items"]))
    return registry


_SERIALIZER = BpmnWorkflowSerializer(_registry())
_ENCODER = create_encoder(_SERIALIZER.registry)


def dump(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The JSON-ready envelope for a workflow (task data values encoded by the registry)."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True  # SpiffWorkflow leaves task data to its JSON encoder
    try:
        text = json.dumps(_SERIALIZER.to_dict(workflow), cls=_ENCODER)
    finally:
        registry._encoder_mode = False
    return {
        "anju_state_version": STATE_VERSION,
        "serializer_version": _SERIALIZER.VERSION,
        "workflow": json.loads(text),
    }


def load(envelope: dict[str, Any], bundle: ProcessBundle) -> BpmnWorkflow:
    """Restore a workflow from its envelope, upgrading old envelopes first."""
    envelope = dict(envelope)
    version = int(envelope.get("anju_state_version", 0))
    while version < STATE_VERSION:
        envelope = UPGRADES[version](envelope)
        version += 1
    workflow_dict = dict(envelope["workflow"])
    spiff_version = envelope.get("serializer_version")
    if spiff_version != _SERIALIZER.VERSION and spiff_version in MIGRATIONS:
        MIGRATIONS[spiff_version](workflow_dict)
    workflow_dict["tasks"] = parents_first(workflow_dict["tasks"], workflow_dict["root"])
    workflow_dict["subprocesses"] = {
        key: {**sub, "tasks": parents_first(sub["tasks"], sub["root"])}
        for key, sub in workflow_dict.get("subprocesses", {}).items()
    }
    return _SERIALIZER.from_dict(workflow_dict, bundle=bundle)


def parents_first(tasks: dict[str, Any], root: str) -> dict[str, Any]:
    """The task mapping reordered so every parent comes before its children.

    SpiffWorkflow 3.2 stores a task's data as a delta on its parent's and rebuilds it while
    restoring the tasks *in mapping order*; a child restored before its parent silently loses
    the inherited data. PostgreSQL's JSONB reorders object keys, so the order cannot be trusted.
    """
    ordered: dict[str, Any] = {}
    queue = [root]
    while queue:
        task_id = queue.pop(0)
        if task_id in ordered or task_id not in tasks:
            continue
        ordered[task_id] = tasks[task_id]
        queue.extend(tasks[task_id].get("children", []))
    for task_id, task in tasks.items():  # anything unreachable keeps its place at the end
        ordered.setdefault(task_id, task)
    return ordered
