"""Queries and writes of joint inspections (联合查验) and re-inspection bookings.

Owns: the SQL of `unit_inspections`, `inspection_results` and `reinspection_bookings`. Must not
import services, importers or Streamlit; hands out plain dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from anju.db.handover_tables import (
    Defect,
    InspectionResult,
    Rectification,
    ReinspectionBooking,
    UnitInspection,
)
from anju.db.unit_of_work import Session


@dataclass(frozen=True)
class ResultRow:
    position: int
    space: str
    item: str
    result: str
    note: str
    defect_id: int | None


@dataclass(frozen=True)
class InspectionRow:
    inspection_id: int
    room_id: int
    checklist: str
    checklist_sha256: str
    at: datetime
    username: str
    results: tuple[ResultRow, ...]


@dataclass(frozen=True)
class BookingRow:
    booking_id: int
    defect_id: int
    room_id: int
    day: date
    slot: str
    with_owner: bool
    booked_at: datetime
    booked_by: str


def add_inspection(
    session: Session, inspection: UnitInspection, results: list[InspectionResult]
) -> int:
    session.add(inspection)
    session.flush()
    for result in results:
        result.inspection_id = inspection.id
    session.add_all(results)
    session.flush()
    return inspection.id


def latest_inspection(session: Session, room_id: int) -> InspectionRow | None:
    """The room's newest inspection with its results in checklist order."""
    head = session.scalars(
        select(UnitInspection)
        .where(UnitInspection.room_id == room_id)
        .order_by(UnitInspection.at.desc(), UnitInspection.id.desc())
        .limit(1)
    ).first()
    if head is None:
        return None
    results = session.scalars(
        select(InspectionResult)
        .where(InspectionResult.inspection_id == head.id)
        .order_by(InspectionResult.position)
    )
    return InspectionRow(
        head.id,
        head.room_id,
        head.checklist,
        head.checklist_sha256,
        head.at,
        head.username,
        tuple(
            ResultRow(r.position, r.space, r.item, r.result, r.note, r.defect_id) for r in results
        ),
    )


def add_booking(session: Session, booking: ReinspectionBooking) -> int:
    session.add(booking)
    session.flush()
    return booking.id


def bookings(session: Session, project_id: int, day: date | None = None) -> list[BookingRow]:
    """Re-inspection slots of the project (of one day when given), in time order."""
    query = (
        select(
            ReinspectionBooking.id,
            Rectification.defect_id,
            Defect.room_id,
            ReinspectionBooking.day,
            ReinspectionBooking.slot,
            ReinspectionBooking.with_owner,
            ReinspectionBooking.booked_at,
            ReinspectionBooking.booked_by,
        )
        .join(Rectification, ReinspectionBooking.rectification_id == Rectification.id)
        .join(Defect, Rectification.defect_id == Defect.id)
        .where(Defect.project_id == project_id)
        .order_by(ReinspectionBooking.day, ReinspectionBooking.slot, ReinspectionBooking.id)
    )
    if day is not None:
        query = query.where(ReinspectionBooking.day == day)
    return [BookingRow(*row) for row in session.execute(query)]
