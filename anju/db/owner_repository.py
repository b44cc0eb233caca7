"""Queries and bulk writes of locations, owners, owner changes and the access log.

Owns: the SQL of the owners area. Writes go through SQLAlchemy Core `executemany` (a list of
parameter dicts per statement) so an import of 100,000 rows stays a handful of statements.
Must not import services, importers or Streamlit; hands out plain tuples and dicts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import repeat
from typing import Any

from sqlalchemy import Table, Text, bindparam, cast, insert, select, update

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
OWNER_INSERT_COLUMNS = ("room_id", "id_number", *OWNER_FIELDS)
StoredOwner = tuple[int, tuple[Any, ...]]  # owner id, OWNER_FIELDS values (phones as JSON)


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
    b = _table("buildings")
    rows = session.connection().execute(
        select(b.c.phase, b.c.name, b.c.id).where(b.c.project_id == project_id)
    )
    return {(phase, name): id_ for phase, name, id_ in rows}


def unit_ids(session: Session, project_id: int) -> dict[tuple[str, str, str], int]:
    b, u = _table("buildings"), _table("building_units")
    rows = session.connection().execute(
        select(b.c.phase, b.c.name, u.c.name, u.c.id)
        .join(u, u.c.building_id == b.c.id)
        .where(b.c.project_id == project_id)
    )
    return {(phase, b_, u_): id_ for phase, b_, u_, id_ in rows}


def room_ids(session: Session, project_id: int) -> dict[RoomKey, int]:
    b, u, r = _table("buildings"), _table("building_units"), _table("rooms")
    rows = session.connection().execute(
        select(b.c.phase, b.c.name, u.c.name, r.c.number, r.c.id)
        .join(u, u.c.building_id == b.c.id)
        .join(r, r.c.unit_id == u.c.id)
        .where(b.c.project_id == project_id)
    )
    return {(phase, b_, u_, r_): id_ for phase, b_, u_, r_, id_ in rows}


@dataclass
class Locations:
    """The buildings, units and rooms registered for a project, by their natural keys."""

    buildings: dict[tuple[str, str], int]
    units: dict[tuple[str, str, str], int]
    rooms: dict[RoomKey, int]


def locations(session: Session, project_id: int) -> Locations:
    return Locations(
        building_ids(session, project_id),
        unit_ids(session, project_id),
        room_ids(session, project_id),
    )


def create_locations(
    session: Session,
    project_id: int,
    rooms: Iterable[tuple[RoomKey, int | None]],
    known: Locations | None = None,
) -> dict[RoomKey, int]:
    """Create the buildings, units and rooms not yet registered; return every room's id.

    `known` is what `locations` returned earlier in the same transaction (saves re-reading).
    """
    wanted = dict(rooms)
    known = known or locations(session, project_id)
    buildings = known.buildings
    new_buildings = {(k[0], k[1]) for k in wanted} - buildings.keys()
    if new_buildings:
        session.connection().execute(
            insert(_table("buildings")),
            [{"project_id": project_id, "phase": p, "name": b} for p, b in sorted(new_buildings)],
        )
        buildings = building_ids(session, project_id)
    units = known.units
    new_units = {(k[0], k[1], k[2]) for k in wanted} - units.keys()
    if new_units:
        session.connection().execute(
            insert(_table("building_units")),
            [{"building_id": buildings[(p, b)], "name": u} for p, b, u in sorted(new_units)],
        )
        units = unit_ids(session, project_id)
    existing = known.rooms
    new_rooms = [key for key in wanted if key not in existing]
    if not new_rooms:
        return existing
    _insert_tuples(
        session,
        "rooms",
        ("unit_id", "number", "floor"),
        [(units[key[:3]], key[3], wanted[key]) for key in new_rooms],
    )
    return room_ids(session, project_id)


def _insert_tuples(
    session: Session,
    table_name: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    constants: dict[str, Any] | None = None,
) -> None:
    """`executemany` of plain rows straight to the driver, for inserts of 100,000 rows.

    Each column's bind processor (JSON, dates, UTC timestamps) is applied here, so the stored
    values are exactly what a Core `insert` stores; `constants` (the same value on every row)
    are processed once. What this saves is SQLAlchemy's per-row parameter compilation, which
    was most of an import's write time.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    table = _table(table_name)
    constants = constants or {}
    names = [*columns, *constants]

    def processor(name: str) -> Any:
        return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)

    count = len(rows)
    table_columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
    for index, name in enumerate(columns):
        process = processor(name)
        if process is not None:
            table_columns[index] = _processed(table_columns[index], process)
    for name, value in constants.items():
        process = processor(name)
        table_columns.append(repeat(value if process is None else process(value), count))
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}[dialect.paramstyle]
    # names from our own table metadata, never from input; values go as parameters
    placeholders = ", ".join([marker] * len(names))
    statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({placeholders})"  # noqa: S608
    connection.exec_driver_sql(statement, list(zip(*table_columns, strict=False)))


def _processed(values: Iterable[Any], process: Any) -> list[Any]:
    """`process` applied to every value; repeated dates and timestamps are processed once."""
    seen: dict[Any, Any] = {}
    result = []
    for value in values:
        if value is None or isinstance(value, list | dict):
            result.append(process(value))
            continue
        known = seen.get(value, seen)
        if known is seen:
            known = seen[value] = process(value)
        result.append(known)
    return result


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


def stored_owners(session: Session, project_id: int) -> dict[OwnerKey, StoredOwner]:
    """Every owner of the project by (phase, building, unit, room, ID number), for comparing
    a file with the archive: the owner's id and OWNER_FIELDS as a tuple.

    Phones come as their stored JSON text (`["13812345678", "053288886666"]`, the same on
    SQLite and PostgreSQL's jsonb::text), so an unchanged row is compared without decoding
    100,000 JSON documents; `phones_json` writes a file's phones the same way.
    """
    b, u, r, o = (_table(n) for n in ("buildings", "building_units", "rooms", "owners"))
    columns = [cast(o.c.phones, Text) if n == "phones" else o.c[n] for n in OWNER_FIELDS]
    rows = (
        session.connection()
        .execute(
            select(b.c.phase, b.c.name, u.c.name, r.c.number, o.c.id_number, o.c.id, *columns)
            .select_from(o)
            .join(r, o.c.room_id == r.c.id)
            .join(u, r.c.unit_id == u.c.id)
            .join(b, u.c.building_id == b.c.id)
            .where(o.c.project_id == project_id)
        )
        .all()
    )
    return {tuple(row[:5]): (row[5], tuple(row[6:])) for row in rows}


def phones_json(phones: Sequence[str]) -> str:
    """Phones as `stored_owners` reads them back (JSON's default separators)."""
    joined = '", "'.join(phones)
    if phones and joined.isascii() and '"' not in joined and "\\" not in joined:
        return f'["{joined}"]'  # what json.dumps writes, without its per-call cost
    return json.dumps(list(phones))


def phones_from_json(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


def insert_owners(
    session: Session, project_id: int, rows: Sequence[Sequence[Any]], by: str, at: datetime
) -> None:
    """Insert owners; each row holds OWNER_INSERT_COLUMNS in that order (phones a list)."""
    _insert_tuples(
        session,
        "owners",
        OWNER_INSERT_COLUMNS,
        rows,
        {"project_id": project_id, "created_at": at, "created_by": by, "updated_at": at},
    )


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
