"""A project's hand-over defects leaving Anju as .xlsx (缺陷清单), for engineering and
contractors to work through in Excel.

Owns: the columns of that workbook and the rules around it. The defect readers
(`handover.DEFECT_READERS`) may export; every export is written to the personal-data access log
in the same transaction that reads the defects, as owner exports are. Free text leaves masked:
mobile phones, landlines and ID numbers typed into a description (`139****0101`), and the
names of the room's owners (`王**`), by `identity.mask_in_text`. The workbook is written by
`anju.importers.xlsx_writer`, which neutralises formula injection. Must not import SQLAlchemy,
openpyxl or Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from anju.db import attachment_repository as files_repo
from anju.db import handover_repository as handover_repo
from anju.db import owner_repository as owners_repo
from anju.db.handover_repository import DefectRow
from anju.importers import xlsx_writer
from anju.importers.identity import mask_in_text
from anju.localtime import local_date, zone
from anju.locations import room_label
from anju.reports.render import label as term
from anju.services.context import AppContext
from anju.services.handover import is_overdue, label, require_reader
from anju.services.owners import project_id_of

HEADER = (
    "缺陷编号",
    "房号",
    "空间",
    "部位",
    "类别",
    "描述",
    "严重程度",
    "状态",
    "发现时间",
    "发现人",
    "整改期限",
    "是否逾期",
    "照片数",
)
WIDTHS = (10, 16, 10, 10, 10, 50, 10, 10, 18, 12, 12, 10, 8)
SHEET = "缺陷清单"


def export_defects(
    ctx: AppContext, project_code: str, username: str, open_only: bool = False
) -> bytes:
    """The project's defects as .xlsx, one row each, in the order they were found
    (`open_only` leaves out closed rectifications). Logged in the same transaction."""
    now = ctx.now()
    today = local_date(now)
    with ctx.db.unit_of_work(write=True) as session:
        require_reader(session, username)
        project_id = project_id_of(session, project_code)
        defects = handover_repo.defects(session, project_id, open_only)
        keys = [str(d.defect_id) for d in defects]
        photos: dict[int, int] = {}
        for row in files_repo.of_subjects(session, "defect", keys):
            if row.media_type.startswith("image/"):
                photos[int(row.subject_key)] = photos.get(int(row.subject_key), 0) + 1
        names: dict[str, list[str]] = {}
        for owner in owners_repo.owners_of_project(session, project_id):
            where = room_label(owner.phase, owner.building, owner.unit, owner.room)
            names.setdefault(where, []).append(str(owner.fields["name"] or "").strip())
        rows = [
            _cells(d, today, photos.get(d.defect_id, 0), names.get(label(d.room), []))
            for d in defects
        ]
        content = xlsx_writer.table_bytes(SHEET, HEADER, rows, widths=WIDTHS)
        scope = "open defects" if open_only else "defects"
        owners_repo.log_access(
            session,
            [
                {
                    "at": now,
                    "username": username,
                    "action": "export",
                    "project_id": project_id,
                    "owner_id": None,
                    "fields": "defects,masked",
                    "reason": f"masked export of {len(rows)} {scope}",
                }
            ],
        )
    return content


def _cells(d: DefectRow, today: date, photos: int, owners: Sequence[str]) -> list[object]:
    overdue = is_overdue(d.state, d.due_date, today)
    return [
        d.defect_id,
        label(d.room),
        mask_in_text(d.space, owners),
        mask_in_text(d.part, owners),
        mask_in_text(d.category, owners),
        mask_in_text(d.description, owners),
        term(d.severity),
        term(d.state),
        _local(d.found_at),
        d.found_by,
        d.due_date,
        "是" if overdue else "否",
        photos,
    ]


def _local(moment: datetime) -> datetime:
    """The local wall-clock time (a spreadsheet cell has no time zone)."""
    return moment.astimezone(zone()).replace(tzinfo=None)
