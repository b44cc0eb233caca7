"""One running lifecycle instance: start it, restore it, complete and decide its tasks, fire timers.

Owns: every call into SpiffWorkflow's runtime (`BpmnWorkflow`, `Task`, `TaskState`). It checks
form data against the BPMN, records gate decisions, caps gate rejection loops and answers
with plain views (`views.py`). It keeps nothing between calls: the caller loads an `Instance`,
calls one method, dumps the state and saves it in one transaction. Time is always passed in.
Must not import `anju`, SQL or Streamlit.
"""

from __future__ import annotations

import copy
import math
from datetime import date, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from workflows import serializer
from workflows.clock import frozen_now, utc
from workflows.errors import FormDataError, TaskFailedError, TaskStateError, WorkflowError
from workflows.script_env import script_engine, to_datetime
from workflows.specs import ProcessBundle, TaskDefinition
from workflows.views import StageProgress, TimerView, UserTaskView, WorkflowState

MAX_GATE_REJECTIONS = 60
"""Rejections one approval task may see in one instance. SpiffWorkflow grows the task tree
with every loop round (and hit RecursionError near round 250 with a timer on the loop), so
the loop is capped well below that with a message telling the approver what to do instead."""

START_FIELDS = ("project_name", "city", "product_type", "planned_handover_date")
_DATA_KEY = "_anju"  # engine bookkeeping inside task data (rejection counts)


