"""The hand-over (交房) of SPEC §2.4: appointments per room, defects found at the joint
inspection, their rectification (整改) by engineering closed only through CS re-inspection, and
each room's outcome (handed over with keys, or refused by the owner with the reason).

Owns: the hand-over use cases, who may do them, and the rectification state machine
    open --ready (engineering)--> ready_for_review --accept (CS)--> closed
                                  ready_for_review --reject (CS, reason)--> open
with an optimistic version check: of two people acting on the same version, one wins and the
other is told who moved it first. Writes through `anju.db.handover_repository`; must not import
SQLAlchemy, openpyxl or Streamlit. Appointments and unit outcomes: `handover_units`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from anju.db import handover_repository as handover_repo
from anju.db.handover_repository import DefectRow, RoomRow
from anju.db.handover_tables import Defect
from anju.db.unit_of_work import Session
from anju.localtime import local_date, local_text
from anju.locations import room_label
from anju.services.context import AppContext
from anju.services.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from anju.services.owners import project_id_of
from anju.services.users import require_user

CUSTOMER_SERVICE = "customer_service"
ENGINEERING = "engineering"
SEVERITIES = {"minor": "minor", "major": "major", "critical": "critical"}
SEVERITIES.update({"一般": "minor", "较重": "major", "严重": "critical"})
STATES = ("open", "ready_for_review", "closed")
ROLE_NAMES = {CUSTOMER_SERVICE: "客服 customer_service", ENGINEERING: "工程 engineering"}
# who may read defects and their rectification history (sales and design may not)
DEFECT_READERS = frozenset({CUSTOMER_SERVICE, ENGINEERING, "property", "leader", "gm", "admin"})


class IllegalTransitionError(InvalidInputError):
    """The rectification is not in a state that allows this step."""


class StaleVersionError(ConflictError):
    """Someone else moved the rectification since it was read."""

    def __init__(self, message: str, by: str, at: datetime, version: int) -> None:
        self.by = by
        self.at = at
        self.version = version
        super().__init__(message)


@dataclass(frozen=True)
class DefectView:
    defect_id: int
    location: str
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
    overdue: bool


@dataclass(frozen=True)
class TransitionView:
    at: datetime
    username: str
    action: str
    from_state: str
    to_state: str
    reason: str


# ------------------------------------------------------------------ defects, rectification


def add_defect(
    ctx: AppContext,
    project_code: str,
    room: str,
    username: str,
    *,
    space: str,
    part: str,
    category: str,
    description: str,
    severity: str,
    due: date,
) -> DefectView:
    """Record a defect found at the inspection (customer service) and assign its
    rectification to engineering, due on `due`."""
    now = ctx.now()
    found = DefectFound(space, part, category, description, severity, due)
    with ctx.db.unit_of_work() as session:
        require_role(session, username, CUSTOMER_SERVICE, "登记缺陷 (record a defect)")
        project_id = project_id_of(session, project_code)
        defect_id = record_defect(
            session, project_id, room_of(session, project_id, room), found, username, now
        )
        session.flush()
        return _view(_defect(session, defect_id), local_date(now))


@dataclass(frozen=True)
class DefectFound:
    """What the inspector writes down about a defect, and when it must be rectified."""

    space: str
    part: str
    category: str
    description: str
    severity: str
    due: date


def record_defect(
    session: Session,
    project_id: int,
    room: RoomRow,
    found: DefectFound,
    username: str,
    now: datetime,
) -> int:
    """Check and insert a defect with its rectification assigned to engineering, in the
    caller's transaction (the caller has checked the user's role)."""
    level = SEVERITIES.get(found.severity.strip())
    if level is None:
        raise InvalidInputError(
            f"未知严重程度 '{found.severity}' (severity must be one of minor, major, critical "
            f"or 一般, 较重, 严重)"
        )
    for name in ("space", "part", "description"):
        if not getattr(found, name).strip():
            raise InvalidInputError(f"缺陷需要填写 {name} (a defect needs a {name})")
    if found.due < local_date(now):
        raise InvalidInputError(
            f"整改期限 {found.due} 早于今天 {local_date(now)} (the due date is in the past)"
        )
    return handover_repo.add_defect(
        session,
        Defect(
            project_id=project_id,
            room_id=room.room_id,
            space=found.space.strip(),
            part=found.part.strip(),
            category=found.category.strip(),
            description=found.description.strip(),
            severity=level,
            found_at=now,
            found_by=username,
        ),
        found.due,
        ENGINEERING,
        now,
        username,
    )


def mark_ready(
    ctx: AppContext, defect_id: int, username: str, version: int | None = None, note: str = ""
) -> DefectView:
    """Engineering: the rectification is done and ready for CS to re-inspect."""
    return _move(ctx, defect_id, username, ENGINEERING, "ready", version, note)


def reinspect(
    ctx: AppContext,
    defect_id: int,
    username: str,
    accept: bool,
    reason: str = "",
    version: int | None = None,
) -> DefectView:
    """Customer service re-inspects: accepted closes the rectification; not accepted sends it
    back to engineering (open) with the reason, which is then required."""
    if not accept and not reason.strip():
        raise InvalidInputError("复验不通过必须说明原因 (a rejection needs a reason)")
    action = "accepted" if accept else "not_accepted"
    return _move(ctx, defect_id, username, CUSTOMER_SERVICE, action, version, reason)


_TRANSITIONS = {  # action → (role, from state, to state)
    "ready": (ENGINEERING, "open", "ready_for_review"),
    "accepted": (CUSTOMER_SERVICE, "ready_for_review", "closed"),
    "not_accepted": (CUSTOMER_SERVICE, "ready_for_review", "open"),
}
_ACTION_NAMES = {
    "ready": "标记整改完成 (mark ready for review)",
    "accepted": "复验通过 (accept at re-inspection)",
    "not_accepted": "复验不通过 (reject at re-inspection)",
}


def _move(
    ctx: AppContext,
    defect_id: int,
    username: str,
    role: str,
    action: str,
    version: int | None,
    reason: str,
) -> DefectView:
    needed_role, from_state, to_state = _TRANSITIONS[action]
    assert needed_role == role
    now = ctx.now()
    with ctx.db.unit_of_work() as session:
        require_role(session, username, role, _ACTION_NAMES[action])
        row = _defect(session, defect_id)
        if version is not None and version != row.version:
            raise _stale(row)
        if row.state != from_state:
            raise IllegalTransitionError(
                f"缺陷 #{defect_id} 的整改当前状态为 {row.state}，不能{_ACTION_NAMES[action]} "
                f"(only from state {from_state})"
            )
        moved = handover_repo.transition(
            session,
            row.rectification_id,
            row.version,
            from_state,
            to_state,
            action,
            now,
            username,
            reason.strip(),
        )
        if not moved:
            raise _stale(_defect(session, defect_id))
        session.flush()
        return _view(_defect(session, defect_id), local_date(now))


def _stale(row: DefectRow) -> StaleVersionError:
    return StaleVersionError(
        f"缺陷 #{row.defect_id} 的整改已被 {row.updated_by} 于 {local_text(row.updated_at)} "
        f"更新为 {row.state} (version {row.version})；请刷新后重试 "
        f"(changed by {row.updated_by} first; reload and retry)",
        row.updated_by,
        row.updated_at,
        row.version,
    )


def list_defects(
    ctx: AppContext, project_code: str, username: str, open_only: bool = False
) -> list[DefectView]:
    """A project's defects with their rectification state; `open_only` leaves out closed."""
    today = local_date(ctx.now())
    with ctx.db.unit_of_work(write=False) as session:
        require_reader(session, username)
        project_id = project_id_of(session, project_code)
        return [_view(r, today) for r in handover_repo.defects(session, project_id, open_only)]


