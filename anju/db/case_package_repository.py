"""Queries of case-input packages and of the published cases the matching index holds.

Owns: every SQL statement about `case_packages` and `case_package_items`, and the reads that
keep the matching index (`anju.services.case_match`) in step: the published cases as matching
sees them, the stamp that moves when any case changes, and which cases changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import func, or_, select, text

from anju.db.case_tables import Case, CasePackage, CasePackageItem, CaseRevision, CaseSearch
from anju.db.tables import Project
from anju.db.unit_of_work import Session
from casebase.match_index import CaseRow


def published_rows(session: Session, case_ids: Sequence[int] | None = None) -> list[CaseRow]:
    """Every published case (or those of `case_ids` that are published) as matching keeps it.

    Plain rows, not ORM objects: the matching index loads the whole library at once.
    """
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
        .where(CaseSearch.status == "published")
        .order_by(CaseSearch.case_id)
    )
    if case_ids is None:
        return cast(list[CaseRow], session.connection().execute(query).all())
    rows: list[CaseRow] = []
    ids = sorted(set(case_ids))
    for start in range(0, len(ids), 500):
        chunk = query.where(CaseSearch.case_id.in_(ids[start : start + 500]))
        rows += cast(list[CaseRow], session.connection().execute(chunk).all())
    return rows


def horizon(session: Session) -> int | None:
    """On PostgreSQL the oldest transaction still running (every older one has finished and
    is visible from now on); None on SQLite, whose revision ids commit in order."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    found = session.scalar(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"))
    return int(found)


def match_stamp(session: Session) -> tuple[int, int]:
    """(newest case revision id, newest indexed case id): what changes when a case does."""
    revision = session.scalar(select(func.max(CaseRevision.id)))
    newest = session.scalar(select(func.max(CaseSearch.case_id)))
    return int(revision or 0), int(newest or 0)


def cases_changed_after(
    session: Session, revision_id: int, case_id: int, since_tx: int | None
) -> set[int]:
    """Cases with a revision after `revision_id` or, on PostgreSQL, written by a transaction
    from `since_tx` on (a `horizon`), and cases indexed after `case_id`."""
    later = CaseRevision.id > revision_id
    if since_tx is not None:
        later = or_(later, CaseRevision.tx >= since_tx)
    revised = select(CaseRevision.case_id).where(later)
    added = select(CaseSearch.case_id).where(CaseSearch.case_id > case_id)
    return {int(i) for i in session.scalars(revised.union(added))}


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
