"""Cases leaving Anju as .xlsx: the library export, the import's error report, the template.

Owns: what goes into those workbooks. The export has the import's columns and labels, so an
exported file imported back changes nothing (each row carries `AJ-<id>` or the case's external
number). Readers export published cases; writers (customer service, admin) every status. The
workbooks are written by `anju.importers.xlsx_writer`, which neutralises formula injection.
Must not import SQLAlchemy, openpyxl or Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

from anju.db import case_repository as cases_repo
from anju.db.case_tables import Case
from anju.importers import xlsx_writer
from anju.importers.case_schema import COLUMNS, label
from anju.services.case_imports import CaseImportReport
from anju.services.cases import WRITER_ROLES, CaseFilters, check_filters
from anju.services.context import AppContext
from anju.services.users import require_user
from casebase.model import Status

WIDTHS = {"title": 30, "description": 50, "cause": 40, "lesson": 40, "category": 24}


@dataclass(frozen=True)
class CaseExport:
    content: bytes  # the .xlsx
    cases: int
    file_name: str


def case_number(case: Case) -> str:
    """What the 案例编号 column says: the external number, else `AJ-<id>`."""
    return case.external_ref or f"AJ-{case.id}"


def _cells(case: Case) -> list[object]:
    values: dict[str, object] = {
        "ref": case_number(case),
        "tags": "、".join(case.tags),
        "occurred_on": case.occurred_on,
        "status": label("status", case.status),
    }
    for name in ("stage", "category", "department", "severity", "source_kind"):
        values[name] = label(name, getattr(case, name))
    for name in ("title", "source_project", "location", "description", "cause", "lesson"):
        values[name] = getattr(case, name)
    return [values[name] for name in COLUMNS]


def export_cases(
    ctx: AppContext,
    username: str,
    stage: str | None = None,
    category: str | None = None,
) -> CaseExport:
    """The cases (of one stage and/or category) as .xlsx with the template's headers."""
    with ctx.db.unit_of_work(write=False) as session:
        _, roles = require_user(session, username)
        statuses = tuple(s.value for s in Status) if roles & WRITER_ROLES else ("published",)
        filters = CaseFilters(statuses=statuses, stage=stage, category=category)
        check_filters(filters)
        rows = [_cells(case) for case in cases_repo.export_rows(session, filters)]
    content = xlsx_writer.table_bytes(
        "案例库",
        [header for header, _ in COLUMNS.values()],
        rows,
        widths=[WIDTHS.get(name, 14) for name in COLUMNS],
    )
    stamp = ctx.now().strftime("%Y%m%d-%H%M")
    return CaseExport(content, len(rows), f"cases-{stamp}.xlsx")


def error_report_xlsx(report: CaseImportReport) -> bytes:
    """The refused rows exactly as they were in the file, then their row number and reason."""
    return xlsx_writer.error_report_bytes(
        report.header, [(row.row_number, row.reason, row.cells) for row in report.rejected]
    )


def template() -> bytes:
    """The downloadable case-library template (.xlsx)."""
    from anju.importers.case_template import template_bytes

    return template_bytes()
