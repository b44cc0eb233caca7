"""Reading and writing `attachments` rows (the files themselves are in `anju.files.store`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update

from anju.db.attachment_tables import Attachment
from anju.db.unit_of_work import Session


def add(session: Session, row: Attachment) -> Attachment:
    session.add(row)
    session.flush()
    return row


def get(session: Session, attachment_id: int) -> Attachment | None:
    return session.get(Attachment, attachment_id)


def of_subject(session: Session, subject: str, key: str) -> list[Attachment]:
    """The files of one subject that were not removed, oldest first."""
    query = (
        select(Attachment)
        .where(
            Attachment.subject == subject,
            Attachment.subject_key == key,
            Attachment.removed_at.is_(None),
        )
        .order_by(Attachment.id)
    )
    return list(session.scalars(query))


def of_subjects(session: Session, subject: str, keys: Iterable[str]) -> list[Attachment]:
    wanted = list(keys)
    if not wanted:
        return []
    query = (
        select(Attachment)
        .where(
            Attachment.subject == subject,
            Attachment.subject_key.in_(wanted),
            Attachment.removed_at.is_(None),
        )
        .order_by(Attachment.id)
    )
    return list(session.scalars(query))


def count_of_subject(session: Session, subject: str, key: str) -> int:
    query = select(func.count(Attachment.id)).where(
        Attachment.subject == subject,
        Attachment.subject_key == key,
        Attachment.removed_at.is_(None),
    )
    return int(session.scalar(query) or 0)


def mark_removed(session: Session, attachment_id: int, username: str, at: datetime) -> bool:
    """Remove a file that is still attached; False if it was removed meanwhile."""
    done = session.execute(
        update(Attachment)
        .where(Attachment.id == attachment_id, Attachment.removed_at.is_(None))
        .values(removed_by=username, removed_at=at)
    )
    return bool(getattr(done, "rowcount", 0))
