"""Approvals: a manager approves or rejects a gate (stage gate, standards, open-day exception).

Owns: the approve and reject use cases. A rejection needs a comment; it sends the flow back
along the BPMN's rejection path with the reason kept for the people who rework it.
`stage_summary` gathers, read-only, what a gate's approver needs: the work done in the stage
(from the audit trail), its unverified case inputs and, at hand-over, the open defects.
Approving a stage gate is refused while a case-input package of that project stage holds an
unverified case (`case_inputs.check_gate`); the check runs in the approval's own transaction,
with the instance locked, so it holds for every caller (CLI, UI).
"""

from __future__ import annotations

from dataclasses import dataclass

from anju.services import case_inputs, handover, projects
from anju.services.case_inputs import PackageItemView
from anju.services.context import AppContext
from anju.services.handover import DefectView
from anju.services.projects import HistoryEntry
from anju.services.tasks import ActionResult, act_on_task

HANDOVER_STAGE = "handover_stage"
WORK_EVENTS = frozenset({"task_completed", "gate_approved", "gate_rejected"})


@dataclass(frozen=True)
class StageSummary:
    """What an approver reads before deciding a stage gate."""

    stage_key: str | None
    done: tuple[HistoryEntry, ...]  # tasks completed and decisions taken in the stage, in order
    open_cases: tuple[PackageItemView, ...]  # case inputs of the stage not verified yet
    open_defects: tuple[DefectView, ...]  # hand-over stage only: defects not closed


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


def stage_summary(
    ctx: AppContext, project_code: str, stage_key: str | None, username: str
) -> StageSummary:
    """The work done since the stage (last) started, and what is still open in it."""
    trail = projects.history(ctx, project_code)
    starts = [
        i
        for i, entry in enumerate(trail)
        if entry.event == "stage_started" and entry.data.get("stage") == stage_key
    ]
    since = trail[starts[-1] + 1 :] if starts else trail
    done = tuple(
        entry for entry in since if entry.event in WORK_EVENTS and not entry.data.get("via")
    )
    stage = case_inputs.STAGE_OF_LIFECYCLE.get(stage_key or "")
    cases = case_inputs.open_items(ctx, project_code, stage.value) if stage else []
    defects = (
        handover.list_defects(ctx, project_code, username, open_only=True)
        if stage_key == HANDOVER_STAGE
        else []
    )
    return StageSummary(stage_key, done, tuple(cases), tuple(defects))
