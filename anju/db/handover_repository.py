"""Queries and writes of the hand-over: appointments, defects, rectifications, outcomes.

Owns: the SQL of the hand-over area, including the guarded rectification update (`UPDATE …
WHERE version = expected`): of two people acting on the same version exactly one row changes.
Must not import services, importers or Streamlit; hands out plain dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, case, func, select, update

from anju.db.handover_tables import (
    Defect,
    HandoverAppointment,
    Rectification,
    RectificationEvent,
    UnitHandover,
)
from anju.db.owner_tables import Building, BuildingUnit, Owner, Room
from anju.db.unit_of_work import Session


@dataclass(frozen=True)
class RoomRow:
    room_id: int
    phase: str
    building: str
    unit: str
    floor: int | None
    number: str


@dataclass(frozen=True)
class DefectRow:
    defect_id: int
    rectification_id: int
    room: RoomRow
    space: str
    part: str
    category: str
    description: str
    severity: str
    found_at: datetime
    found_by: str
    due_date: date
    state: str
    version: int
    updated_at: datetime
    updated_by: str


def rooms(session: Session, project_id: int) -> list[RoomRow]:
    query = (
        select(Room.id, Building.phase, Building.name, BuildingUnit.name, Room.floor, Room.number)
        .join(BuildingUnit, Room.unit_id == BuildingUnit.id)
        .join(Building, BuildingUnit.building_id == Building.id)
        .where(Building.project_id == project_id)
        .order_by(Building.phase, Building.name, BuildingUnit.name, Room.number)
    )
    return [RoomRow(*row) for row in session.execute(query)]


def add_appointment(session: Session, appointment: HandoverAppointment) -> HandoverAppointment:
    session.add(appointment)
    session.flush()
    return appointment


def appointments(session: Session, project_id: int) -> list[HandoverAppointment]:
    query = (
        select(HandoverAppointment)
        .where(HandoverAppointment.project_id == project_id)
        .order_by(HandoverAppointment.day, HandoverAppointment.slot, HandoverAppointment.id)
    )
    return list(session.scalars(query))


def add_defect(
    session: Session, defect: Defect, due_date: date, role: str, at: datetime, username: str
) -> int:
    """Insert the defect and its open rectification (with its "assigned" event)."""
    session.add(defect)
    session.flush()
    rectification = Rectification(
        defect_id=defect.id,
        assigned_role=role,
        due_date=due_date,
        state="open",
        version=1,
        updated_at=at,
        updated_by=username,
    )
    session.add(rectification)
    session.flush()
    session.add(
        RectificationEvent(
            rectification_id=rectification.id,
            at=at,
            username=username,
            action="assigned",
            from_state="",
            to_state="open",
            reason="",
        )
    )
    return defect.id


def _defect_query() -> Select[Any]:
    return (
        select(
            Defect,
            Rectification,
            Room.id,
            Building.phase,
            Building.name,
            BuildingUnit.name,
            Room.floor,
            Room.number,
        )
        .join(Rectification, Rectification.defect_id == Defect.id)
        .join(Room, Defect.room_id == Room.id)
        .join(BuildingUnit, Room.unit_id == BuildingUnit.id)
        .join(Building, BuildingUnit.building_id == Building.id)
    )


def _defect_row(row: tuple[Any, ...]) -> DefectRow:
    defect, rect, *location = row
    assert isinstance(defect, Defect)
    assert isinstance(rect, Rectification)
    return DefectRow(
        defect_id=defect.id,
        rectification_id=rect.id,
        room=RoomRow(*location),
        space=defect.space,
        part=defect.part,
        category=defect.category,
        description=defect.description,
        severity=defect.severity,
        found_at=defect.found_at,
        found_by=defect.found_by,
        due_date=rect.due_date,
        state=rect.state,
        version=rect.version,
        updated_at=rect.updated_at,
        updated_by=rect.updated_by,
    )


def defect(session: Session, defect_id: int) -> DefectRow | None:
    row = session.execute(_defect_query().where(Defect.id == defect_id)).one_or_none()
    return None if row is None else _defect_row(tuple(row))


def defect_project(session: Session, defect_id: int) -> int | None:
    return session.scalar(select(Defect.project_id).where(Defect.id == defect_id))


def defects(
    session: Session,
    project_id: int,
    open_only: bool = False,
    due_before: date | None = None,
) -> list[DefectRow]:
    """A project's defects; `open_only` leaves out closed ones; `due_before` keeps those due
    strictly before that day (and not closed), ordered by due date."""
    query = _defect_query().where(Defect.project_id == project_id)
    if open_only or due_before is not None:
        query = query.where(Rectification.state != "closed")
    if due_before is not None:
        query = query.where(Rectification.due_date < due_before)
        query = query.order_by(Rectification.due_date, Defect.id)
    else:
        query = query.order_by(Defect.id)
    return [_defect_row(tuple(row)) for row in session.execute(query)]


def transition(
    session: Session,
    rectification_id: int,
    expected_version: int,
    from_state: str,
    to_state: str,
    action: str,
    at: datetime,
    username: str,
    reason: str,
) -> bool:
    """Move the rectification when it is still at `expected_version` and `from_state`; log
    the transition. False (and nothing written) when someone else moved it first."""
    result = session.execute(
        update(Rectification)
        .where(
            Rectification.id == rectification_id,
            Rectification.version == expected_version,
            Rectification.state == from_state,
        )
        .values(state=to_state, version=expected_version + 1, updated_at=at, updated_by=username)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.add(
        RectificationEvent(
            rectification_id=rectification_id,
            at=at,
            username=username,
            action=action,
            from_state=from_state,
            to_state=to_state,
            reason=reason,
        )
    )
    return True


def events(session: Session, rectification_id: int) -> list[RectificationEvent]:
    query = (
        select(RectificationEvent)
        .where(RectificationEvent.rectification_id == rectification_id)
        .order_by(RectificationEvent.id)
    )
    return list(session.scalars(query))


def latest_outcome(session: Session, room_id: int) -> UnitHandover | None:
    query = (
        select(UnitHandover)
        .where(UnitHandover.room_id == room_id)
        .order_by(UnitHandover.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def owner_room(session: Session, owner_id: int) -> int | None:
    return session.scalar(select(Owner.room_id).where(Owner.id == owner_id))


def save_outcome(session: Session, row: UnitHandover) -> UnitHandover:
    session.add(row)
    session.flush()
    return row


def outcomes(session: Session, project_id: int) -> list[UnitHandover]:
    query = (
        select(UnitHandover).where(UnitHandover.project_id == project_id).order_by(UnitHandover.id)
    )
    return list(session.scalars(query))


# ------------------------------------------------------------ reports (read-only queries)


def _newest_outcome_ids(project_id: int) -> Select[Any]:
    """The id of each room's newest outcome row (that row is the room's state)."""
    return (
        select(func.max(UnitHandover.id))
        .where(UnitHandover.project_id == project_id)
        .group_by(UnitHandover.room_id)
    )


def latest_outcomes(
    session: Session, project_id: int, outcome: str | None = None
) -> list[UnitHandover]:
    """Each room's newest outcome (optionally only those with `outcome`), by room and id."""
    query = select(UnitHandover).where(UnitHandover.id.in_(_newest_outcome_ids(project_id)))
    if outcome is not None:
        query = query.where(UnitHandover.outcome == outcome)
    return list(session.scalars(query.order_by(UnitHandover.room_id)))


