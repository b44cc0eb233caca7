"""Owner records: the Excel import (preview, then all-or-nothing commit), listings with masked
personal data, reason-stated reveals written to the access log, and the CS completeness check.

Owns: the owners use cases and who may do them. Reads files through `anju.importers`, writes
through `anju.db.owner_repository`; must not import SQLAlchemy, openpyxl or Streamlit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Any

from anju.db import owner_repository as owners_repo
from anju.db import repositories as repo
from anju.db.owner_repository import OWNER_FIELDS, OwnerRow, RoomKey
from anju.db.unit_of_work import Session
from anju.importers import excel
from anju.importers.identity import mask_id_number, mask_phone
from anju.importers.owner_schema import OwnerRecord, ParsedSheet, SheetError, parse_sheet
from anju.locations import room_label
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from anju.services.users import require_user

IMPORT_ROLES = frozenset({"customer_service", "sales", "admin"})
REVEAL_ROLES = frozenset({"customer_service", "admin"})
EXPORT_ROLES = frozenset({"customer_service", "sales", "admin"})
LIMITS = excel.Limits()


@dataclass(frozen=True)
class RejectedRow:
    row_number: int
    reason: str
    cells: tuple[object, ...] = ()  # the row as it is in the file, for the error report


@dataclass(frozen=True)
class ImportReport:
    """What an import would do (preview) or did (commit); `committed` says which."""

    project: str
    file_name: str
    sha256: str
    header_row: int
    columns: dict[str, str]
    extra_columns: list[str]
    rows: int
    new: int
    changed: int
    unchanged: int
    invalid: int
    rejected: list[RejectedRow]
    new_buildings: list[str]
    new_units: list[str]
    new_rooms: list[str]
    committed: bool = False
    header: list[str] = field(default_factory=list)  # the file's header row, as written


@dataclass(frozen=True)
class OwnerView:
    owner_id: int
    phase: str
    building: str
    unit: str
    floor: int | None
    room: str
    name: str
    phones: tuple[str, ...]
    id_number: str
    mailing_address: str
    contract_date: date | None
    planned_delivery_date: date | None
    certificate_number: str
    tier: str
    notes: str
    masked: bool

    @property
    def location(self) -> str:
        """The room as labelled everywhere, e.g. 一期1栋1单元101."""
        return room_label(self.phase, self.building, self.unit, self.room)


@dataclass(frozen=True)
class MissingData:
    owner_id: int
    location: str
    name: str
    missing: tuple[str, ...]  # "phone", "mailing_address"


@dataclass
class _Plan:
    new: list[OwnerRecord] = field(default_factory=list)
    # (owner id, OWNER_FIELDS stored, OWNER_FIELDS after the import)
    changed: list[tuple[int, tuple[Any, ...], tuple[Any, ...]]] = field(default_factory=list)
    unchanged: int = 0
    rooms: dict[RoomKey, int | None] = field(default_factory=dict)
    locations: owners_repo.Locations | None = None
    new_buildings: list[str] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    new_rooms: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------ import


def preview_import(
    ctx: AppContext,
    project_code: str,
    source: str | Path | bytes,
    username: str,
    file_name: str | None = None,
) -> ImportReport:
    """Read and validate the file, compare it with the archive; write nothing."""
    data, sheet, name = _read(source, file_name)
    with ctx.db.unit_of_work(write=False) as session:
        project_id = _project_for_import(session, project_code, username)
        plan = _plan(session, project_id, sheet)
    return _report(project_code, name, data, sheet, plan, committed=False)


def commit_import(
    ctx: AppContext,
    project_code: str,
    source: str | Path | bytes,
    username: str,
    file_name: str | None = None,
) -> ImportReport:
    """Import the whole file in one transaction, or nothing when any row is invalid.

    Owners are matched by (phase, building, unit, room, ID number): a known owner is updated
    (with a history row), never duplicated. Columns missing from the file and empty cells
    leave the archived value as it is.
    """
    data, sheet, name = _read(source, file_name)
    digest = hashlib.sha256(data).hexdigest()
    now = ctx.now()
    with ctx.db.unit_of_work(write=True) as session:
        project_id = _project_for_import(session, project_code, username)
        plan = _plan(session, project_id, sheet)
        if sheet.rejected:
            return _report(project_code, name, data, sheet, plan, committed=False)
        room_ids = owners_repo.create_locations(
            session, project_id, plan.rooms.items(), plan.locations
        )
        owners_repo.insert_owners(
            session,
            project_id,
            [_insert_row(record, room_ids[key_of(record)[:4]]) for record in plan.new],
            username,
            now,
        )
        owners_repo.update_owners(
            session,
            [{"owner_id": owner_id, **_fields(after)} for owner_id, _before, after in plan.changed],
            now,
        )
        source_label = f"import {name} sha256:{digest[:16]}"
        owners_repo.add_changes(
            session,
            [
                {
                    "owner_id": owner_id,
                    "changed_at": now,
                    "changed_by": username,
                    "source": source_label,
                    "before": _differences(before, after),
                    "after": _differences(after, before),
                }
                for owner_id, before, after in plan.changed
            ],
        )
        if plan.new or plan.changed:
            owners_repo.log_access(
                session,
                [
                    {
                        "at": now,
                        "username": username,
                        "action": "import",
                        "project_id": project_id,
                        "owner_id": None,
                        "fields": "all",
                        "reason": f"{source_label}: {len(plan.new)} new, "
                        f"{len(plan.changed)} changed",
                    }
                ],
            )
    return _report(project_code, name, data, sheet, plan, committed=True)


def _read(source: str | Path | bytes, file_name: str | None) -> tuple[bytes, ParsedSheet, str]:
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "upload.xlsx")
    try:
        data = excel.load_bytes(source, LIMITS)
        values = excel.read_first_sheet(data, LIMITS)
        sheet = parse_sheet(values.rows, values.first_row_number)
    except (excel.WorkbookRefused, SheetError) as exc:
        raise InvalidInputError(f"{name}: {exc}") from exc
    return data, sheet, name


def _project_for_import(session: Session, project_code: str, username: str) -> int:
    _, roles = require_user(session, username)
    if not roles & IMPORT_ROLES:
        raise PermissionDeniedError(
            f"'{username}' 无权导入业主资料；仅客服、销售、管理员可导入 "
            f"(only customer_service, sales and admin may import owners)"
        )
    return project_id_of(session, project_code)


def project_id_of(session: Session, project_code: str) -> int:
    project = repo.project_by_code(session, project_code)
    if project is None:
        raise NotFoundError(f"no project '{project_code}'")
    return project.id


key_of = attrgetter("phase", "building", "unit", "room", "id_number")
values_of = attrgetter(*OWNER_FIELDS)  # an OwnerRecord's fields in the archive's order
_rest_of = attrgetter(*OWNER_FIELDS[2:])  # after name and phones
_EMPTY = ("", None, ())


def _plan(session: Session, project_id: int, sheet: ParsedSheet) -> _Plan:
    """Compare the file with the archive in one pass over tuples, no dict per row.

    A row whose OWNER_FIELDS tuple equals the stored one is unchanged (the common case of a
    re-import); otherwise the file's non-empty values of the columns it has replace the
    stored ones, and the row is changed when the result differs.
    """
    plan = _Plan()
    stored = owners_repo.stored_owners(session, project_id)
    in_file = {"phones" if name == "phone" else name for name in sheet.columns}
    carried = tuple(name in in_file for name in OWNER_FIELDS)
    rooms = plan.rooms
    phones_json = owners_repo.phones_json
    for record in sheet.records:
        key = key_of(record)
        if key[:4] not in rooms:
            rooms[key[:4]] = record.floor
        known = stored.get(key)
        if known is None:
            plan.new.append(record)
            continue
        owner_id, stored_values = known
        if (record.name, phones_json(record.phones), *_rest_of(record)) == stored_values:
            plan.unchanged += 1  # the common case of a re-import: one tuple comparison
            continue
        name, phones, *rest = stored_values
        before = (name, owners_repo.phones_from_json(phones), *rest)
        after = tuple(
            new if keep and new not in _EMPTY else old
            for new, old, keep in zip(values_of(record), before, carried, strict=True)
        )
        if after == before:
            plan.unchanged += 1
        else:
            plan.changed.append((owner_id, before, after))
    known_locations = owners_repo.locations(session, project_id)
    plan.locations = known_locations
    plan.new_buildings = sorted(
        {_label(k[:2]) for k in rooms if k[:2] not in known_locations.buildings}
    )
    plan.new_units = sorted({_label(k[:3]) for k in rooms if k[:3] not in known_locations.units})
    plan.new_rooms = sorted(_label(k) for k in rooms if k not in known_locations.rooms)
    return plan


def _insert_row(record: OwnerRecord, room_id: int) -> tuple[Any, ...]:
    """OWNER_INSERT_COLUMNS of a new owner, as the archive stores them (phones a JSON list)."""
    return (room_id, record.id_number, record.name, list(record.phones), *_rest_of(record))


def _fields(values: tuple[Any, ...]) -> dict[str, Any]:
    named = dict(zip(OWNER_FIELDS, values, strict=True))
    named["phones"] = list(named["phones"])
    return named


def _differences(these: tuple[Any, ...], others: tuple[Any, ...]) -> dict[str, Any]:
    """The fields where `these` differ from `others`, as JSON for the owner's history."""
    return {
        name: owners_repo.plain(list(value) if name == "phones" else value)
        for name, value, other in zip(OWNER_FIELDS, these, others, strict=True)
        if value != other
    }


