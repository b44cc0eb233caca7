"""Importing cases from .xlsx: preview, then an all-or-nothing commit.

Owns: matching each row of the sheet to the library and deciding what it does (new, changed,
unchanged, or refused with its row number and reason), and writing the whole file in one
transaction. Identity of a row (also documented in the README):
- 案例编号 `AJ-<id>` (what the export writes) is that case of the library;
- any other 案例编号 is an external number, kept on the case (`cases.external_ref`, unique);
- no 案例编号: the case with the same 来源项目 and 案例标题 (two such cases: refused).
Columns the file lacks keep the stored values; the columns it has are the new content, so an
export imported back changes nothing, and the same file imported twice changes nothing.
状态 may publish or retire a case (draft → published → retired only); new rows without it are
drafts. Reads files through `anju.importers`; must not import SQLAlchemy, openpyxl or Streamlit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anju.db import case_repository as cases_repo
from anju.db.case_tables import Case
from anju.db.unit_of_work import CONCURRENT_WRITE_ERRORS, Session
from anju.importers import excel
from anju.importers.case_schema import CaseRow, ParsedSheet, SheetError, parse_sheet
from anju.services.cases import (
    apply_content,
    index_case,
    parse_content,
    plain_changes,
    require_writer,
    stored_content,
)
from anju.services.context import AppContext
from anju.services.errors import ConflictError, InvalidInputError
from anju.services.owners import RejectedRow
from casebase import meaning
from casebase.model import CaseContent, CaseError, Status, check_editable, check_transition

LIMITS = excel.Limits()


@dataclass(frozen=True)
class RowPlan:
    """What one valid row does: `new`, `changed` (with the fields) or `unchanged`."""

    row_number: int
    action: str
    case_id: int | None  # None for a new case until it is committed
    title: str
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseImportReport:
    """What an import would do (preview) or did (commit); `committed` says which."""

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
    plan: list[RowPlan]
    committed: bool = False
    header: list[str] = field(default_factory=list)


@dataclass
class _Step:
    row: CaseRow
    content: CaseContent
    status: Status
    case: Case | None = None  # None: a new case (until the commit writes it)
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)
    row_is_new: bool = False


def preview_import(
    ctx: AppContext, source: str | Path | bytes, username: str, file_name: str | None = None
) -> CaseImportReport:
    """Read and check the file against the library; write nothing."""
    data, sheet, name = _read(source, file_name)
    with ctx.db.unit_of_work(write=False) as session:
        require_writer(session, username)
        steps, rejected = _plan(session, sheet)
        return _report(name, data, sheet, steps, rejected, committed=False)


def commit_import(
    ctx: AppContext, source: str | Path | bytes, username: str, file_name: str | None = None
) -> CaseImportReport:
    """Import the whole file in one transaction, or nothing when any row is refused."""
    data, sheet, name = _read(source, file_name)
    now = ctx.now()
    label = f"import {name} sha256:{hashlib.sha256(data).hexdigest()[:16]}"
    meaning.load()  # each written row is embedded (~1–3 ms) inside the one transaction
    try:
        with ctx.db.unit_of_work() as session:
            require_writer(session, username)
            steps, rejected = _plan(session, sheet)
            if rejected:
                return _report(name, data, sheet, steps, rejected, committed=False)
            for step in steps:
                _write(session, step, username, now, label)
            return _report(name, data, sheet, steps, rejected, committed=True)
    except CONCURRENT_WRITE_ERRORS as exc:
        raise ConflictError(
            f"{name}: 导入期间案例库被他人修改，未导入任何数据，请重新导入 "
            "(the library changed during the import; nothing was imported, import again)"
        ) from exc


def _read(source: str | Path | bytes, file_name: str | None) -> tuple[bytes, ParsedSheet, str]:
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "upload.xlsx")
    try:
        data = excel.load_bytes(source, LIMITS)
        sheet = parse_sheet(excel.read_first_sheet(data, LIMITS).rows)
    except (excel.WorkbookRefused, SheetError) as exc:
        raise InvalidInputError(f"{name}: {exc}") from exc
    return data, sheet, name


def _plan(session: Session, sheet: ParsedSheet) -> tuple[list[_Step], list[tuple[int, str]]]:
    """Each valid row's step, and (row number, reason) of each refused row (sheet's included)."""
    rows = sheet.rows
    by_id = cases_repo.cases_by_ids(session, [r.anju_id for r in rows if r.anju_id is not None])
    by_ref = cases_repo.cases_by_external_ref(
        session, [r.ref for r in rows if r.ref and r.anju_id is None]
    )
    by_name = cases_repo.cases_by_name(session, [(r.key[1], r.key[2]) for r in rows if not r.ref])
    rejected = [(e.row_number, e.reason) for e in sheet.rejected]
    steps: list[_Step] = []
    claimed: dict[int, int] = {}  # case id → the row that changes it
    for row in rows:
        try:
            case = _match(row, by_id, by_ref, by_name)
            if case is not None and case.id in claimed:
                raise InvalidInputError(f"与第 {claimed[case.id]} 行是同一案例 #{case.id}")
            step = _step(row, case)
        except (InvalidInputError, CaseError) as exc:
            rejected.append((row.row_number, str(exc)))
            continue
        if case is not None:
            claimed[case.id] = row.row_number
        steps.append(step)
    rejected.sort()
    return steps, rejected


def _match(
    row: CaseRow,
    by_id: dict[int, Case],
    by_ref: dict[str, Case],
    by_name: dict[tuple[str, str], list[Case]],
) -> Case | None:
    if row.anju_id is not None:
        if row.anju_id not in by_id:
            raise InvalidInputError(f"案例编号 {row.ref} 在案例库中不存在 (no case #{row.anju_id})")
        return by_id[row.anju_id]
    if row.ref:
        return by_ref.get(row.ref)
    same = by_name.get((row.key[1], row.key[2]), [])
    if len(same) > 1:
        numbers = "、".join(f"AJ-{c.id}" for c in same)
        raise InvalidInputError(
            f"案例库中有 {len(same)} 个同名同项目的案例（{numbers}），请填写案例编号"
        )
    return same[0] if same else None


def _step(row: CaseRow, case: Case | None) -> _Step:
    if case is None:
        target = Status(row.status or Status.DRAFT)
        return _Step(row, parse_content(dict(row.values)), target, row_is_new=True)
    old = stored_content(case)
    merged = {**{name: getattr(old, name) for name in old.__dataclass_fields__}, **row.values}
    new = parse_content(merged)
    changes = new.changes_from(old)
    current = Status(case.status)
    target = Status(row.status or current)
    if changes:
        check_editable(current)
    if target is not current:
        check_transition(current, target)
        changes["status"] = (current.value, target.value)
    return _Step(row, new, target, case, changes)


def _write(session: Session, step: _Step, username: str, now: Any, label: str) -> None:
    case = step.case
    if not step.row_is_new and not step.changes:
        return
    if case is None:
        case = Case(status=step.status.value, author=username, created_at=now, updated_at=now)
        if step.row.ref and step.row.anju_id is None:
            case.external_ref = step.row.ref
        session.add(case)
        changes: dict[str, Any] = {"source": label}
    else:
        changes = {**plain_changes(step.changes), "source": label}
        case.status = step.status.value
    apply_content(case, step.content)
    case.updated_at = now
    moved = step.row_is_new or "status" in step.changes
    if moved and step.status is Status.PUBLISHED:
        case.published_at = now
    if moved and step.status is Status.RETIRED:
        case.retired_at = now
        case.published_at = case.published_at or now
    session.flush()
    index_case(session, case.id, step.content)
    cases_repo.add_revision(
        session, case, at=now, actor=username, action="imported", changes=changes
    )
    step.case = case


def _report(
    name: str,
    data: bytes,
    sheet: ParsedSheet,
    steps: list[_Step],
    rejected: list[tuple[int, str]],
    committed: bool,
) -> CaseImportReport:
    plan = [
        RowPlan(
            row_number=step.row.row_number,
            action="new" if step.row_is_new else ("changed" if step.changes else "unchanged"),
            case_id=step.case.id if step.case is not None else None,
            title=step.content.title,
            changes=tuple(step.changes),
        )
        for step in steps
    ]
    return CaseImportReport(
        file_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        header_row=sheet.header_row,
        columns=dict(sheet.columns),
        extra_columns=list(sheet.extra_columns),
        rows=len(sheet.rows) + len(sheet.rejected),
        new=sum(p.action == "new" for p in plan),
        changed=sum(p.action == "changed" for p in plan),
        unchanged=sum(p.action == "unchanged" for p in plan),
        invalid=len(rejected),
        rejected=[RejectedRow(n, reason, tuple(sheet.original(n))) for n, reason in rejected],
        plan=plan,
        committed=committed,
        header=sheet.header_cells(),
    )
