"""Queries and writes of owner change requests, identity verifications, locks and alerts.

Owns: the SQL behind 客户信息变更 (change requests applied after identity verification).
Must not import services, importers or Streamlit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from anju.db.owner_tables import (
    Building,
    BuildingUnit,
    Owner,
    OwnerAlert,
    OwnerChangeRequest,
    OwnerVerification,
    Room,
)
from anju.db.unit_of_work import Session

Location = tuple[str, str, str, str]  # phase, building, unit, room


def owner_with_location(
    session: Session, owner_id: int, lock: bool = False
) -> tuple[Owner, Location] | None:
    """The owner and its (phase, building, unit, room); `lock` takes a row lock (PostgreSQL)."""
    statement = (
        select(Owner, Building.phase, Building.name, BuildingUnit.name, Room.number)
        .join(Room, Owner.room_id == Room.id)
        .join(BuildingUnit, Room.unit_id == BuildingUnit.id)
        .join(Building, BuildingUnit.building_id == Building.id)
        .where(Owner.id == owner_id)
    )
    if lock:
        statement = statement.with_for_update(of=Owner)
    row = session.execute(statement).first()
    if row is None:
        return None
    return row[0], (row[1], row[2], row[3], row[4])


def add_request(session: Session, **values: Any) -> OwnerChangeRequest:
    request = OwnerChangeRequest(**values)
    session.add(request)
    session.flush()
    return request


def request_by_id(
    session: Session, request_id: int, lock: bool = False
) -> OwnerChangeRequest | None:
    statement = select(OwnerChangeRequest).where(OwnerChangeRequest.id == request_id)
    if lock:
        statement = statement.with_for_update()
    return session.scalars(statement).first()


def requests_of_project(
    session: Session, project_id: int, status: str | None = None
) -> list[OwnerChangeRequest]:
    statement = select(OwnerChangeRequest).where(OwnerChangeRequest.project_id == project_id)
    if status is not None:
        statement = statement.where(OwnerChangeRequest.status == status)
    return list(session.scalars(statement.order_by(OwnerChangeRequest.id)))


def add_verification(session: Session, **values: Any) -> None:
    session.add(OwnerVerification(**values))
    session.flush()


def recent_failures(session: Session, owner_id: int, since: datetime) -> int:
    """Failed checks of the owner since `since` and after the last successful one."""
    last_success = session.scalar(
        select(func.max(OwnerVerification.id)).where(
            OwnerVerification.owner_id == owner_id, OwnerVerification.success.is_(True)
        )
    )
    statement = select(func.count()).where(
        OwnerVerification.owner_id == owner_id,
        OwnerVerification.success.is_(False),
        OwnerVerification.at >= since,
    )
    if last_success is not None:
        statement = statement.where(OwnerVerification.id > last_success)
    return int(session.scalar(statement) or 0)


def lock_owner(session: Session, owner_id: int, until: datetime) -> None:
    session.execute(update(Owner).where(Owner.id == owner_id).values(locked_until=until))


def add_alert(session: Session, **values: Any) -> None:
    session.add(OwnerAlert(**values))
    session.flush()


def alerts_of_project(session: Session, project_id: int) -> list[OwnerAlert]:
    return list(
        session.scalars(
            select(OwnerAlert).where(OwnerAlert.project_id == project_id).order_by(OwnerAlert.id)
        )
    )
