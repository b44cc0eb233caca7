"""Tables of the hand-over (交房): appointments, defects, their rectifications and the unit's
outcome, joint inspections and re-inspection bookings. Every change needs an Alembic migration
(0004_handover, 0005_inspections).

Owns: the hand-over rows keyed by room (see `owner_tables.Room`), the rectification state with
its optimistic-locking `version`, and the transition log (who, when, why). Must not import
services, importers or Streamlit.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from anju.db.tables import Base, UtcDateTime


class HandoverAppointment(Base):
    """A booked hand-over slot (预约) of one room: the day, the slot and the owner coming."""

    __tablename__ = "handover_appointments"
    __table_args__ = (Index("ix_ha_project_day", "project_id", "day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("owners.id", ondelete="SET NULL"), nullable=True
    )
    day: Mapped[date] = mapped_column(Date)
    slot: Mapped[str] = mapped_column(String(32))  # e.g. "09:00-10:00"
    booked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    booked_by: Mapped[str] = mapped_column(String(64))


class Defect(Base):
    """A defect found at the joint inspection: where (room, space, part), what, how bad."""

    __tablename__ = "handover_defects"
    __table_args__ = (Index("ix_hd_project", "project_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    space: Mapped[str] = mapped_column(String(32))  # 房间: 客厅, 卫生间 …
    part: Mapped[str] = mapped_column(String(32))  # 部位: 墙面, 地面, 门窗 …
    category: Mapped[str] = mapped_column(String(32))  # e.g. 渗漏, 空鼓, 开裂
    description: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))  # minor | major | critical
    found_at: Mapped[datetime] = mapped_column(UtcDateTime())
    found_by: Mapped[str] = mapped_column(String(64))


class Rectification(Base):
    """The rectification (整改) of one defect, assigned to engineering with a due date.

    state: open → ready_for_review → closed (accepted), or back to open (not accepted).
    `version` grows by one on every transition (optimistic locking).
    """

    __tablename__ = "rectifications"
    __table_args__ = (Index("ix_rect_state_due", "state", "due_date"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    defect_id: Mapped[int] = mapped_column(
        ForeignKey("handover_defects.id", ondelete="CASCADE"), unique=True
    )
    assigned_role: Mapped[str] = mapped_column(String(32), default="engineering")
    due_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))


class RectificationEvent(Base):
    """One transition of a rectification: who, when, from which state to which, and why."""

    __tablename__ = "rectification_events"
    __table_args__ = (Index("ix_re_rect", "rectification_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rectification_id: Mapped[int] = mapped_column(
        ForeignKey("rectifications.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(24))  # assigned | ready | accepted | not_accepted
    from_state: Mapped[str] = mapped_column(String(24), default="")
    to_state: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text, default="")


class UnitHandover(Base):
    """One outcome of a room's hand-over attempt: handed over (keys given) or refused by the
    owner with the reason. A room may be refused, then handed over later; the newest row is
    the room's state, the older ones its history."""

    __tablename__ = "unit_handovers"
    __table_args__ = (Index("ix_uh_project", "project_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("owners.id", ondelete="SET NULL"), nullable=True
    )
    outcome: Mapped[str] = mapped_column(String(16))  # handed_over | refused
    keys_handed: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    username: Mapped[str] = mapped_column(String(64))


class UnitInspection(Base):
    """A joint inspection (联合查验) of one room against a checklist (see `anju/checklists/`):
    the checklist's name and file hash it was made with, who inspected and when."""

    __tablename__ = "unit_inspections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    checklist: Mapped[str] = mapped_column(String(64))
    checklist_sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    username: Mapped[str] = mapped_column(String(64))


class InspectionResult(Base):
    """One checklist item's result: pass, defect (the defect recorded for it) or n/a."""

    __tablename__ = "inspection_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("unit_inspections.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)  # the item's place in the checklist
    space: Mapped[str] = mapped_column(String(32))
    item: Mapped[str] = mapped_column(String(128))
    result: Mapped[str] = mapped_column(String(8))  # pass | defect | na
    note: Mapped[str] = mapped_column(Text, default="")
    defect_id: Mapped[int | None] = mapped_column(
        ForeignKey("handover_defects.id", ondelete="SET NULL"), nullable=True
    )


class ReinspectionBooking(Base):
    """The slot CS booked to re-inspect a rectification, with the owner when the owner asks."""

    __tablename__ = "reinspection_bookings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rectification_id: Mapped[int] = mapped_column(
        ForeignKey("rectifications.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    slot: Mapped[str] = mapped_column(String(32))
    with_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    booked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    booked_by: Mapped[str] = mapped_column(String(64))
