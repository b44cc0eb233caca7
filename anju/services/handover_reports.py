"""The hand-over reports (交房报告): one room's report to sign at the hand-over, and the
project's report of units handed over, defects and rectification.

Owns: assembling the report contexts (`anju.reports.contexts`) from the database — personal
data masked here, before any template sees it — and handing them to `anju.reports` for HTML
or PDF. Reads through `anju.db.handover_repository` (counts are SQL aggregates there) and
`anju.db.owner_repository`; must not import SQLAlchemy, Jinja2, WeasyPrint or Streamlit.
"""

from __future__ import annotations

import base64
import io
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime

from anju.db import handover_repository as handover_repo
from anju.db import inspection_repository as inspection_repo
from anju.db import owner_repository as owners_repo
from anju.db import repositories as repo
from anju.db.handover_repository import DefectRow, RoomRow
from anju.db.handover_tables import RectificationEvent, UnitHandover
from anju.db.unit_of_work import Session
from anju.importers.identity import mask_in_text, mask_name, mask_phone
from anju.localtime import local_date
from anju.reports import batch
from anju.reports.charts import bar_chart
from anju.reports.contexts import (
    AppointmentLine,
    Concern,
    DefectGroup,
    DefectLine,
    EventLine,
    InspectionLine,
    OutcomeLine,
    OverdueLine,
    OwnerLine,
    ProjectHeader,
    ProjectReport,
    RefusalLine,
    Report,
    RoomLocation,
    UnitReport,
)
from anju.reports.grid import GridRoom, building_grids
from anju.services import attachments
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, NotFoundError
from anju.services.handover import is_overdue, label, require_reader, room_of

FORMATS = batch.FORMATS
DURATION_BUCKETS = ((3, "0–3 天"), (7, "4–7 天"), (14, "8–14 天"), (30, "15–30 天"))
LONGEST_BUCKET = "30 天以上"
PENDING = OutcomeLine("pending", False, "", None, "")
PHOTOS_SHOWN = 3  # a defect's photos in the unit report (keeps a PDF near its size budget)


# ------------------------------------------------------------------------------ unit reports


def unit_reports(
    ctx: AppContext, project_code: str, username: str, rooms: Sequence[str] = ()
) -> list[UnitReport]:
    """The unit hand-over reports of `rooms` (e.g. 1栋1单元101), or of every room of the
    project when none are named, in one read-only transaction."""
    now = ctx.now()
    today = local_date(now)
    with ctx.db.unit_of_work(write=False) as session:
        require_reader(session, username)  # the defects' readers (handover.DEFECT_READERS)
        header, project_id = _project(session, project_code)
        chosen = _unique([room_of(session, project_id, name) for name in rooms]) or (
            handover_repo.rooms(session, project_id)
        )
        ids = [r.room_id for r in chosen] if rooms else []
        defects = _by_room(handover_repo.defects_of_rooms(session, project_id, ids))
        history = _events_by_rectification(handover_repo.events_of_rooms(session, project_id, ids))
        outcomes = _outcomes_by_room(handover_repo.outcomes_of_rooms(session, project_id, ids))
        booked: dict[int, list[AppointmentLine]] = defaultdict(list)
        for a in handover_repo.appointments(session, project_id):
            booked[a.room_id].append(AppointmentLine(a.day, a.slot, a.booked_by))
        owners = _owners_by_location(session, project_id)
        inspections = {r.room_id: _inspection(session, r.room_id) for r in chosen}
    photos = attachments.defect_photos(
        ctx, [d.defect_id for rows in defects.values() for d in rows]
    )
    return [
        UnitReport(
            project=header,
            location=_location(room),
            owners=tuple(owners.get(_key(room), ())),
            appointments=tuple(booked.get(room.room_id, ())),
            outcome=outcomes.get(room.room_id, [PENDING])[-1],
            earlier_outcomes=tuple(outcomes.get(room.room_id, [PENDING])[:-1]),
            inspection=inspections[room.room_id],
            groups=_groups(defects.get(room.room_id, []), history, photos, today),
            total_defects=len(defects.get(room.room_id, [])),
            open_defects=sum(d.state != "closed" for d in defects.get(room.room_id, [])),
            generated_at=now,
        )
        for room in chosen
    ]