def overdue_rectifications(ctx: AppContext, project_code: str, username: str) -> list[DefectView]:
    """Rectifications not closed whose local due date has passed, earliest first."""
    today = local_date(ctx.now())
    with ctx.db.unit_of_work(write=False) as session:
        require_reader(session, username)
        project_id = project_id_of(session, project_code)
        rows = handover_repo.defects(session, project_id, due_before=today)
        return [_view(r, today) for r in rows]


def defect_history(ctx: AppContext, defect_id: int, username: str) -> list[TransitionView]:
    """Every transition of the defect's rectification: who, when, from, to, why."""
    with ctx.db.unit_of_work(write=False) as session:
        require_reader(session, username)
        row = _defect(session, defect_id)
        return [
            TransitionView(e.at, e.username, e.action, e.from_state, e.to_state, e.reason)
            for e in handover_repo.events(session, row.rectification_id)
        ]


# ------------------------------------------------------------------------------ helpers


def require_reader(session: Session, username: str) -> None:
    _, roles = require_user(session, username)
    if not roles & DEFECT_READERS:
        raise PermissionDeniedError(
            f"'{username}' 无权查看交房缺陷 (only {', '.join(sorted(DEFECT_READERS))} may)"
        )


def require_role(session: Session, username: str, role: str, what: str) -> None:
    _, roles = require_user(session, username)
    if role not in roles:
        raise PermissionDeniedError(
            f"'{username}' 无权{what}；仅{ROLE_NAMES[role]}可以 (only {role} may do this)"
        )


def _defect(session: Session, defect_id: int) -> DefectRow:
    row = handover_repo.defect(session, defect_id)
    if row is None:
        raise NotFoundError(f"没有缺陷 #{defect_id} (no defect #{defect_id})")
    return row


def _compact(text: str) -> str:
    return "".join(text.split()).removesuffix("室")


def room_of(session: Session, project_id: int, room: str) -> RoomRow:
    """The room named by its number (when unique) or building + unit + number, e.g. 1栋1单元101."""
    wanted = _compact(room)
    if not wanted:
        raise InvalidInputError("需要房号, e.g. 1栋1单元101 (a room is needed)")
    rooms = handover_repo.rooms(session, project_id)
    full = [r for r in rooms if wanted in {r.building + r.unit + r.number, label(r)}]
    if len(full) == 1:
        return full[0]
    by_number = [r for r in rooms if r.number == wanted]
    if len(by_number) == 1:
        return by_number[0]
    if by_number or full:
        choices = ", ".join(label(r) for r in (full or by_number))
        raise InvalidInputError(f"房号 '{room}' 不唯一: {choices} (say building and unit)")
    raise NotFoundError(f"项目中没有房间 '{room}' (no such room in the project)")


def is_overdue(state: str, due: date, today: date) -> bool:
    """A rectification is overdue when it is not closed and its due day (local) has passed."""
    return state != "closed" and due < today


def label(room: RoomRow) -> str:
    return room_label(room.phase, room.building, room.unit, room.number)


def _view(row: DefectRow, today: date) -> DefectView:
    return DefectView(
        defect_id=row.defect_id,
        location=label(row.room),
        space=row.space,
        part=row.part,
        category=row.category,
        description=row.description,
        severity=row.severity,
        found_at=row.found_at,
        found_by=row.found_by,
        due_date=row.due_date,
        state=row.state,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        overdue=is_overdue(row.state, row.due_date, today),
    )
