"""Approvals: a manager approves or rejects a gate (stage gate, standards, open-day exception).

Owns: the approve and reject use cases. A rejection needs a comment; it sends the flow back
along the BPMN's rejection path with the reason kept for the people who rework it.
Approving a stage gate is refused while a case-input package of that project stage holds an
unverified case (`case_inputs.check_gate`); the check runs in the approval's own transaction,
with the instance locked, so it holds for every caller (CLI, UI).
"""

from __future__ import annotations

from anju.services import case_inputs
from anju.services.context import AppContext
from anju.services.tasks import ActionResult, act_on_task


def approve(ctx: AppContext, task_id: str, username: str, comment: str = "") -> ActionResult:
    return _decide(ctx, task_id, username, True, comment)


def reject(ctx: AppContext, task_id: str, username: str, comment: str) -> ActionResult:
    return _decide(ctx, task_id, username, False, comment)


def _decide(
    ctx: AppContext, task_id: str, username: str, approved: bool, comment: str
) -> ActionResult:
    decision = "approved" if approved else "rejected"
    return act_on_task(
        ctx,
        task_id,
        username,
        f"gate_{decision}",
        lambda instance, now: instance.decide(task_id, approved, comment, username, now),
        {"decision": decision, "comment": comment.strip() or None},
        guard=case_inputs.check_gate if approved else None,
    )
