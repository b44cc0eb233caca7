"""Tables of the front end's per-user memory: saved task filters and when the user last looked
at their tasks. Every change needs an Alembic migration (branch `ui`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from anju.db.tables import Base, UtcDateTime


class SavedTaskFilter(Base):
    """A named task-list filter of one user (project, stage, due window)."""

    __tablename__ = "saved_task_filters"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    project_code: Mapped[str | None] = mapped_column(String(32))
    stage_key: Mapped[str | None] = mapped_column(String(64))
    due: Mapped[str] = mapped_column(String(16))  # all | overdue | week
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_task_filters_name"),)


class TasksSeen(Base):
    """When a user last looked at their task list: tasks ready after it are new to them."""

    __tablename__ = "tasks_seen"
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
