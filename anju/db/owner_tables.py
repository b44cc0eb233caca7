"""Tables of units, owners and the hand-over. Every change needs an Alembic migration.

Owns: the location key (project → phase → building → unit → floor → room), owners (one or
more per room), the owners' change history and the personal-data access log. Must not import
services, importers or Streamlit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from anju.db.tables import Base, JsonType, UtcDateTime


class Building(Base):
    """A building (栋) of a project, within a phase (分期; '' when the project has none)."""

    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("project_id", "phase", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(32), default="")
    name: Mapped[str] = mapped_column(String(32))


class BuildingUnit(Base):
    """A unit (单元, a stairwell) of a building; '' for buildings without units."""

    __tablename__ = "building_units"
    __table_args__ = (UniqueConstraint("building_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(32))


class Room(Base):
    """A dwelling (户/房号) of a unit, on a floor."""

    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("unit_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("building_units.id", ondelete="CASCADE"))
    floor: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(32))


class Owner(Base):
    """An owner of a room; identified within the project by (room, ID number)."""

    __tablename__ = "owners"
    __table_args__ = (
        UniqueConstraint("room_id", "id_number"),
        Index("ix_owners_project", "project_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    phones: Mapped[list[str]] = mapped_column(JsonType)
    id_number: Mapped[str] = mapped_column(String(18))
    mailing_address: Mapped[str] = mapped_column(Text, default="")
    contract_date: Mapped[date | None] = mapped_column(Date)
    planned_delivery_date: Mapped[date | None] = mapped_column(Date)
    certificate_number: Mapped[str] = mapped_column(String(64), default="")
    tier: Mapped[str] = mapped_column(String(16), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # set after repeated failed identity checks; no verification until then (0003_owners)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class OwnerChange(Base):
    """One change of an owner's record: the fields before and after, who, when, from where."""

    __tablename__ = "owner_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    changed_by: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(255))  # e.g. "import owners.xlsx sha256:…"
    before: Mapped[dict[str, Any]] = mapped_column(JsonType)
    after: Mapped[dict[str, Any]] = mapped_column(JsonType)


class PersonalDataAccess(Base):
    """Who saw or changed whose personal data, when and why (reveals, exports, imports)."""

    __tablename__ = "personal_data_access_log"
    __table_args__ = (Index("ix_pdal_owner", "owner_id"), Index("ix_pdal_at", "at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # reveal | import | export
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owners.id", ondelete="SET NULL"))
    fields: Mapped[str] = mapped_column(String(128))  # what: "phones,id_number"
    reason: Mapped[str] = mapped_column(Text)


class OwnerChangeRequest(Base):
    """A change-registration form (客户信息变更登记表): the new values, applied only after the
    owner's identity is verified (ID number, phone and room all match the archive)."""

    __tablename__ = "owner_change_requests"
    __table_args__ = (Index("ix_ocr_project_status", "project_id", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    requested_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JsonType)  # field → new value (JSON)
    status: Mapped[str] = mapped_column(String(16))  # pending | applied | rejected
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")


class OwnerVerification(Base):
    """One identity check of an owner: who checked, when, and which items did not match."""

    __tablename__ = "owner_verifications"
    __table_args__ = (Index("ix_ov_owner_at", "owner_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("owner_change_requests.id", ondelete="SET NULL"), nullable=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    username: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)
    mismatched: Mapped[str] = mapped_column(String(64), default="")  # "id_number,phone,room"


class OwnerAlert(Base):
    """An alert for customer-service management, e.g. an owner record locked after repeated
    failed identity checks."""

    __tablename__ = "owner_alerts"
    __table_args__ = (Index("ix_owner_alerts_project", "project_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("owners.id", ondelete="SET NULL"), nullable=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(32))  # identity_lock
    message: Mapped[str] = mapped_column(Text)
    for_role: Mapped[str] = mapped_column(String(32), default="customer_service")
