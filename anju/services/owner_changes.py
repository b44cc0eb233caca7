"""Owner change requests (客户信息变更): the registration form records the new values; they
are applied only after identity verification (ID number, phone and room all match the
archive); every applied change lands in the owner's history and in the access log.

Five failed verifications of an owner within 30 minutes lock the record for 30 minutes and
write an alert for customer-service management. A failed check is committed before the
error is raised, so failures count even though the caller sees an error.

Owns: these use cases and their rules. Must not import SQLAlchemy, openpyxl or Streamlit.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from anju.db import owner_change_repository as changes_repo
from anju.db import owner_repository as owners_repo
from anju.db.owner_tables import OwnerChangeRequest
from anju.db.unit_of_work import Session
from anju.importers import cells
from anju.importers.identity import mask_id_number, mask_phone, phone_problem
from anju.importers.owner_schema import TIERS
from anju.localtime import local_text, zone
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from anju.services.owners import REVEAL_ROLES, project_id_of
from anju.services.users import require_user

CHANGE_ROLES = REVEAL_ROLES  # customer service registers and verifies; admins too
CHANGEABLE = owners_repo.OWNER_FIELDS  # every archived field but the ID number and the room
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=30)
LOCK_DURATION = timedelta(minutes=30)


class IdentityMismatchError(PermissionDeniedError):
    """The stated ID number, phone or room does not match the archive (the check is logged)."""

    def __init__(self, message: str, mismatched: tuple[str, ...], locked_until: datetime | None):
        super().__init__(message)
        self.mismatched = mismatched
        self.locked_until = locked_until


class OwnerLockedError(PermissionDeniedError):
    """The owner record is locked after repeated failed identity checks."""


@dataclass(frozen=True)
class ChangeRequestView:
    request_id: int
    owner_id: int
    location: str
    owner_name: str
    status: str  # pending | applied | rejected
    changes: dict[str, Any]
    reason: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str


@dataclass(frozen=True)
class OwnerChangeView:
    changed_at: datetime
    changed_by: str
    source: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True)
class OwnerAlertView:
    alert_id: int
    at: datetime
    kind: str
    owner_id: int | None
    message: str
    for_role: str


def request_change(
    ctx: AppContext,
    project_code: str,
    owner_id: int,
    username: str,
    changes: dict[str, Any],
    reason: str,
) -> ChangeRequestView:
    """Register a change form: validated new values, pending identity verification."""
    values = _validated(changes)
    stated = reason.strip()
    if len(stated) < 2:
        raise InvalidInputError("变更须填写原因 (a change request needs a reason)")
    with ctx.db.unit_of_work(write=True) as session:
        _require_role(session, username)
        project_id = project_id_of(session, project_code)
        owner, location = _owner(session, owner_id, project_id)
        request = changes_repo.add_request(
            session,
            project_id=project_id,
            owner_id=owner.id,
            requested_at=ctx.now(),
            requested_by=username,
            reason=stated,
            changes=values,
            status="pending",
            decision_note="",
        )
        return _request_view(request, location, owner.name)


def verify_and_apply(
    ctx: AppContext, request_id: int, username: str, id_number: str, phone: str, room: str
) -> ChangeRequestView:
    """Check the owner's identity against the archive; when all three match, apply the request.

    A mismatch is recorded (and may lock the record and alert CS management) and then raised
    as `IdentityMismatchError`; a locked record raises `OwnerLockedError` without a check.
    """
    now = ctx.now()
    failure: IdentityMismatchError | None = None
    with ctx.db.unit_of_work(write=True) as session:
        _require_role(session, username)
        request = changes_repo.request_by_id(session, request_id, lock=True)
        if request is None:
            raise NotFoundError(f"no change request #{request_id}")
        if request.status != "pending":
            raise InvalidInputError(
                f"变更申请 #{request_id} 已{_STATUS_ZH[request.status]} "
                f"(change request #{request_id} is already {request.status})"
            )
        owner, location = _owner(session, request.owner_id, request.project_id, lock=True)
        if owner.locked_until is not None and owner.locked_until > now:
            raise OwnerLockedError(
                f"该业主档案因多次身份核验失败已锁定至 {local_text(owner.locked_until)} "
                f"(owner record locked after repeated failed identity checks until "
                f"{local_text(owner.locked_until)} {zone().key})"
            )
        mismatched = _mismatches(
            owner.id_number, list(owner.phones), location, id_number, phone, room
        )
        changes_repo.add_verification(
            session,
            owner_id=owner.id,
            request_id=request.id,
            at=now,
            username=username,
            success=not mismatched,
            mismatched=",".join(mismatched),
        )
        if mismatched:
            failure = _failed(session, request, owner.id, owner.name, location, mismatched, now)
        else:
            _apply(session, request, owner, username, now)
            view = _request_view(request, location, owner.name)
    if failure is not None:
        raise failure
    return view


def reject_change(ctx: AppContext, request_id: int, username: str, note: str) -> ChangeRequestView:
    """Close a pending request without applying it (e.g. the owner withdrew it)."""
    if len(note.strip()) < 2:
        raise InvalidInputError("驳回须填写原因 (a rejection needs a reason)")
    with ctx.db.unit_of_work(write=True) as session:
        _require_role(session, username)
        request = changes_repo.request_by_id(session, request_id, lock=True)
        if request is None:
            raise NotFoundError(f"no change request #{request_id}")
        if request.status != "pending":
            raise InvalidInputError(f"change request #{request_id} is already {request.status}")
        owner, location = _owner(session, request.owner_id, request.project_id)
        request.status = "rejected"
        request.decided_at = ctx.now()
        request.decided_by = username
        request.decision_note = note.strip()
        return _request_view(request, location, owner.name)


def change_requests(
    ctx: AppContext, project_code: str, username: str, status: str | None = None
) -> list[ChangeRequestView]:
    with ctx.db.unit_of_work(write=False) as session:
        _require_role(session, username)
        project_id = project_id_of(session, project_code)
        result = []
        for request in changes_repo.requests_of_project(session, project_id, status):
            owner, location = _owner(session, request.owner_id, project_id)
            result.append(_request_view(request, location, owner.name))
        return result


def owner_history(
    ctx: AppContext, project_code: str, owner_id: int, username: str
) -> list[OwnerChangeView]:
    """Every change of the owner's record: imports and applied change requests (phones and ID
    numbers masked)."""
    with ctx.db.unit_of_work(write=False) as session:
        _require_role(session, username)
        _owner(session, owner_id, project_id_of(session, project_code))
        return [
            OwnerChangeView(
                c.changed_at, c.changed_by, c.source, masked(dict(c.before)), masked(dict(c.after))
            )
            for c in owners_repo.owner_history(session, owner_id)
        ]


def owner_alerts(ctx: AppContext, project_code: str, username: str) -> list[OwnerAlertView]:
    """Alerts for customer-service management (locked owner records)."""
    with ctx.db.unit_of_work(write=False) as session:
        _require_role(session, username)
        return [
            OwnerAlertView(a.id, a.at, a.kind, a.owner_id, a.message, a.for_role)
            for a in changes_repo.alerts_of_project(session, project_id_of(session, project_code))
        ]


# ------------------------------------------------------------------------------ rules


_STATUS_ZH = {"pending": "待核验", "applied": "生效", "rejected": "驳回"}


def _require_role(session: Session, username: str) -> None:
    _, roles = require_user(session, username)
    if not roles & CHANGE_ROLES:
        raise PermissionDeniedError(
            f"'{username}' 无权办理客户信息变更 "
            f"(only customer_service and admin handle owner changes)"
        )


def _owner(session: Session, owner_id: int, project_id: int, lock: bool = False) -> Any:
    found = changes_repo.owner_with_location(session, owner_id, lock=lock)
    if found is None or found[0].project_id != project_id:
        raise NotFoundError(f"no owner #{owner_id} in this project")
    return found


def _validated(changes: dict[str, Any]) -> dict[str, Any]:
    """The form's new values, normalised like an import, as JSON (dates as ISO text)."""
    if not changes:
        raise InvalidInputError("变更内容为空 (a change request needs at least one field)")
    unknown = sorted(set(changes) - set(CHANGEABLE))
    if unknown:
        raise InvalidInputError(
            f"不能通过变更申请修改: {', '.join(unknown)} (these fields cannot be changed here; "
            f"changeable: {', '.join(CHANGEABLE)}; an ID number or room change is a new owner "
            f"record)"
        )
    values: dict[str, Any] = {}
    try:
        for name, raw in changes.items():
            if name == "phones":
                values[name] = _phones(raw)
            elif name in ("contract_date", "planned_delivery_date"):
                day = cells.excel_date(raw, name)
                values[name] = day.isoformat() if day else None
            else:
                values[name] = cells.text(raw)
    except cells.CellError as exc:
        raise InvalidInputError(str(exc)) from exc
    if "name" in values and not values["name"]:
        raise InvalidInputError("业主姓名不能为空 (the owner's name cannot be empty)")
    if values.get("tier") and values["tier"] not in TIERS:
        raise InvalidInputError(f"客户等级须为 {'/'.join(TIERS)} (tier must be one of them)")
    return values


