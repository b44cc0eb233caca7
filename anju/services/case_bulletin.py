"""The case bulletin (案例通报): chosen cases of the library, circulated by customer service
to design and engineering as HTML or PDF.

Owns: assembling `anju.reports.contexts.CaseBulletin` from the case library — the cases in
the order they were chosen, each once; every unknown id named in one error; drafts and
retired cases only for the writers of the library (customer service and admins), as in
`anju.services.cases.get_case` — and handing it to `anju.reports` for HTML or PDF. Must not
import SQLAlchemy, Jinja2, WeasyPrint or Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence

from anju.db import case_repository as cases_repo
from anju.localtime import local_date
from anju.reports.contexts import BulletinCase, CaseBulletin
from anju.reports.pdf import html_to_pdf
from anju.reports.render import render_template
from anju.roles import ROLES
from anju.services.cases import WRITER_ROLES, CaseView, case_view
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, NotFoundError
from anju.services.users import require_user
from casebase.model import Severity, Status

FORMATS = ("html", "pdf")
DEFAULT_TITLE = "案例通报"
MAX_CASES = 200
DEPARTMENTS = {role.id: role.name_zh for role in ROLES}


def bulletin(
    ctx: AppContext, case_ids: Sequence[int], username: str, title: str | None = None
) -> CaseBulletin:
    """The bulletin of `case_ids` (in this order, repeats dropped), issued by `username`.

    Raises NotFoundError naming every id that does not exist or that `username` may not see
    (a draft or retired case for anyone but customer service and admins).
    """
    chosen = list(dict.fromkeys(case_ids))
    if not chosen:
        raise InvalidInputError("请至少选择一个案例 (choose at least one case)")
    if len(chosen) > MAX_CASES:
        raise InvalidInputError(f"一份通报最多 {MAX_CASES} 个案例 (at most {MAX_CASES} cases)")
    heading = (title or "").strip() or DEFAULT_TITLE
    now = ctx.now()
    with ctx.db.unit_of_work(write=False) as session:
        issuer, roles = require_user(session, username)
        rows = cases_repo.cases_by_ids(session, chosen)
        writer = bool(roles & WRITER_ROLES)
        visible = {
            case_id: case_view(row)
            for case_id, row in rows.items()
            if writer or row.status == Status.PUBLISHED
        }
    missing = [case_id for case_id in chosen if case_id not in visible]
    if missing:
        names = "、".join(f"#{case_id}" for case_id in missing)
        raise NotFoundError(f"案例 {names} 不存在或未发布 (unknown or unpublished cases)")
    return CaseBulletin(
        title=heading,
        issued_on=local_date(now),
        issued_by=issuer or username,
        cases=tuple(_line(visible[case_id]) for case_id in chosen),
        generated_at=now,
    )


def _line(case: CaseView) -> BulletinCase:
    return BulletinCase(
        case_id=case.id,
        title=case.title,
        description=case.description,
        stage=case.stage,
        stage_label=case.stage_label,
        category_label=case.category_label,
        severity=case.severity,
        severity_label=Severity(case.severity).label,
        cause=case.cause,
        lesson=case.lesson,
        department_label=DEPARTMENTS.get(case.department, case.department),
        location=case.location,
        source_project=case.source_project,
        occurred_on=case.occurred_on,
        status=case.status,
        status_label=Status(case.status).label,
    )


def render_html(report: CaseBulletin) -> str:
    """The bulletin as a whole HTML document (StrictUndefined, every text escaped)."""
    return render_template(CaseBulletin.template, r=report)


def render(report: CaseBulletin, fmt: str) -> bytes:
    """The bulletin's file: HTML as UTF-8, or PDF with its Chinese text in WenQuanYi."""
    if fmt not in FORMATS:
        raise InvalidInputError(f"未知格式 '{fmt}' (format must be one of {', '.join(FORMATS)})")
    html = render_html(report)
    return html.encode() if fmt == "html" else html_to_pdf(html)
