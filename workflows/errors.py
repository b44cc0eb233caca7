"""Errors the process engine raises, each with a message a person can act on.

Owns: the exception types of `workflows`. Imports nothing from the rest of the package.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """Base class of every error the engine layer raises on purpose."""


class SpecError(WorkflowError):
    """A BPMN file is refused: it names the file, the element at fault and why."""

    def __init__(self, file: str, element: str | None, reason: str) -> None:
        self.file = file
        self.element = element
        self.reason = reason
        where = f"{file}" + (f", element '{element}'" if element else "")
        super().__init__(f"{where}: {reason}")


class ExpressionError(WorkflowError):
    """A BPMN expression or script was refused or failed while it ran."""


class TaskStateError(WorkflowError):
    """The task cannot do what was asked in the state it is in (not ready, unknown, ...)."""


class FormDataError(WorkflowError):
    """Data submitted with a task does not fit the form the BPMN defines for it."""


class TaskFailedError(WorkflowError):
    """Running a task or the engine steps after it raised: nothing of the run may be kept."""

    def __init__(self, task_name: str, detail: str) -> None:
        self.task_name = task_name
        self.detail = detail
        super().__init__(f"task '{task_name}' failed: {detail}")
