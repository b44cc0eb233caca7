"""Plain views of engine objects handed to the rest of Anju (never a Spiff task).

Owns: `UserTaskView`, `TimerView`, `StageProgress`, `WorkflowState`. Imports nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class UserTaskView:
    """A ready human task as the task index and the UI see it."""

    task_id: str
    bpmn_id: str
    process_id: str
    name: str
    role: str
    stage_key: str | None
    due: str
    approval: str | None
    documentation: str = ""
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TimerView:
    """A timer event waiting to fire."""

    task_id: str
    bpmn_id: str
    name: str
    stage_key: str | None
    fires_at: datetime


@dataclass(frozen=True)
class StageProgress:
    """Where an instance is in the top-level lifecycle."""

    key: str | None
    name: str | None
    order: int
    total: int
    percent: int


@dataclass(frozen=True)
class WorkflowState:
    """Everything a save writes beside the state: ready tasks, timers and progress."""

    ready: tuple[UserTaskView, ...]
    timers: tuple[TimerView, ...]
    stage: StageProgress
    completed: bool

    @property
    def next_timer_at(self) -> datetime | None:
        return min((timer.fires_at for timer in self.timers), default=None)
