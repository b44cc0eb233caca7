"""The rooms' side of the hand-over (交房, SPEC §2.4): booked appointments and each room's
outcome — handed over with the keys, or refused by the owner with the reason (a refused room
may be handed over later; a handed-over room is final).

Owns: those use cases and who may do them (customer service). Defects and rectification are in
`anju.services.handover`; must not import SQLAlchemy, openpyxl or Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from anju.db import handover_repository as handover_repo
from anju.db.handover_repository import RoomRow
from anju.db.handover_tables import HandoverAppointment, UnitHandover
from anju.db.unit_of_work import Session
from anju.localtime import local_text
from anju.services.context import AppContext
from anju.services.errors import ConflictError, InvalidInputError
from anju.services.handover import CUSTOMER_SERVICE, label, require_role, room_of
from anju.services.owners import project_id_of
from anju.services.users import require_user


@dataclass(frozen=True)
class AppointmentView:
    appointment_id: int
    location: str
    day: date
    slot: str
    owner_id: int | None
    booked_by: str


@dataclass(frozen=True)
class OutcomeView:
    location: str
    outcome: str  # handed_over | refused
    keys_handed: bool
    reason: str
    owner_id: int | None
    at: datetime
    username: str
    open_defects: int


def rooms(ctx: AppContext, project_code: str, username: str) -> list[str]:
    """Every registered room of the project, labelled as everywhere else (e.g. 1栋1单元101)."""
    with ctx.db.unit_of_work(write=False) as session:
        require_user(session, username)
        return [
            label(r) for r in handover_repo.rooms(session, project_id_of(session, project_code))
        ]


# ------------------------------------------------------------------------ appointments


def book_appointment(
    ctx: AppContext,
    project_code: str,
    room: str,
    username: str,
    day: date,
    slot: str,
    owner_id: int | None = None,
) -> AppointmentView:
    """Book a hand-over slot for a room (customer service)."""
    if not slot.strip():
        raise InvalidInputError("预约需要时段, e.g. 09:00-10:00 (an appointment needs a slot)")
    with ctx.db.unit_of_work() as session:
        require_role(session, username, CUSTOMER_SERVICE, "预约交房 (book a hand-over)")
        project_id = project_id_of(session, project_code)
        found = room_of(session, project_id, room)
        _check_owner(session, owner_id, found)
        row = handover_repo.add_appointment(
            session,
            HandoverAppointment(
                project_id=project_id,
                room_id=found.room_id,
                owner_id=owner_id,
                day=day,
                slot=slot.strip(),
                booked_at=ctx.now(),
                booked_by=username,
            ),
        )
        return AppointmentView(row.id, label(found), day, row.slot, owner_id, username)


def appointments(ctx: AppContext, project_code: str, username: str) -> list[AppointmentView]:
    with ctx.db.unit_of_work(write=False) as session:
        require_user(session, username)
        project_id = project_id_of(session, project_code)
        labels = {r.room_id: label(r) for r in handover_repo.rooms(session, project_id)}
        return [
            AppointmentView(a.id, labels[a.room_id], a.day, a.slot, a.owner_id, a.booked_by)
            for a in handover_repo.appointments(session, project_id)
        ]


# ------------------------------------------------------------------------------ outcome


def hand_over(
    ctx: AppContext,
    project_code: str,
    room: str,
    username: str,
    owner_id: int | None = None,
    keys_handed: bool = True,
    note: str = "",
) -> OutcomeView:
    """The owner signs and (normally) receives the keys; open defects stay on their
    rectification and are counted in the outcome."""
    return _record(ctx, project_code, room, username, "handed_over", keys_handed, note, owner_id)


def refuse(
    ctx: AppContext,
    project_code: str,
    room: str,
    username: str,
    reason: str,
    owner_id: int | None = None,
) -> OutcomeView:
    """The owner refuses to take the unit; the reason is required."""
    if not reason.strip():
        raise InvalidInputError("业主拒收必须记录原因 (a refusal needs the owner's reason)")
    return _record(ctx, project_code, room, username, "refused", False, reason, owner_id)


def outcomes(ctx: AppContext, project_code: str, username: str) -> list[OutcomeView]:
    """Every recorded outcome (a refused room handed over later has two), oldest first."""
    with ctx.db.unit_of_work(write=False) as session:
        require_user(session, username)
        project_id = project_id_of(session, project_code)
        rooms = {r.room_id: r for r in handover_repo.rooms(session, project_id)}
        open_by_room: dict[int, int] = {}
        for row in handover_repo.defects(session, project_id, open_only=True):
            open_by_room[row.room.room_id] = open_by_room.get(row.room.room_id, 0) + 1
        return [
            _outcome_view(o, rooms[o.room_id], open_by_room.get(o.room_id, 0))
            for o in handover_repo.outcomes(session, project_id)
        ]


def _record(
    ctx: AppContext,
    project_code: str,
    room: str,
    username: str,
    outcome: str,
    keys_handed: bool,
    reason: str,
    owner_id: int | None,
) -> OutcomeView:
    with ctx.db.unit_of_work() as session:
        require_role(session, username, CUSTOMER_SERVICE, "记录交房结果 (record the outcome)")
        project_id = project_id_of(session, project_code)
        found = room_of(session, project_id, room)
        _check_owner(session, owner_id, found)
        last = handover_repo.latest_outcome(session, found.room_id)
        if last is not None and last.outcome == "handed_over":
            raise ConflictError(
                f"{label(found)} 已由 {last.username} 于 {local_text(last.at)} 交付 "
                f"(already handed over)"
            )
        row = handover_repo.save_outcome(
            session,
            UnitHandover(
                project_id=project_id,
                room_id=found.room_id,
                owner_id=owner_id,
                outcome=outcome,
                keys_handed=keys_handed,
                reason=reason.strip(),
                at=ctx.now(),
                username=username,
            ),
        )
        open_defects = sum(
            1
            for d in handover_repo.defects(session, project_id, open_only=True)
            if d.room.room_id == found.room_id
        )
        return _outcome_view(row, found, open_defects)


# ------------------------------------------------------------------------------ helpers


def _check_owner(session: Session, owner_id: int | None, room: RoomRow) -> None:
    if owner_id is not None and handover_repo.owner_room(session, owner_id) != room.room_id:
        raise InvalidInputError(
            f"业主 #{owner_id} 不是 {label(room)} 的业主 (not an owner of that room)"
        )


def _outcome_view(row: UnitHandover, room: RoomRow, open_defects: int) -> OutcomeView:
    return OutcomeView(
        location=label(room),
        outcome=row.outcome,
        keys_handed=row.keys_handed,
        reason=row.reason,
        owner_id=row.owner_id,
        at=row.at,
        username=row.username,
        open_defects=open_defects,
    )