def _json_value(field: str, value: Any) -> Any:
    """Only JSON scalars and flat lists of them enter task data (no shared nested objects)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise FormDataError(f"'{field}' must be a finite number")
        return value
    if isinstance(value, list) and all(
        v is None or isinstance(v, str | bool | int | float) for v in value
    ):
        return list(value)
    raise FormDataError(f"'{field}' must be text, a number, true/false or a list of those")


class Instance:
    """A loaded workflow instance and the bundle it is pinned to."""

    def __init__(self, bundle: ProcessBundle, workflow: BpmnWorkflow) -> None:
        self.bundle = bundle
        self.workflow = workflow
        workflow.script_engine = script_engine()

    # ------------------------------------------------------------------ life cycle
    @classmethod
    def start(cls, bundle: ProcessBundle, data: dict[str, Any], now: datetime) -> Instance:
        """Start the top-level process with the project's data and run it to its first waits."""
        missing = [name for name in START_FIELDS if not data.get(name)]
        if missing:
            raise FormDataError(f"a project needs {', '.join(missing)} to start")
        clean = {key: _json_value(key, value) for key, value in data.items()}
        clean["planned_handover_date"] = date.fromisoformat(
            str(clean["planned_handover_date"])
        ).isoformat()
        workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=script_engine())
        instance = cls(bundle, workflow)
        workflow.task_tree.data.update(copy.deepcopy(clean))
        start_task = workflow.get_next_task(state=TaskState.READY)
        if start_task is not None:
            start_task.data.update(copy.deepcopy(clean))
        instance._run("start", now, lambda: None)
        return instance

    @classmethod
    def restore(cls, bundle: ProcessBundle, envelope: dict[str, Any]) -> Instance:
        return cls(bundle, serializer.load(envelope, bundle))

    def dump(self) -> dict[str, Any]:
        return serializer.dump(self.workflow)

    # ------------------------------------------------------------------ reading
    def definition(self, task: Any) -> TaskDefinition:
        return self.bundle.task(task.workflow.spec.name, task.task_spec.bpmn_id)

    def _stage_key(self, task: Any) -> str | None:
        keys = {stage.key for stage in self.bundle.stages}
        workflow = task.workflow
        while workflow is not None and workflow is not self.workflow:
            if workflow.spec.name in keys:
                return str(workflow.spec.name)
            workflow = workflow.parent_workflow
        return None

    def _ready_tasks(self) -> list[Any]:
        return list(self.workflow.get_tasks(state=TaskState.READY, manual=True))

    def _view(self, task: Any) -> UserTaskView:
        definition = self.definition(task)
        context = {}
        if task.data.get("last_rejection"):
            context["last_rejection"] = copy.deepcopy(task.data["last_rejection"])
        return UserTaskView(
            task_id=str(task.id),
            bpmn_id=definition.bpmn_id,
            process_id=definition.process_id,
            name=definition.name,
            role=definition.role,
            stage_key=self._stage_key(task),
            due=definition.due,
            approval=definition.approval,
            documentation=definition.documentation,
            context=context,
        )

    def ready(self) -> list[UserTaskView]:
        return [self._view(task) for task in self._ready_tasks()]

    def timers(self) -> list[TimerView]:
        found = []
        for task in self.workflow.get_tasks(state=TaskState.WAITING):
            spec = task.task_spec
            if not isinstance(spec, CatchingEvent):
                continue
            if not isinstance(spec.event_definition, TimerEventDefinition):
                continue
            value = task._get_internal_data("event_value")
            if value is None:
                continue
            found.append(
                TimerView(
                    task_id=str(task.id),
                    bpmn_id=spec.bpmn_id,
                    name=spec.bpmn_name or spec.bpmn_id,
                    stage_key=self._stage_key(task),
                    fires_at=to_datetime(value),
                )
            )
        return found

    def stage(self) -> StageProgress:
        stages = self.bundle.stages
        total = len(stages)
        if self.workflow.completed:
            return StageProgress(None, None, total, total, 100)
        calls = {stage.call_activity_id: stage for stage in stages}
        done = 0
        current = None
        for task in self.workflow.get_tasks(skip_subprocesses=True):
            stage = calls.get(task.task_spec.bpmn_id)
            if stage is None:
                continue
            if task.has_state(TaskState.COMPLETED):
                done += 1
            elif task.has_state(TaskState.STARTED | TaskState.READY | TaskState.WAITING):
                current = stage
        if current is None:
            return StageProgress(None, None, done, total, round(100 * done / max(total, 1)))
        return StageProgress(
            current.key, current.name, current.order, total, round(100 * done / max(total, 1))
        )

    def state(self) -> WorkflowState:
        return WorkflowState(
            ready=tuple(self.ready()),
            timers=tuple(self.timers()),
            stage=self.stage(),
            completed=bool(self.workflow.completed),
        )

    @property
    def data(self) -> dict[str, Any]:
        """The data the project was started with."""
        root = self.workflow.task_tree
        return {key: root.data.get(key) for key in START_FIELDS}

    # ------------------------------------------------------------------ changing
    def _ready_task(self, task_id: str) -> Any:
        try:
            task = self.workflow.get_task_from_id(UUID(task_id))
        except (ValueError, KeyError, TypeError) as exc:
            raise TaskStateError(f"task {task_id} does not belong to this instance") from exc
        if task is None or not task.task_spec.manual:
            raise TaskStateError(f"task {task_id} is not a human task of this instance")
        if not task.has_state(TaskState.READY):
            raise TaskStateError(f"task '{task.task_spec.bpmn_name}' is not ready")
        return task

    def task_definition(self, task_id: str) -> TaskDefinition:
        return self.definition(self._ready_task(task_id))

    def _run(self, name: str, now: datetime, action: Any) -> None:
        with frozen_now(now):
            try:
                action()
                self.workflow.do_engine_steps()
                self.workflow.refresh_timers()
                self.workflow.do_engine_steps()
            except WorkflowError:
                raise
            except (SpiffWorkflowException, Exception) as exc:
                raise TaskFailedError(name, _describe_failure(exc)) from exc

    def complete(self, task_id: str, form: dict[str, Any], now: datetime) -> TaskDefinition:
        """Validate `form` against the task's fields, run the task and the engine after it."""
        task = self._ready_task(task_id)
        definition = self.definition(task)
        if definition.approval:
            raise TaskStateError(f"'{definition.name}' is an approval: approve or reject it")
        values = validate_form(definition, form)
        self._finish(task, definition, values, now)
        return definition

    def decide(
        self, task_id: str, approved: bool, comment: str, actor: str, now: datetime
    ) -> TaskDefinition:
        """Approve or reject an approval task; a rejection keeps its reason for the rework."""
        task = self._ready_task(task_id)
        definition = self.definition(task)
        if not definition.approval:
            raise TaskStateError(f"'{definition.name}' is not an approval task")
        if not approved and not comment.strip():
            raise FormDataError("a rejection needs a comment saying what to change")
        counts = dict(task.data.get(_DATA_KEY, {}).get("rejections", {}))
        values: dict[str, Any] = {
            definition.decision_variable: "approved" if approved else "rejected"
        }
        if approved:
            values["last_rejection"] = None
        else:
            counts[definition.bpmn_id] = counts.get(definition.bpmn_id, 0) + 1
            if counts[definition.bpmn_id] > MAX_GATE_REJECTIONS:
                raise TaskStateError(
                    f"'{definition.name}' has been rejected {MAX_GATE_REJECTIONS} times; "
                    "settle the open points outside the loop and approve, or ask an admin"
                )
            values["last_rejection"] = {
                "task": definition.name,
                "by": actor,
                "at": utc(now).isoformat(),
                "comment": comment.strip(),
            }
        values[_DATA_KEY] = {"rejections": counts}
        if comment.strip():
            values["comment"] = comment.strip()
        self._finish(task, definition, values, now)
        return definition

    def _finish(
        self, task: Any, definition: TaskDefinition, values: dict[str, Any], now: datetime
    ) -> None:
        task.data.pop("comment", None)
        task.data.update(copy.deepcopy(values))
        self._run(definition.name, now, task.run)

    def fire_timers(self, now: datetime) -> list[TimerView]:
        """Fire every timer due at `now` (catching up on any that fell due earlier)."""
        waiting = {timer.task_id: timer for timer in self.timers()}
        due = [timer for timer in waiting.values() if timer.fires_at <= utc(now)]
        if not due:
            return []
        self._run("timer", now, lambda: None)
        still = {timer.task_id for timer in self.timers()}
        return [timer for timer in due if timer.task_id not in still]


