"""Read-only queries behind the project diagram: what ran, what is open, which files.

Owns: the SQL the diagram service needs. Nothing here writes or commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from anju.db.tables import AuditEvent, ProcessVersion, TaskIndex

DIAGRAM_EVENTS = ("task_completed", "timer_fired", "stage_started", "stage_completed")


def process_files(session: Session, version_hash: str) -> dict[str, str]:
    """The BPMN files of a deployed version, by file name."""
    files = session.scalar(
        select(ProcessVersion.files).where(ProcessVersion.version == version_hash)
    )
    return dict(files or {})


def node_events(session: Session, instance_id: int) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(event, bpmn id, data) of completions, fired timers and stage changes, oldest first."""
    query = (
        select(AuditEvent.event, AuditEvent.bpmn_id, AuditEvent.data)
        .where(AuditEvent.instance_id == instance_id, AuditEvent.event.in_(DIAGRAM_EVENTS))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [(event, bpmn_id, dict(data or {})) for event, bpmn_id, data in session.execute(query)]


def open_nodes(session: Session, instance_id: int) -> list[tuple[str, str, str, str | None]]:
    """(kind, bpmn id, process id, stage key) of every ready task and waiting timer."""
    query = select(
        TaskIndex.kind, TaskIndex.bpmn_id, TaskIndex.process_id, TaskIndex.stage_key
    ).where(TaskIndex.instance_id == instance_id)
    return [(kind, bpmn_id, pid, stage) for kind, bpmn_id, pid, stage in session.execute(query)]
