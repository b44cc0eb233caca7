"""The database tables (SQLAlchemy 2.x declarative models).

Owns: the schema. Every change here needs an Alembic migration in `migrations/versions/`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonType = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: Anju stores aware UTC timestamps only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class UserRole(Base):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class ProcessVersion(Base):
    """One deployed set of BPMN files, named by the SHA-256 of their contents."""

    __tablename__ = "process_versions"
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict[str, str]] = mapped_column(JsonType)
    deployed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    deployed_by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    is_current: Mapped[bool] = mapped_column(default=False)


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    city: Mapped[str] = mapped_column(String(64))
    product_type: Mapped[str] = mapped_column(String(64))
    planned_handover_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(64))


class Instance(Base):
    """A project's lifecycle process instance: its state and optimistic-locking version."""

    __tablename__ = "instances"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), unique=True)
    process_version: Mapped[str] = mapped_column(ForeignKey("process_versions.version"))
    state: Mapped[dict[str, Any]] = mapped_column(JsonType)
    state_version: Mapped[int] = mapped_column(Integer)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16))  # running | completed
    stage_key: Mapped[str | None] = mapped_column(String(64))
    stage_name: Mapped[str | None] = mapped_column(String(64))
    stage_order: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    next_timer_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012


class TaskIndex(Base):
    """Ready human tasks and waiting timers of every instance, so lists never load a workflow."""

    __tablename__ = "task_index"
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    kind: Mapped[str] = mapped_column(String(8))  # user | timer
    bpmn_id: Mapped[str] = mapped_column(String(64))
    process_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str | None] = mapped_column(String(32))
    stage_key: Mapped[str | None] = mapped_column(String(64))
    approval: Mapped[str | None] = mapped_column(String(32))
    assignee: Mapped[str | None] = mapped_column(String(64))
    ready_at: Mapped[datetime] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    context: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    __table_args__ = (
        Index("ix_task_index_role_due", "kind", "role", "due_at"),
        Index("ix_task_index_assignee", "assignee"),
        Index("ix_task_index_project", "project_id"),
        Index("ix_task_index_instance", "instance_id"),
    )


class AuditEvent(Base):
    """Every event of every instance: who, when, which task, what data, what decision."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(32))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    task_name: Mapped[str | None] = mapped_column(String(128))
    bpmn_id: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[str | None] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    __table_args__ = (
        Index("ix_audit_project", "project_id", "at"),
        # A task is completed once: a second completion cannot be recorded.
        Index(
            "ux_audit_task_completed",
            "task_id",
            unique=True,
            sqlite_where=(event == "task_completed"),
            postgresql_where=(event == "task_completed"),
        ),
    )


class Incident(Base):
    """A task whose run failed: the error is kept for admins, the instance is left untouched."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    task_name: Mapped[str | None] = mapped_column(String(128))
    actor: Mapped[str] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


__all__ = [
    "AuditEvent",
    "Base",
    "Incident",
    "Instance",
    "ProcessVersion",
    "Project",
    "TaskIndex",
    "User",
    "UserRole",
]