def validate_form(definition: TaskDefinition, form: dict[str, Any]) -> dict[str, Any]:
    """Check submitted values against the task's form fields; return the clean values."""
    fields = {field.name: field for field in definition.fields}
    unknown = sorted(set(form) - set(fields) - {"comment"})
    if unknown:
        raise FormDataError(f"'{definition.name}' has no field(s) {', '.join(unknown)}")
    clean: dict[str, Any] = {}
    for name, field in fields.items():
        value = form.get(name)
        if value is None or value == "":
            if field.required:
                raise FormDataError(f"'{field.label}' ({name}) is required")
            clean[name] = None  # conditions may read an optional field that was left empty
            continue
        if field.type == "bool" and not isinstance(value, bool):
            raise FormDataError(f"'{field.label}' ({name}) must be true or false")
        if field.type == "number" and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            raise FormDataError(f"'{field.label}' ({name}) must be a number")
        if field.type == "date":
            try:
                value = date.fromisoformat(str(value)).isoformat()
            except ValueError as exc:
                raise FormDataError(f"'{field.label}' ({name}) must be a date YYYY-MM-DD") from exc
        if field.type == "text" and not isinstance(value, str):
            raise FormDataError(f"'{field.label}' ({name}) must be text")
        clean[name] = _json_value(name, value)
    if form.get("comment"):
        clean["comment"] = _json_value("comment", form["comment"])
    return clean


def _describe_failure(exc: BaseException) -> str:
    """One line naming what went wrong, down to the error inside SpiffWorkflow's wrapper."""
    message = str(exc).split("\n")[0].strip()
    root: BaseException | None = exc
    seen = 0
    while root is not None and seen < 10 and isinstance(root, SpiffWorkflowException):
        root = root.__cause__ or root.__context__
        seen += 1
    if root is not None and root is not exc:
        return f"{message} ({type(root).__name__}: {root})"
    return message
