"""Queries behind the case library's effectiveness figures.

Owns: the per-project verification counts of case-input packages (aggregated in SQL, one
GROUP BY), the not-avoided items with their reasons, and the two sides of the recurrence rule
(`casebase.recurrence`): published cases and the cases recorded in Anju's projects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select

from anju.db.case_tables import Case, CasePackage, CasePackageItem, CaseSearch
from anju.db.tables import Project
from anju.db.unit_of_work import Session


@dataclass(frozen=True)
class VerificationCounts:
    project_code: str
    project_name: str
    packages: int
    handed_over: int
    verified: int
    avoided: int
    not_avoided: int
    not_applicable: int


@dataclass(frozen=True)
class NotAvoidedRow:
    project_code: str
    stage: str
    item_id: int
    case_id: int
    case_title: str
    reason: str
    evidence: str
    verified_by: str
    verified_at: datetime | None


def _result(value: str) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((CasePackageItem.result == value, 1), else_=0)), 0)


def verification_counts(
    session: Session, project_ids: Sequence[int] | None = None
) -> list[VerificationCounts]:
    """Per project with packages: packages, items handed over, verified, and each result."""
    query = (
        select(
            Project.code,
            Project.name,
            func.count(func.distinct(CasePackage.id)),
            func.count(CasePackageItem.id),
            func.count(CasePackageItem.result),
            _result("avoided"),
            _result("not_avoided"),
            _result("not_applicable"),
        )
        .join(CasePackage, CasePackage.project_id == Project.id)
        .join(CasePackageItem, CasePackageItem.package_id == CasePackage.id)
        .group_by(Project.id, Project.code, Project.name)
        .order_by(Project.code)
    )
    if project_ids is not None:
        query = query.where(Project.id.in_(list(project_ids)))
    return [
        VerificationCounts(code, name, *(int(n) for n in numbers))
        for code, name, *numbers in session.execute(query).tuples()
    ]


def not_avoided(session: Session, project_ids: Sequence[int] | None = None) -> list[NotAvoidedRow]:
    query = (
        select(
            Project.code,
            CasePackage.stage,
            CasePackageItem.id,
            Case.id,
            Case.title,
            CasePackageItem.reason,
            CasePackageItem.evidence,
            CasePackageItem.verified_by,
            CasePackageItem.verified_at,
        )
        .join(CasePackage, CasePackage.project_id == Project.id)
        .join(CasePackageItem, CasePackageItem.package_id == CasePackage.id)
        .join(Case, Case.id == CasePackageItem.case_id)
        .where(CasePackageItem.result == "not_avoided")
        .order_by(Project.code, CasePackageItem.id)
    )
    if project_ids is not None:
        query = query.where(Project.id.in_(list(project_ids)))
    return [
        NotAvoidedRow(code, stage, item, case_id, title, reason, evidence, by or "", at)
        for code, stage, item, case_id, title, reason, evidence, by, at in session.execute(
            query
        ).tuples()
    ]


def project_cases(
    session: Session, names: Sequence[str]
) -> list[tuple[int, str, str, str, object, datetime]]:
    """(id, title, category, source project, occurred_on, created_at) of every case recorded
    in these projects (by project name), whatever its status."""
    if not names:
        return []
    query = (
        select(
            Case.id, Case.title, Case.category, Case.source_project, Case.occurred_on,
            Case.created_at,
        )
        .where(Case.source_project.in_(sorted(set(names))))
        .order_by(Case.id)
    )  # fmt: skip
    return [tuple(row) for row in session.execute(query).tuples()]  # type: ignore[misc]


def published_lessons(
    session: Session, categories: Sequence[str]
) -> list[tuple[int, str, str, str, str, datetime]]:
    """(id, title, index-form document, category, source project, published_at) of every case
    that has been published (retired ones included), of these categories."""
    if not categories:
        return []
    query = (
        select(
            Case.id, Case.title, CaseSearch.doc, Case.category, Case.source_project,
            Case.published_at,
        )
        .join(CaseSearch, CaseSearch.case_id == Case.id)
        .where(Case.published_at.is_not(None), Case.category.in_(sorted(set(categories))))
        .order_by(Case.id)
    )  # fmt: skip
    return [tuple(row) for row in session.execute(query).tuples()]  # type: ignore[misc]


def projects(session: Session, code: str | None = None) -> list[tuple[int, str, str]]:
    """(id, code, name) of one project or all, by code."""
    query = select(Project.id, Project.code, Project.name).order_by(Project.code)
    if code is not None:
        query = query.where(Project.code == code)
    return [(pid, pcode, name) for pid, pcode, name in session.execute(query).tuples()]