def unit_report(ctx: AppContext, project_code: str, room: str, username: str) -> UnitReport:
    """The hand-over report of one room, e.g. 1栋1单元101."""
    return unit_reports(ctx, project_code, username, [room])[0]


def _unique(rooms: list[RoomRow]) -> list[RoomRow]:
    return list({r.room_id: r for r in rooms}.values())


def _by_room(rows: list[DefectRow]) -> dict[int, list[DefectRow]]:
    found: dict[int, list[DefectRow]] = defaultdict(list)
    for row in rows:
        found[row.room.room_id].append(row)
    return found


def _events_by_rectification(events: list[RectificationEvent]) -> dict[int, list[EventLine]]:
    found: dict[int, list[EventLine]] = defaultdict(list)
    for e in events:
        found[e.rectification_id].append(
            EventLine(e.at, e.username, e.action, mask_in_text(e.reason))
        )
    return found


def _outcomes_by_room(rows: list[UnitHandover]) -> dict[int, list[OutcomeLine]]:
    found: dict[int, list[OutcomeLine]] = defaultdict(list)
    for o in rows:
        found[o.room_id].append(
            OutcomeLine(o.outcome, o.keys_handed, mask_in_text(o.reason), o.at, o.username)
        )
    return found


def _inspection(session: Session, room_id: int) -> InspectionLine | None:
    row = inspection_repo.latest_inspection(session, room_id)
    if row is None:
        return None
    count = {r: sum(x.result == r for x in row.results) for r in ("pass", "defect", "na")}
    return InspectionLine(
        row.at, row.username, row.checklist, count["pass"], count["defect"], count["na"]
    )


def _data_uris(thumbnails: list[bytes]) -> tuple[str, ...]:
    return tuple(
        "data:image/jpeg;base64," + base64.b64encode(t).decode("ascii")
        for t in thumbnails[:PHOTOS_SHOWN]
    )


def _groups(
    rows: list[DefectRow],
    history: dict[int, list[EventLine]],
    photos: dict[int, list[bytes]],
    today: date,
) -> tuple[DefectGroup, ...]:
    places: dict[tuple[str, str], list[DefectLine]] = defaultdict(list)
    for d in rows:
        places[(d.space, d.part)].append(
            DefectLine(
                defect_id=d.defect_id,
                category=d.category,
                description=mask_in_text(d.description),
                severity=d.severity,
                found_at=d.found_at,
                found_by=d.found_by,
                due_date=d.due_date,
                state=d.state,
                overdue=is_overdue(d.state, d.due_date, today),
                history=tuple(history.get(d.rectification_id, ())),
                photos=_data_uris(photos.get(d.defect_id, [])),
                more_photos=max(0, len(photos.get(d.defect_id, [])) - PHOTOS_SHOWN),
            )
        )
    return tuple(DefectGroup(space, part, tuple(lines)) for (space, part), lines in places.items())


def _key(room: RoomRow) -> tuple[str, str, str, str]:
    return (room.phase, room.building, room.unit, room.number)


def _owners_by_location(
    session: Session, project_id: int
) -> dict[tuple[str, str, str, str], list[OwnerLine]]:
    found: dict[tuple[str, str, str, str], list[OwnerLine]] = defaultdict(list)
    for o in owners_repo.owners_of_project(session, project_id):
        phones = tuple(mask_phone(p) for p in o.fields["phones"] or ())
        line = OwnerLine(mask_name(o.fields["name"]), phones, mask_in_text(o.fields["notes"] or ""))
        found[(o.phase, o.building, o.unit, o.room)].append(line)
    return found


def _location(room: RoomRow) -> RoomLocation:
    return RoomLocation(room.phase, room.building, room.unit, room.floor, room.number, label(room))


def _project(session: Session, project_code: str) -> tuple[ProjectHeader, int]:
    project = repo.project_by_code(session, project_code)
    if project is None:
        raise NotFoundError(f"没有项目 '{project_code}' (no project '{project_code}')")
    return ProjectHeader(project.code, project.name, project.city), project.id


# --------------------------------------------------------------------------- project report


