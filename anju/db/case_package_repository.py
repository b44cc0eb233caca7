"""Queries of case-input packages and of the candidates a recommendation ranks.

Owns: every SQL statement about `case_packages` and `case_package_items`, and the lexical
candidate query for `casebase.matching` (published cases of the stage, of its categories, or
containing one of the query's words or their synonyms).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import ColumnElement, func, or_, select, text

from anju.db.case_tables import Case, CasePackage, CasePackageItem, CaseSearch
from anju.db.tables import Project
from anju.db.unit_of_work import Session
from casebase.search import LIKE_ESCAPE, like_pattern

MAX_CANDIDATES = 5000


CandidateRow = tuple[int, str, str, str, str, str, str, str]
"""(id, title, doc, stage, category, department, severity, source_project) of a candidate."""


def candidates(
    session: Session, stage: str, categories: Sequence[str], words: Sequence[str]
) -> list[CandidateRow]:
    """Published cases (with their index-form document) that could matter for `stage`.

    Plain rows, not ORM objects: a recommendation reads up to MAX_CANDIDATES of them.
    """
    # Filter on the copies in case_search and walk it newest first (its primary key): the
    # first MAX_CANDIDATES matches end the scan, and only those rows join `cases`.
    relevant: list[ColumnElement[bool]] = [
        CaseSearch.stage == stage,
        CaseSearch.category.in_(categories),
    ]
    if session.get_bind().dialect.name == "sqlite":  # both in index form: the same test
        relevant += [func.instr(CaseSearch.doc, w) > 0 for w in words if w]
    else:
        relevant += [CaseSearch.doc.like(like_pattern(w), escape=LIKE_ESCAPE) for w in words if w]
        # as in search: a generic plan of a prepared LIKE query scans far more than it must
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    query = (
        select(
            CaseSearch.case_id,
            Case.title,
            CaseSearch.doc,
            CaseSearch.stage,
            CaseSearch.category,
            CaseSearch.department,
            Case.severity,
            CaseSearch.source_project,
        )
        .select_from(CaseSearch)
        .join(Case, Case.id == CaseSearch.case_id)
        .where(CaseSearch.status == "published", or_(*relevant))
        .order_by(CaseSearch.case_id.desc())
        .limit(MAX_CANDIDATES)
    )
    rows = session.connection().execute(query).all()  # Core rows: no ORM objects to build
    return cast(list[CandidateRow], rows)


def project_places(session: Session, names: Sequence[str]) -> dict[str, tuple[str, str]]:
    """{project name: (city, product type)} for the source projects that are in Anju."""
    if not names:
        return {}
    query = select(Project.name, Project.city, Project.product_type).where(
        Project.name.in_(sorted(set(names)))
    )
    return {name: (city, product) for name, city, product in session.execute(query).tuples()}


def add_package(session: Session, package: CasePackage, case_ids: Sequence[int]) -> CasePackage:
    session.add(package)
    session.flush()
    for position, case_id in enumerate(case_ids, start=1):
        session.add(CasePackageItem(package_id=package.id, case_id=case_id, position=position))
    session.flush()
    return package


def get_package(session: Session, package_id: int) -> CasePackage | None:
    return session.get(CasePackage, package_id)


def get_item(session: Session, item_id: int) -> CasePackageItem | None:
    return session.get(CasePackageItem, item_id)


def packages_of(
    session: Session, project_id: int, stage: str | None = None
) -> Sequence[CasePackage]:
    query = select(CasePackage).where(CasePackage.project_id == project_id)
    if stage is not None:
        query = query.where(CasePackage.stage == stage)
    return session.scalars(query.order_by(CasePackage.id)).all()


def items_of(
    session: Session, package_ids: Sequence[int]
) -> list[tuple[CasePackageItem, str, str]]:
    """Items of the packages with each case's title and department, in package order."""
    if not package_ids:
        return []
    query = (
        select(CasePackageItem, Case.title, Case.department)
        .join(Case, Case.id == CasePackageItem.case_id)
        .where(CasePackageItem.package_id.in_(list(package_ids)))
        .order_by(CasePackageItem.package_id, CasePackageItem.position)
    )
    return [(item, title, dept) for item, title, dept in session.execute(query).tuples()]


def cases_by_id(session: Session, case_ids: Sequence[int]) -> dict[int, Case]:
    rows = session.scalars(select(Case).where(Case.id.in_(list(case_ids))))
    return {row.id: row for row in rows}
