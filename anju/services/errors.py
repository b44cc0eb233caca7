"""Errors a user can cause, each with a message that says what happened and what to do.

Owns: the domain exceptions services raise. The CLI prints them; the UI shows them.
"""

from __future__ import annotations

from datetime import datetime


class AnjuError(Exception):
    """Base of every error a user can cause."""


class NotFoundError(AnjuError):
    pass


class PermissionDeniedError(AnjuError):
    pass


class InvalidInputError(AnjuError):
    pass


class ConflictError(AnjuError):
    """Someone else changed the same thing first."""


class AlreadyCompletedError(ConflictError):
    def __init__(self, task_name: str, by: str, at: datetime) -> None:
        self.task_name = task_name
        self.by = by
        self.at = at
        super().__init__(f"'{task_name}' was already completed by {by} at {at.isoformat()}")


class TaskFailedError(AnjuError):
    """A task's run failed; nothing was saved and an incident was recorded for admins."""

    def __init__(self, message: str, incident_id: int) -> None:
        self.incident_id = incident_id
        super().__init__(
            f"{message} (incident #{incident_id}; nothing was saved, retry once fixed)"
        )
