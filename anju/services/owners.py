"""Owner records: the Excel import (preview, then all-or-nothing commit), listings with masked
personal data, reason-stated reveals written to the access log, and the CS completeness check.

Owns: the owners use cases and who may do them. Reads files through `anju.importers`, writes
through `anju.db.owner_repository`; must not import SQLAlchemy, openpyxl or Streamlit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from anju.db import owner_repository as owners_repo
from anju.db import repositories as repo
from anju.db.owner_repository import OWNER_FIELDS, OwnerKey, OwnerRow, RoomKey
from anju.db.unit_of_work import Session
from anju.importers import excel
from anju.importers.identity import mask_id_number, mask_phone
from anju.importers.owner_schema import OwnerRecord, ParsedSheet, SheetError, parse_sheet
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from anju.services.users import require_user

IMPORT_ROLES = frozenset({"customer_service", "sales", "admin"})
REVEAL_ROLES = frozenset({"customer_service", "admin"})
LIMITS = excel.Limits()


@dataclass(frozen=True)
class RejectedRow:
    row_number: int
    reason: str


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


@dataclass(frozen=True)
class MissingData:
    owner_id: int
    location: str
    name: str
    missing: tuple[str, ...]  # "phone", "mailing_address"


@dataclass
class _Plan:
    new: list[OwnerRecord] = field(default_factory=list)
    changed: list[tuple[OwnerRow, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0
    rooms: dict[RoomKey, int | None] = field(default_factory=dict)
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
        room_ids = owners_repo.create_locations(session, project_id, plan.rooms.items())
        owners_repo.insert_owners(
            session,
            project_id,
            [_owner_values(record, room_ids[record.key[:4]]) for record in plan.new],
            username,
            now,
        )
        owners_repo.update_owners(
            session, [{"owner_id": row.owner_id, **after} for row, after in plan.changed], now
        )
        source_label = f"import {name} sha256:{digest[:16]}"
        owners_repo.add_changes(
            session,
            [
                {
                    "owner_id": row.owner_id,
                    "changed_at": now,
                    "changed_by": username,
                    "source": source_label,
                    "before": {
                        k: owners_repo.plain(row.fields[k])
                        for k in after
                        if row.fields[k] != after[k]
                    },
                    "after": {
                        k: owners_repo.plain(v) for k, v in after.items() if row.fields[k] != v
                    },
                }
                for row, after in plan.changed
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
    return _project_id(session, project_code)


def _project_id(session: Session, project_code: str) -> int:
    project = repo.project_by_code(session, project_code)
    if project is None:
        raise NotFoundError(f"no project '{project_code}'")
    return project.id


def _plan(session: Session, project_id: int, sheet: ParsedSheet) -> _Plan:
    plan = _Plan()
    archive: dict[OwnerKey, OwnerRow] = {
        (r.phase, r.building, r.unit, r.room, r.id_number): r
        for r in owners_repo.owners_of_project(session, project_id)
    }
    in_file = {"phones" if name == "phone" else name for name in sheet.columns}
    present = [name for name in OWNER_FIELDS if name in in_file]
    for record in sheet.records:
        plan.rooms.setdefault(record.key[:4], record.floor)
        known = archive.get(record.key)
        if known is None:
            plan.new.append(record)
            continue
        incoming = _incoming(record, present)
        if all(known.fields[k] == v for k, v in incoming.items()):
            plan.unchanged += 1
        else:
            plan.changed.append((known, {**known.fields, **incoming}))
    buildings = owners_repo.building_ids(session, project_id)
    units = owners_repo.unit_ids(session, project_id)
    rooms = owners_repo.room_ids(session, project_id)
    plan.new_buildings = sorted({_label(k[:2]) for k in plan.rooms if k[:2] not in buildings})
    plan.new_units = sorted({_label(k[:3]) for k in plan.rooms if k[:3] not in units})
    plan.new_rooms = sorted(_label(k) for k in plan.rooms if k not in rooms)
    return plan


def _incoming(record: OwnerRecord, present: list[str]) -> dict[str, Any]:
    values = _owner_values(record, 0)
    return {k: values[k] for k in present if values[k] not in ("", None, [])}


def _owner_values(record: OwnerRecord, room_id: int) -> dict[str, Any]:
    return {
        "room_id": room_id,
        "id_number": record.id_number,
        "name": record.name,
        "phones": list(record.phones),
        "mailing_address": record.mailing_address,
        "contract_date": record.contract_date,
        "planned_delivery_date": record.planned_delivery_date,
        "certificate_number": record.certificate_number,
        "tier": record.tier,
        "notes": record.notes,
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
        rejected=[RejectedRow(e.row_number, e.reason) for e in sheet.rejected],
        new_buildings=plan.new_buildings,
        new_units=plan.new_units,
        new_rooms=plan.new_rooms,
        committed=committed,
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
        project_id = _project_id(session, project_code)
        if reveal:
            reason = (reveal_reason or "").strip()
            if not roles & REVEAL_ROLES:
                raise PermissionDeniedError(
                    f"'{username}' 无权查看完整电话和身份证号 "
                    f"(only customer_service and admin may reveal phones and ID numbers)"
                )
            if len(reason) < 2:
                raise InvalidInputError("查看完整信息须填写原因 (a reveal needs a reason)")
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
    return [_view(row, masked=not reveal) for row in rows]


def _view(row: OwnerRow, masked: bool) -> OwnerView:
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
        rows = owners_repo.owners_of_project(session, _project_id(session, project_code))
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
        entries = owners_repo.access_log(session, _project_id(session, project_code))
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