def _phones(raw: Any) -> list[str]:
    parts = raw if isinstance(raw, list) else str(raw).replace(",", "/").split("/")
    phones = [_phone_text(str(p)) for p in parts if str(p).strip()]
    for phone in phones:
        problem = phone_problem(phone)
        if problem:
            raise InvalidInputError(problem)
    if not phones:
        raise InvalidInputError("联系电话不能为空 (at least one phone)")
    return phones


def _phone_text(value: str) -> str:
    phone = cells.text(value).replace(" ", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if phone.startswith("1") and phone.replace("-", "").isdigit():
        phone = phone.replace("-", "")
    return phone


def _room_text(value: str) -> str:
    return unicodedata.normalize("NFKC", value).replace(" ", "").removesuffix("室")


def _mismatches(
    id_number: str,
    phones: list[str],
    location: tuple[str, str, str, str],
    stated_id: str,
    stated_phone: str,
    stated_room: str,
) -> tuple[str, ...]:
    wrong = []
    if cells.text(stated_id).replace(" ", "").upper() != id_number:
        wrong.append("id_number")
    plain = {p.replace("-", "") for p in phones}
    if not stated_phone.strip() or _phone_text(stated_phone).replace("-", "") not in plain:
        wrong.append("phone")
    room = _room_text(stated_room)
    phase, building, unit, number = location
    if not room or room not in {number, building + unit + number, phase + building + unit + number}:
        wrong.append("room")
    return tuple(wrong)


def _failed(
    session: Session,
    request: OwnerChangeRequest,
    owner_id: int,
    owner_name: str,
    location: tuple[str, str, str, str],
    mismatched: tuple[str, ...],
    now: datetime,
) -> IdentityMismatchError:
    failures = changes_repo.recent_failures(session, owner_id, now - FAILURE_WINDOW)
    labels = {"id_number": "身份证号", "phone": "电话", "room": "房号"}
    what = "、".join(labels[m] for m in mismatched)
    if failures >= MAX_FAILURES:
        until = now + LOCK_DURATION
        changes_repo.lock_owner(session, owner_id, until)
        place = " ".join(p for p in location if p)
        changes_repo.add_alert(
            session,
            project_id=request.project_id,
            owner_id=owner_id,
            at=now,
            kind="identity_lock",
            message=(
                f"{place} {owner_name}：30 分钟内身份核验失败 {failures} 次，档案已锁定至 "
                f"{local_text(until)}（变更申请 #{request.id}）"
            ),
            for_role="customer_service",
        )
        return IdentityMismatchError(
            f"身份核验失败（{what}不符），已连续失败 {failures} 次，档案锁定至 {local_text(until)} "
            f"(identity check failed: {', '.join(mismatched)}; record locked until "
            f"{local_text(until)} {zone().key}, CS management alerted)",
            mismatched,
            until,
        )
    left = MAX_FAILURES - failures
    return IdentityMismatchError(
        f"身份核验失败（{what}不符），再失败 {left} 次将锁定档案 "
        f"(identity check failed: {', '.join(mismatched)} do not match the archive; "
        f"{left} more failures lock the record)",
        mismatched,
        None,
    )


def _apply(
    session: Session, request: OwnerChangeRequest, owner: Any, username: str, now: datetime
) -> None:
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in request.changes.items():
        current = owners_repo.plain(getattr(owner, name))
        if current != value:
            before[name] = current
            after[name] = value
            setattr(owner, name, _stored(name, value))
    if after:
        owner.updated_at = now
        owners_repo.add_changes(
            session,
            [
                {
                    "owner_id": owner.id,
                    "changed_at": now,
                    "changed_by": username,
                    "source": f"change request #{request.id}",
                    "before": before,
                    "after": after,
                }
            ],
        )
    owners_repo.log_access(
        session,
        [
            {
                "at": now,
                "username": username,
                "action": "change",
                "project_id": request.project_id,
                "owner_id": owner.id,
                "fields": ",".join(after) or "none",
                "reason": f"change request #{request.id}: {request.reason}",
            }
        ],
    )
    request.status = "applied"
    request.decided_at = now
    request.decided_by = username
    request.decision_note = "身份核验通过 (identity verified)" + ("" if after else "; 无变化")


def _stored(name: str, value: Any) -> Any:
    if name in ("contract_date", "planned_delivery_date") and value is not None:
        return datetime.fromisoformat(value).date()
    return value


def masked(values: dict[str, Any]) -> dict[str, Any]:
    """Recorded values as shown: phones and ID numbers masked (unmasking is a logged reveal)."""
    shown = dict(values)
    if isinstance(shown.get("phones"), list):
        shown["phones"] = [mask_phone(str(p)) for p in shown["phones"]]
    if shown.get("id_number"):
        shown["id_number"] = mask_id_number(str(shown["id_number"]))
    return shown


def _request_view(
    request: OwnerChangeRequest, location: tuple[str, str, str, str], owner_name: str
) -> ChangeRequestView:
    return ChangeRequestView(
        request_id=request.id,
        owner_id=request.owner_id,
        location=" ".join(p for p in location if p),
        owner_name=owner_name,
        status=request.status,
        changes=masked(dict(request.changes)),
        reason=request.reason,
        requested_by=request.requested_by,
        requested_at=request.requested_at,
        decided_by=request.decided_by,
        decided_at=request.decided_at,
        decision_note=request.decision_note,
    )