def _label(key: tuple[str, ...]) -> str:
    return " ".join(part for part in key if part)


def _report(
    project: str, name: str, data: bytes, sheet: ParsedSheet, plan: _Plan, committed: bool
) -> ImportReport:
    return ImportReport(
        project=project,
        file_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        header_row=sheet.header_row,
        columns=dict(sheet.columns),
        extra_columns=list(sheet.extra_columns),
        rows=len(sheet.records) + len(sheet.rejected),
        new=len(plan.new),
        changed=len(plan.changed),
        unchanged=plan.unchanged,
        invalid=len(sheet.rejected),
        rejected=[
            RejectedRow(e.row_number, e.reason, tuple(sheet.original(e.row_number)))
            for e in sheet.rejected
        ],
        new_buildings=plan.new_buildings,
        new_units=plan.new_units,
        new_rooms=plan.new_rooms,
        committed=committed,
        header=sheet.header_cells(),
    )


# ------------------------------------------------------------------------------ listings


def list_owners(
    ctx: AppContext, project_code: str, username: str, reveal_reason: str | None = None
) -> list[OwnerView]:
    """The project's owners, phones and ID numbers masked.

    With `reveal_reason`, a role allowed to see them gets them unmasked, and every revealed
    owner is written to the access log in the same transaction.
    """
    reveal = reveal_reason is not None
    with ctx.db.unit_of_work(write=reveal) as session:
        _, roles = require_user(session, username)
        project_id = project_id_of(session, project_code)
        reason = checked_reveal_reason(username, roles, reveal_reason) if reveal else ""
        rows = owners_repo.owners_of_project(session, project_id)
        if reveal:
            now = ctx.now()
            owners_repo.log_access(
                session,
                [
                    {
                        "at": now,
                        "username": username,
                        "action": "reveal",
                        "project_id": project_id,
                        "owner_id": row.owner_id,
                        "fields": "phones,id_number",
                        "reason": reason,
                    }
                    for row in rows
                ],
            )
    return [owner_view(row, masked=not reveal) for row in rows]