def outcome_counts(session: Session, project_id: int) -> dict[str, int]:
    """How many rooms are in each state (newest outcome): {"handed_over": n, "refused": m}."""
    query = (
        select(UnitHandover.outcome, func.count())
        .where(UnitHandover.id.in_(_newest_outcome_ids(project_id)))
        .group_by(UnitHandover.outcome)
    )
    return {str(outcome): int(count) for outcome, count in session.execute(query)}


def open_defects_by_room(session: Session, project_id: int) -> dict[int, int]:
    """Room id → number of defects whose rectification is not closed (rooms with any)."""
    query = (
        select(Defect.room_id, func.count())
        .join(Rectification, Rectification.defect_id == Defect.id)
        .where(Defect.project_id == project_id, Rectification.state != "closed")
        .group_by(Defect.room_id)
    )
    return {int(room_id): int(count) for room_id, count in session.execute(query)}


@dataclass(frozen=True)
class DefectCount:
    key: tuple[str, ...]  # the grouping columns' values, e.g. ("渗漏",) or ("卫生间", "墙面")
    total: int
    open: int  # not closed


_GROUPABLE = {"category": Defect.category, "space": Defect.space, "part": Defect.part}


def defect_counts(session: Session, project_id: int, *columns: str) -> list[DefectCount]:
    """A project's defects counted by `columns` (category, space, part), most first."""
    keys = [_GROUPABLE[name] for name in columns]
    total = func.count()
    still_open = func.sum(case((Rectification.state != "closed", 1), else_=0))
    query = (
        select(*keys, total, still_open)
        .join(Rectification, Rectification.defect_id == Defect.id)
        .where(Defect.project_id == project_id)
        .group_by(*keys)
        .order_by(total.desc(), *keys)
    )
    return [
        DefectCount(tuple(row[: len(keys)]), int(row[-2]), int(row[-1] or 0))
        for row in session.execute(query)
    ]


def closed_spans(session: Session, project_id: int) -> list[tuple[datetime, datetime]]:
    """(found at, closed at) of each closed rectification; closing is its last transition."""
    query = (
        select(Defect.found_at, Rectification.updated_at)
        .join(Rectification, Rectification.defect_id == Defect.id)
        .where(Defect.project_id == project_id, Rectification.state == "closed")
    )
    return [(found, closed) for found, closed in session.execute(query)]


def defects_of_rooms(session: Session, project_id: int, room_ids: list[int]) -> list[DefectRow]:
    """The defects of these rooms (all of the project's when `room_ids` is empty), by id."""
    query = _defect_query().where(Defect.project_id == project_id)
    if room_ids:
        query = query.where(Defect.room_id.in_(room_ids))
    return [_defect_row(tuple(row)) for row in session.execute(query.order_by(Defect.id))]


def events_of_rooms(
    session: Session, project_id: int, room_ids: list[int]
) -> list[RectificationEvent]:
    """The rectification events of these rooms' defects (all when empty), oldest first."""
    query = (
        select(RectificationEvent)
        .join(Rectification, RectificationEvent.rectification_id == Rectification.id)
        .join(Defect, Rectification.defect_id == Defect.id)
        .where(Defect.project_id == project_id)
    )
    if room_ids:
        query = query.where(Defect.room_id.in_(room_ids))
    return list(session.scalars(query.order_by(RectificationEvent.id)))


def outcomes_of_rooms(session: Session, project_id: int, room_ids: list[int]) -> list[UnitHandover]:
    """Every outcome of these rooms (all when empty), oldest first."""
    query = select(UnitHandover).where(UnitHandover.project_id == project_id)
    if room_ids:
        query = query.where(UnitHandover.room_id.in_(room_ids))
    return list(session.scalars(query.order_by(UnitHandover.id)))
