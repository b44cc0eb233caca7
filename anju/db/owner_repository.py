"""Queries and bulk writes of locations, owners, owner changes and the access log.

Owns: the SQL of the owners area. Writes go through SQLAlchemy Core `executemany` (a list of
parameter dicts per statement) so an import of 100,000 rows stays a handful of statements.
Must not import services, importers or Streamlit; hands out plain tuples and dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update

from anju.db.owner_tables import (
    Building,
    BuildingUnit,
    Owner,
    OwnerChange,
    PersonalDataAccess,
    Room,
)
from anju.db.tables import Base
from anju.db.unit_of_work import Session

RoomKey = tuple[str, str, str, str]  # phase, building, unit, room
OwnerKey = tuple[str, str, str, str, str]  # phase, building, unit, room, ID number
OWNER_FIELDS = (
    "name",
    "phones",
    "mailing_address",
    "contract_date",
    "planned_delivery_date",
    "certificate_number",
    "tier",
    "notes",
)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


@dataclass(frozen=True)
class OwnerRow:
    owner_id: int
    phase: str
    building: str
    unit: str
    floor: int | None
    room: str
    id_number: str
    fields: dict[str, Any]  # OWNER_FIELDS


# ------------------------------------------------------------------------------ locations


def building_ids(session: Session, project_id: int) -> dict[tuple[str, str], int]:
    rows = session.execute(
        select(Building.phase, Building.name, Building.id).where(Building.project_id == project_id)
    )
    return {(phase, name): id_ for phase, name, id_ in rows}


def unit_ids(session: Session, project_id: int) -> dict[tuple[str, str, str], int]:
    rows = session.execute(
        select(Building.phase, Building.name, BuildingUnit.name, BuildingUnit.id)
        .join(BuildingUnit, BuildingUnit.building_id == Building.id)
        .where(Building.project_id == project_id)
    )
    return {(phase, b, u): id_ for phase, b, u, id_ in rows}


def room_ids(session: Session, project_id: int) -> dict[RoomKey, int]:
    rows = session.execute(
        select(Building.phase, Building.name, BuildingUnit.name, Room.number, Room.id)
        .join(BuildingUnit, BuildingUnit.building_id == Building.id)
        .join(Room, Room.unit_id == BuildingUnit.id)
        .where(Building.project_id == project_id)
    )
    return {(phase, b, u, r): id_ for phase, b, u, r, id_ in rows}


def create_locations(
    session: Session, project_id: int, rooms: Iterable[tuple[RoomKey, int | None]]
) -> dict[RoomKey, int]:
    """Create the buildings, units and rooms not yet registered; return every room's id."""
    wanted = dict(rooms)
    buildings = building_ids(session, project_id)
    new_buildings = {(k[0], k[1]) for k in wanted} - buildings.keys()
    if new_buildings:
        session.execute(
            insert(_table("buildings")),
            [{"project_id": project_id, "phase": p, "name": b} for p, b in sorted(new_buildings)],
        )
        buildings = building_ids(session, project_id)
    units = unit_ids(session, project_id)
    new_units = {(k[0], k[1], k[2]) for k in wanted} - units.keys()
    if new_units:
        session.execute(
            insert(_table("building_units")),
            [{"building_id": buildings[(p, b)], "name": u} for p, b, u in sorted(new_units)],
        )
        units = unit_ids(session, project_id)
    existing = room_ids(session, project_id)
    new_rooms = [key for key in wanted if key not in existing]
    if new_rooms:
        session.execute(
            insert(_table("rooms")),
            [
                {"unit_id": units[key[:3]], "number": key[3], "floor": wanted[key]}
                for key in new_rooms
            ],
        )
        existing = room_ids(session, project_id)
    return existing


# ------------------------------------------------------------------------------ owners


def owners_of_project(session: Session, project_id: int) -> list[OwnerRow]:
    columns = [getattr(Owner, name) for name in OWNER_FIELDS]
    rows = session.execute(
        select(
            Owner.id,
            Building.phase,
            Building.name,
            BuildingUnit.name,
            Room.floor,
            Room.number,
            Owner.id_number,
            *columns,
        )
        .join(Room, Owner.room_id == Room.id)
        .join(BuildingUnit, Room.unit_id == BuildingUnit.id)
        .join(Building, BuildingUnit.building_id == Building.id)
        .where(Owner.project_id == project_id)
        .order_by(Building.phase, Building.name, BuildingUnit.name, Room.number, Owner.id)
    )
    return [
        OwnerRow(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            dict(zip(OWNER_FIELDS, row[7:], strict=True)),
        )
        for row in rows
    ]


def insert_owners(
    session: Session, project_id: int, rows: Sequence[dict[str, Any]], by: str, at: datetime
) -> None:
    """Insert owners; each row has `room_id`, `id_number` and every OWNER_FIELDS key."""
    if not rows:
        return
    extra = {"project_id": project_id, "created_at": at, "created_by": by, "updated_at": at}
    session.execute(insert(_table("owners")), [{**row, **extra} for row in rows])


def update_owners(session: Session, rows: Sequence[dict[str, Any]], at: datetime) -> None:
    """Update owners by id; each row has `owner_id` and every OWNER_FIELDS key."""
    if not rows:
        return
    table = _table("owners")
    statement = (
        update(table)
        .where(table.c.id == bindparam("owner_id"))
        .values({name: bindparam(name) for name in (*OWNER_FIELDS, "updated_at")})
    )
    session.connection().execute(statement, [{**row, "updated_at": at} for row in rows])


def add_changes(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Append owner history rows (owner_id, changed_at, changed_by, source, before, after)."""
    if rows:
        session.execute(insert(_table("owner_changes")), list(rows))


def owner_history(session: Session, owner_id: int) -> list[OwnerChange]:
    return list(
        session.scalars(
            select(OwnerChange).where(OwnerChange.owner_id == owner_id).order_by(OwnerChange.id)
        )
    )


# ------------------------------------------------------------------------------ access log


def log_access(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Append access-log rows (at, username, action, project_id, owner_id, fields, reason)."""
    if rows:
        session.execute(insert(_table("personal_data_access_log")), list(rows))


def access_log(session: Session, project_id: int) -> list[PersonalDataAccess]:
    return list(
        session.scalars(
            select(PersonalDataAccess)
            .where(PersonalDataAccess.project_id == project_id)
            .order_by(PersonalDataAccess.id)
        )
    )


def plain(value: Any) -> Any:
    """A field value as JSON for the history (dates as ISO text)."""
    return value.isoformat() if isinstance(value, date) else value