def checked_reveal_reason(username: str, roles: set[str], reason: str | None) -> str:
    """The stated reason of a reveal, refusing roles that may not see personal data."""
    if not roles & REVEAL_ROLES:
        raise PermissionDeniedError(
            f"'{username}' 无权查看完整电话和身份证号 "
            f"(only customer_service and admin may reveal phones and ID numbers)"
        )
    stated = (reason or "").strip()
    if len(stated) < 2:
        raise InvalidInputError("查看完整信息须填写原因 (a reveal needs a reason)")
    return stated


def owner_view(row: OwnerRow, masked: bool) -> OwnerView:
    f = row.fields
    phones = tuple(f["phones"])
    return OwnerView(
        owner_id=row.owner_id,
        phase=row.phase,
        building=row.building,
        unit=row.unit,
        floor=row.floor,
        room=row.room,
        name=f["name"],
        phones=tuple(mask_phone(p) for p in phones) if masked else phones,
        id_number=mask_id_number(row.id_number) if masked else row.id_number,
        mailing_address=f["mailing_address"],
        contract_date=f["contract_date"],
        planned_delivery_date=f["planned_delivery_date"],
        certificate_number=f["certificate_number"],
        tier=f["tier"],
        notes=f["notes"],
        masked=masked,
    )


def owners_missing_data(ctx: AppContext, project_code: str, username: str) -> list[MissingData]:
    """The CS check of SPEC §2.4: owners without a phone or a mailing address.

    Rows without a room never reach the archive: the import rejects them with their row number.
    """
    with ctx.db.unit_of_work(write=False) as session:
        require_user(session, username)
        rows = owners_repo.owners_of_project(session, project_id_of(session, project_code))
    result = []
    for row in rows:
        missing = tuple(
            name
            for name, empty in (
                ("phone", not row.fields["phones"]),
                ("mailing_address", not row.fields["mailing_address"].strip()),
            )
            if empty
        )
        if missing:
            location = _label((row.phase, row.building, row.unit, row.room))
            result.append(MissingData(row.owner_id, location, row.fields["name"], missing))
    return result


def access_log(ctx: AppContext, project_code: str, username: str) -> list[dict[str, Any]]:
    """The personal-data access log of a project, for customer service and admins."""
    with ctx.db.unit_of_work(write=False) as session:
        _, roles = require_user(session, username)
        if not roles & REVEAL_ROLES:
            raise PermissionDeniedError("only customer_service and admin may read the access log")
        entries = owners_repo.access_log(session, project_id_of(session, project_code))
        return [
            {
                "at": e.at,
                "username": e.username,
                "action": e.action,
                "owner_id": e.owner_id,
                "fields": e.fields,
                "reason": e.reason,
            }
            for e in entries
        ]


def template() -> bytes:
    """The downloadable owners template (.xlsx)."""
    from anju.importers.owner_template import template_bytes

    return template_bytes()
