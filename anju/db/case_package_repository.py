"""Queries of case-input packages and of the candidates a recommendation ranks.

Owns: every SQL statement about `case_packages` and `case_package_items`, and the lexical
candidate query for `casebase.matching` (published cases of the stage, of its categories, or
containing one of the query's words or their synonyms).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_, select

from anju.db.case_tables import Case, CasePackage, CasePackageItem, CaseSearch
from anju.db.tables import Project
from anju.db.unit_of_work import Session
from casebase.search import LIKE_ESCAPE, like_pattern

MAX_CANDIDATES = 5000


def candidates(
    session: Session, stage: str, categories: Sequence[str], words: Sequence[str]
) -> list[tuple[Case, str]]:
    """Published cases (with their index-form document) that could matter for `stage`."""
    relevant: list[ColumnElement[bool]] = [Case.stage == stage, Case.category.in_(categories)]
    relevant += [CaseSearch.doc.like(like_pattern(w), escape=LIKE_ESCAPE) for w in words if w]
    query = (
        select(Case, CaseSearch.doc)
        .join(CaseSearch, CaseSearch.case_id == Case.id)
        .where(Case.status == "published", or_(*relevant))
        .order_by(Case.id.desc())
        .limit(MAX_CANDIDATES)
    )
    return [(case, doc) for case, doc in session.execute(query).tuples()]


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
