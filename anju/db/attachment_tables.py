"""The table of uploaded files: photos and documents attached to tasks, cases and defects.

Owns: `attachments`, one row per file attached to one subject — `subject` is `task`, `case` or
`defect` and `subject_key` that subject's id (a task's id is a UUID, so keys are text). The bytes
live in the file store under their `sha256` (`anju.files.store`); `project_id` is the project the
subject belongs to (none for a case). A removed file keeps its row with `removed_at`/`removed_by`.
Every change needs an Alembic migration (branch `attachments`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from anju.db.tables import Base, UtcDateTime


class Attachment(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str] = mapped_column(String(64))
    project_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("projects.id", ondelete="CASCADE")
    )
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(200))
    caption: Mapped[str] = mapped_column(String(200), default="")
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    removed_by: Mapped[str | None] = mapped_column(String(64))
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    __table_args__ = (Index("ix_attachments_subject", "subject", "subject_key"),)
