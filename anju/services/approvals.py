"""Approvals: a manager approves or rejects a gate (stage gate, standards, open-day exception).

Owns: the approve and reject use cases. A rejection needs a comment; it sends the flow back
along the BPMN's rejection path with the reason kept for the people who rework it.
Approving a stage gate is refused while a case-input package of that project stage holds an
unverified case (`case_inputs.check_gate`); the check runs inside the approval's action, while
the instance's lock is held, so it holds for every caller (CLI, UI, worker).
"""

from __future__ import annotations

from datetime import datetime

from anju.services import case_inputs
from anju.services.context import AppContext
from anju.services.tasks import ActionResult, act_on_task
from workflows.engine import Instance
from workflows.specs import TaskDefinition


def approve(ctx: AppContext, task_id: str, username: str, comment: str = "") -> ActionResult:
    return _decide(ctx, task_id, username, True, comment)


def reject(ctx: AppContext, task_id: str, username: str, comment: str) -> ActionResult:
    return _decide(ctx, task_id, username, False, comment)


def _decide(
    ctx: AppContext, task_id: str, username: str, approved: bool, comment: str
) -> ActionResult:
    decision = "approved" if approved else "rejected"
    gate = case_inputs.stage_gate_of_task(ctx, task_id) if approved else None

    def run(instance: Instance, now: datetime) -> TaskDefinition:
        if gate is not None:
            case_inputs.check_gate(ctx, *gate)
        return instance.decide(task_id, approved, comment, username, now)

    return act_on_task(
        ctx,
        task_id,
        username,
        f"gate_{decision}",
        run,
        {"decision": decision, "comment": comment.strip() or None},
    )
