"""Owner data leaving Anju as .xlsx: the import's error report and the owners export.

Owns: what goes into those workbooks and the rules around them. An export is masked unless
a role that may see personal data states a reason; every export is written to the access log
in the same transaction that reads the owners (an unmasked one with one row per owner, like a
reveal). The workbooks are written by `anju.importers.xlsx_writer`, which neutralises formula
injection. Must not import SQLAlchemy, openpyxl or Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

from anju.db import owner_repository as owners_repo
from anju.importers import xlsx_writer
from anju.importers.owner_schema import COLUMNS
from anju.services.context import AppContext
from anju.services.errors import PermissionDeniedError
from anju.services.owners import (
    EXPORT_ROLES,
    ImportReport,
    checked_reveal_reason,
    owner_view,
    project_id_of,
)
from anju.services.users import require_user

ROW_HEADER = "原行号 (row)"
REASON_HEADER = "错误原因 (reason)"
EXPORT_FIELDS = (
    "phase",
    "building",
    "unit",
    "floor",
    "room",
    "name",
    "phone",
    "id_number",
    "mailing_address",
    "contract_date",
    "planned_delivery_date",
    "certificate_number",
    "tier",
    "notes",
)


@dataclass(frozen=True)
class OwnerExport:
    content: bytes  # the .xlsx
    owners: int
    masked: bool
    file_name: str


def error_report_xlsx(report: ImportReport) -> bytes:
    """The rejected rows exactly as they were in the file, then their row number and reason.

    Works on a preview or on a refused commit; an import without invalid rows gives a report
    with the header only.
    """
    return xlsx_writer.error_report_bytes(
        report.header, ((row.row_number, row.reason, row.cells) for row in report.rejected)
    )


def export_owners(
    ctx: AppContext, project_code: str, username: str, reveal_reason: str | None = None
) -> OwnerExport:
    """The project's owners as .xlsx with the import template's headers (so it re-imports).

    Phones and ID numbers are masked unless `reveal_reason` is given by customer service or
    an admin. Customer service, sales and admins may export; the export is logged whether
    masked or not, in the same transaction.
    """
    reveal = reveal_reason is not None
    with ctx.db.unit_of_work(write=True) as session:
        _, roles = require_user(session, username)
        if not roles & EXPORT_ROLES:
            raise PermissionDeniedError(
                f"'{username}' 无权导出业主资料；仅客服、销售、管理员可导出 "
                f"(only customer_service, sales and admin may export owners)"
            )
        reason = checked_reveal_reason(username, roles, reveal_reason) if reveal else ""
        project_id = project_id_of(session, project_code)
        views = [
            owner_view(row, masked=not reveal)
            for row in owners_repo.owners_of_project(session, project_id)
        ]
        header = [COLUMNS[name][0] for name in EXPORT_FIELDS]
        rows = (
            [
                "/".join(view.phones) if name == "phone" else getattr(view, name)
                for name in EXPORT_FIELDS
            ]
            for view in views
        )
        content = xlsx_writer.table_bytes(
            "业主信息", header, rows, widths=[10, 10, 10, 8, 10, 12, 26, 22, 40, 12, 12, 20, 10, 30]
        )
        now = ctx.now()
        if reveal:
            entries = [
                {
                    "at": now,
                    "username": username,
                    "action": "export",
                    "project_id": project_id,
                    "owner_id": view.owner_id,
                    "fields": "phones,id_number",
                    "reason": reason,
                }
                for view in views
            ]
        else:
            entries = [
                {
                    "at": now,
                    "username": username,
                    "action": "export",
                    "project_id": project_id,
                    "owner_id": None,
                    "fields": "masked",
                    "reason": f"masked export of {len(views)} owners",
                }
            ]
        owners_repo.log_access(session, entries)
    stamp = now.strftime("%Y%m%d-%H%M")
    return OwnerExport(content, len(views), not reveal, f"owners-{project_code}-{stamp}.xlsx")
