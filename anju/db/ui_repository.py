"""Queries of the front end's per-user memory: saved task filters and "tasks last seen".

Owns: reading and writing `saved_task_filters` and `tasks_seen`. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from anju.db.ui_tables import SavedTaskFilter, TasksSeen


def saved_filters(session: Session, user_id: int) -> Sequence[SavedTaskFilter]:
    query = select(SavedTaskFilter).where(SavedTaskFilter.user_id == user_id)
    return session.scalars(query.order_by(SavedTaskFilter.name)).all()


def saved_filter(session: Session, user_id: int, name: str) -> SavedTaskFilter | None:
    query = select(SavedTaskFilter).where(
        SavedTaskFilter.user_id == user_id, SavedTaskFilter.name == name
    )
    return session.scalar(query)


def add_saved_filter(session: Session, **values: object) -> SavedTaskFilter:
    row = SavedTaskFilter(**values)
    session.add(row)
    return row


def delete_saved_filter(session: Session, user_id: int, name: str) -> bool:
    result = session.execute(
        delete(SavedTaskFilter).where(
            SavedTaskFilter.user_id == user_id, SavedTaskFilter.name == name
        )
    )
    return bool(getattr(result, "rowcount", 0))


def seen_at(session: Session, user_id: int) -> datetime | None:
    return session.scalar(select(TasksSeen.seen_at).where(TasksSeen.user_id == user_id))


def mark_seen(session: Session, user_id: int, now: datetime) -> None:
    row = session.get(TasksSeen, user_id)
    if row is None:
        session.add(TasksSeen(user_id=user_id, seen_at=now))
    elif row.seen_at < now:
        row.seen_at = now
