"""The joint inspection (联合查验) of a room at hand-over, and booking the re-inspection of a
rectification (with the owner when the owner asks).

Owns: reading and checking the checklists in `anju/checklists/*.toml` (spaces × items: the
template is data), recording one inspection with a result for every item — an item found
defective records its defect and rectification in the same transaction, so a bad item leaves
nothing behind — and the re-inspection slots. Must not import SQLAlchemy, openpyxl or Streamlit.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from anju.db import handover_repository as handover_repo
from anju.db import inspection_repository as inspection_repo
from anju.db.handover_tables import InspectionResult, ReinspectionBooking, UnitInspection
from anju.localtime import local_date
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, NotFoundError
from anju.services.handover import (
    CUSTOMER_SERVICE,
    DefectFound,
    label,
    record_defect,
    require_reader,
    require_role,
    room_of,
)
from anju.services.owners import project_id_of

CHECKLISTS = Path(__file__).resolve().parent.parent / "checklists"
RESULTS = ("pass", "defect", "na")
BOOKABLE = ("open", "ready_for_review")  # a closed rectification needs no re-inspection


@dataclass(frozen=True)
class ChecklistItem:
    position: int
    space: str
    item: str


@dataclass(frozen=True)
class Checklist:
    name: str
    title: str
    sha256: str
    items: tuple[ChecklistItem, ...]


@dataclass(frozen=True)
class ItemResult:
    """The inspector's result for one checklist item; `defect` is required when it is "defect"."""

    space: str
    item: str
    result: str
    note: str = ""
    defect: DefectFound | None = None


@dataclass(frozen=True)
class InspectionView:
    inspection_id: int
    location: str
    checklist: str
    at: datetime
    username: str
    passed: int
    defects: int
    not_applicable: int
    results: tuple[inspection_repo.ResultRow, ...]


@dataclass(frozen=True)
class BookingView:
    booking_id: int
    defect_id: int
    location: str
    day: date
    slot: str
    with_owner: bool
    booked_by: str


@cache
def checklist(name: str = "standard") -> Checklist:
    """The named checklist of `anju/checklists/`."""
    path = CHECKLISTS / f"{name}.toml"
    if not name.isidentifier() or not path.is_file():
        known = ", ".join(sorted(p.stem for p in CHECKLISTS.glob("*.toml")))
        raise NotFoundError(f"没有查验清单 '{name}' (no checklist '{name}'; known: {known})")
    return parse_checklist(path.name, path.read_bytes())


def parse_checklist(file_name: str, raw: bytes) -> Checklist:
    """A checklist from TOML, checked: every space has items and no item appears twice."""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{file_name}: {exc}") from exc
    items: list[ChecklistItem] = []
    seen: set[tuple[str, str]] = set()
    for number, space in enumerate(data.get("spaces", []), start=1):
        space_name = str(space.get("space", "")).strip()
        entries = [str(entry).strip() for entry in space.get("items", [])]
        if not space_name or not entries or not all(entries):
            raise InvalidInputError(f"{file_name}: space #{number} needs a name and items")
        for entry in entries:
            if (space_name, entry) in seen:
                raise InvalidInputError(f"{file_name}: '{space_name} / {entry}' is listed twice")
            seen.add((space_name, entry))
            items.append(ChecklistItem(len(items) + 1, space_name, entry))
    if not items:
        raise InvalidInputError(f"{file_name}: the checklist has no items")
    name = str(data.get("name", Path(file_name).stem))
    return Checklist(
        name, str(data.get("title", name)), hashlib.sha256(raw).hexdigest(), tuple(items)
    )


def _check_results(
    sheet: Checklist, results: list[ItemResult]
) -> dict[tuple[str, str], ItemResult]:
    """Every item exactly once, known results, a defect described where one was found."""
    by_item: dict[tuple[str, str], ItemResult] = {}
    known = {(i.space, i.item) for i in sheet.items}
    for given in results:
        key = (given.space, given.item)
        if key not in known:
            raise InvalidInputError(
                f"清单中没有 '{given.space} / {given.item}' (not in the checklist)"
            )
        if key in by_item:
            raise InvalidInputError(f"'{given.space} / {given.item}' 填了两次 (given twice)")
        if given.result not in RESULTS:
            raise InvalidInputError(
                f"'{given.space} / {given.item}': 结果须为 {'/'.join(RESULTS)} (unknown result "
                f"'{given.result}')"
            )
        if (given.result == "defect") != (given.defect is not None):
            raise InvalidInputError(
                f"'{given.space} / {given.item}': 有缺陷时须填写缺陷，无缺陷时不填 "
                "(a defect result needs the defect, and only it)"
            )
        by_item[key] = given
    missing = [f"{i.space} / {i.item}" for i in sheet.items if (i.space, i.item) not in by_item]
    if missing:
        raise InvalidInputError(
            f"还有 {len(missing)} 项未查验 (every item needs a result): {'; '.join(missing[:5])}"
        )
    return by_item