def project_report(ctx: AppContext, project_code: str, username: str) -> ProjectReport:
    """The project's hand-over report: outcomes, defects by category and place, the grid of
    open defects, rectification times and overdue rectifications."""
    now = ctx.now()
    today = local_date(now)
    with ctx.db.unit_of_work(write=False) as session:
        require_reader(session, username)  # the defects' readers (handover.DEFECT_READERS)
        header, project_id = _project(session, project_code)
        rooms = handover_repo.rooms(session, project_id)
        labels = {r.room_id: label(r) for r in rooms}
        states = handover_repo.outcome_counts(session, project_id)
        refusals = handover_repo.latest_outcomes(session, project_id, "refused")
        by_category = handover_repo.defect_counts(session, project_id, "category")
        by_space = handover_repo.defect_counts(session, project_id, "space")
        by_place = handover_repo.defect_counts(session, project_id, "space", "part")
        open_by_room = handover_repo.open_defects_by_room(session, project_id)
        spans = handover_repo.closed_spans(session, project_id)
        overdue = handover_repo.defects(session, project_id, due_before=today)
    handed_over, refused = states.get("handed_over", 0), states.get("refused", 0)
    return ProjectReport(
        project=header,
        rooms_total=len(rooms),
        handed_over=handed_over,
        refused=refused,
        pending=len(rooms) - handed_over - refused,
        refusals=tuple(
            RefusalLine(labels[o.room_id], mask_in_text(o.reason), o.at) for o in refusals
        ),
        total_defects=sum(c.total for c in by_category),
        open_defects=sum(c.open for c in by_category),
        by_category=bar_chart("按类别", [(c.key[0], c.total) for c in by_category]),
        by_location=bar_chart("按房间", [(c.key[0], c.total) for c in by_space]),
        grid=building_grids(
            GridRoom(r.phase, r.building, r.unit, r.floor, r.number, open_by_room.get(r.room_id, 0))
            for r in rooms
        ),
        durations=bar_chart("整改用时（发现至关闭）", duration_buckets(spans)),
        overdue=tuple(
            OverdueLine(
                d.defect_id,
                labels[d.room.room_id],
                d.space,
                d.part,
                d.category,
                d.due_date,
                (today - d.due_date).days,
                d.state,
            )
            for d in overdue
        ),
        concerns=(
            *(Concern(f"类别：{c.key[0]}", c.total) for c in by_category[:3]),
            *(Concern(f"部位：{c.key[0]}·{c.key[1]}", c.total) for c in by_place[:3]),
        ),
        generated_at=now,
    )


def duration_buckets(spans: Sequence[tuple[datetime, datetime]]) -> list[tuple[str, int]]:
    """Closed rectifications counted by calendar days (Asia/Shanghai) from found to closed."""
    counts = dict.fromkeys([name for _, name in DURATION_BUCKETS] + [LONGEST_BUCKET], 0)
    for found, closed in spans:
        days = (local_date(closed) - local_date(found)).days
        name = next((n for limit, n in DURATION_BUCKETS if days <= limit), LONGEST_BUCKET)
        counts[name] += 1
    return list(counts.items())


# ------------------------------------------------------------------------------ rendering


def units_zip(
    reports: Sequence[UnitReport],
    fmt: str,
    progress: Callable[[int, int, str], None] | None = None,
) -> bytes:
    """A zip of one file per room (`<project>_<room>.<fmt>`), rendered in order;
    `progress(done, total, room)` is called after each room. No rooms: refused."""
    if not reports:
        raise InvalidInputError(
            "项目还没有登记房间, 没有可生成的房间报告 (the project has no rooms)"
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        files = render(reports, fmt)
        for done, (unit, data) in enumerate(zip(reports, files, strict=True), start=1):
            archive.writestr(f"{unit.file_stem}.{fmt}", data)
            if progress is not None:
                progress(done, len(reports), unit.location.label)
    return out.getvalue()


def render(reports: Sequence[Report], fmt: str) -> Iterator[bytes]:
    """The files (HTML or PDF) of `reports`, in order; many PDFs render in a worker pool."""
    if fmt not in FORMATS:
        raise InvalidInputError(f"未知格式 '{fmt}' (format must be one of {', '.join(FORMATS)})")
    return batch.render_many(reports, fmt)