def record_inspection(
    ctx: AppContext,
    project_code: str,
    room: str,
    username: str,
    results: list[ItemResult],
    checklist_name: str = "standard",
) -> InspectionView:
    """Customer service records the joint inspection of a room: a result for every item of the
    checklist; each defective item becomes a defect with its rectification. All or nothing."""
    sheet = checklist(checklist_name)
    by_item = _check_results(sheet, results)
    now = ctx.now()
    with ctx.db.unit_of_work() as session:
        require_role(session, username, CUSTOMER_SERVICE, "登记查验 (record an inspection)")
        project_id = project_id_of(session, project_code)
        found = room_of(session, project_id, room)
        rows = []
        for item in sheet.items:
            given = by_item[(item.space, item.item)]
            defect_id = None
            if given.defect is not None:
                defect_id = record_defect(session, project_id, found, given.defect, username, now)
            rows.append(
                InspectionResult(
                    position=item.position,
                    space=item.space,
                    item=item.item,
                    result=given.result,
                    note=given.note.strip(),
                    defect_id=defect_id,
                )
            )
        inspection_repo.add_inspection(
            session,
            UnitInspection(
                project_id=project_id,
                room_id=found.room_id,
                checklist=sheet.name,
                checklist_sha256=sheet.sha256,
                at=now,
                username=username,
            ),
            rows,
        )
        saved = inspection_repo.latest_inspection(session, found.room_id)
        assert saved is not None
        return _view(label(found), saved)


def latest_inspection(
    ctx: AppContext, project_code: str, room: str, username: str
) -> InspectionView | None:
    """The room's newest joint inspection, or None when it has not been inspected."""
    with ctx.db.unit_of_work(write=False) as session:
        require_reader(session, username)
        found = room_of(session, project_id_of(session, project_code), room)
        saved = inspection_repo.latest_inspection(session, found.room_id)
        return None if saved is None else _view(label(found), saved)


def _view(location: str, row: inspection_repo.InspectionRow) -> InspectionView:
    counts = {result: sum(r.result == result for r in row.results) for result in RESULTS}
    return InspectionView(
        row.inspection_id,
        location,
        row.checklist,
        row.at,
        row.username,
        counts["pass"],
        counts["defect"],
        counts["na"],
        row.results,
    )


def book_reinspection(
    ctx: AppContext, defect_id: int, username: str, day: date, slot: str, with_owner: bool
) -> BookingView:
    """Customer service books the slot to re-inspect a defect's rectification."""
    if not slot.strip():
        raise InvalidInputError("需要时段, e.g. 14:00-15:00 (a slot is needed)")
    now = ctx.now()
    if day < local_date(now):
        raise InvalidInputError(f"复验日期 {day} 已过 (the day is in the past)")
    with ctx.db.unit_of_work() as session:
        require_role(session, username, CUSTOMER_SERVICE, "预约复验 (book a re-inspection)")
        defect = handover_repo.defect(session, defect_id)
        if defect is None:
            raise NotFoundError(f"没有缺陷 #{defect_id} (no defect #{defect_id})")
        if defect.state not in BOOKABLE:
            raise InvalidInputError(
                f"缺陷 #{defect_id} 的整改已关闭，无需复验 (the rectification is {defect.state})"
            )
        booking_id = inspection_repo.add_booking(
            session,
            ReinspectionBooking(
                rectification_id=defect.rectification_id,
                day=day,
                slot=slot.strip(),
                with_owner=with_owner,
                booked_at=now,
                booked_by=username,
            ),
        )
        return BookingView(
            booking_id, defect_id, label(defect.room), day, slot.strip(), with_owner, username
        )


def reinspection_bookings(
    ctx: AppContext, project_code: str, username: str, day: date | None = None
) -> list[BookingView]:
    """The project's re-inspection slots (of one day when given), in time order."""
    with ctx.db.unit_of_work(write=False) as session:
        require_reader(session, username)
        project_id = project_id_of(session, project_code)
        rooms = {r.room_id: label(r) for r in handover_repo.rooms(session, project_id)}
        return [
            BookingView(
                b.booking_id, b.defect_id, rooms[b.room_id], b.day, b.slot, b.with_owner,
                b.booked_by,
            )
            for b in inspection_repo.bookings(session, project_id, day)
        ]  # fmt: skip
