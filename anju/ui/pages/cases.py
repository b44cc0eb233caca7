"""案例库 Case library: search published cases (writers also drafts and retired ones), open one
with its history; customer service and admins create, edit, publish and retire cases.

Hits come from `anju.services.cases.search_cases` with 【】 around matches and their spans; the
page escapes the excerpt first and only then wraps the spans in <mark>.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from anju.roles import LANE_ROLES
from anju.services import case_drafts, cases, projects
from anju.services.cases import WRITER_ROLES, CaseFilters, CaseView, SearchHit
from anju.services.context import AppContext
from anju.services.errors import AnjuError, ConflictError
from anju.services.users import UserView
from anju.ui.components import project_picker
from anju.ui.files_panel import files_panel
from anju.ui.state import notice, page_control, show_notice, t, term, when
from casebase.model import Category, Severity, SourceKind, Stage, Status

STAGES = tuple(s.value for s in Stage)
CATEGORIES = tuple(c.value for c in Category)
SEVERITIES = tuple(s.value for s in Severity)
SOURCES = tuple(s.value for s in SourceKind)
STATUSES = tuple(s.value for s in Status)
DEPARTMENTS = tuple(sorted(LANE_ROLES - {"leader", "gm"}))
QUERY, STAGE, CATEGORY, STATUS = "cases_query", "cases_stage", "cases_category", "cases_status"
PAGE, PICK = "cases_page", "cases_pick"
PAGE_SIZE = 10
SEEN = "cases_seen_version_{id}"  # the version an editor opened: kept until saved or reloaded
TEXT_FIELDS = ("title", "description", "cause", "lesson", "source_project", "location")


@dataclass(frozen=True)
class ResultPage:
    total: int
    page: int
    pages: int


def render(ctx: AppContext, user: UserView) -> None:
    st.header(t("page.cases"))
    show_notice()
    writer = bool(WRITER_ROLES & set(user.roles))
    if writer:
        with st.expander(t("cases.new")):
            _create_form(ctx, user)
        with st.expander(t("cases.drafts")):
            _drafts_from_defects(ctx, user)
    hits = _search(ctx, user, writer)
    if hits:
        by_id = {hit.id: hit for hit in hits}
        chosen = st.selectbox(
            t("cases.open"),
            list(by_id),
            index=None,
            placeholder=t("cases.open_placeholder"),
            format_func=lambda case_id: f"#{case_id} {by_id[case_id].title}",
            key=PICK,
        )
        if chosen is not None:
            _case(ctx, user, chosen, writer)


def _first_page() -> None:
    st.session_state[PAGE] = 1


def _search(ctx: AppContext, user: UserView, writer: bool) -> tuple[SearchHit, ...]:
    st.text_input(t("cases.query"), key=QUERY, on_change=_first_page)
    columns = st.columns(3 if writer else 2)
    stage = _any_of(columns[0], "cases.stage", STAGES, "case_stage", STAGE)
    category = _any_of(columns[1], "cases.category", CATEGORIES, "case_category", CATEGORY)
    statuses: tuple[str, ...] = ("published",)
    if writer:
        status = _any_of(columns[2], "cases.status", STATUSES, "case_status", STATUS)
        statuses = (status,) if status else STATUSES
    filters = CaseFilters(statuses=statuses, stage=stage, category=category)
    number = max(1, int(st.session_state.get(PAGE, 1)))
    query = str(st.session_state.get(QUERY) or "")
    result = cases.search_cases(
        ctx, query, user.username, filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
    )
    pages = max(1, math.ceil(result.total / PAGE_SIZE))
    if number > pages:  # the filters shrank the list under the page number
        st.session_state[PAGE] = pages
        st.rerun()
    if not result.hits:
        st.info(t("cases.none"))
        return ()
    page_control(ResultPage(result.total, number, pages), PAGE, "cases.count_page")
    for hit in result.hits:
        _hit(hit)
    return result.hits


def _any_of(
    column: DeltaGenerator, label: str, options: tuple[str, ...], terms: str, key: str
) -> str | None:
    """A filter that is empty ("any") until a value is chosen; choosing goes to page 1."""
    chosen = column.selectbox(
        t(label),
        options,
        index=None,
        placeholder=t("cases.any"),
        format_func=lambda value: term(terms, value),
        key=key,
        on_change=_first_page,
    )
    return str(chosen) if chosen is not None else None


def _hit(hit: SearchHit) -> None:
    with st.container(border=True):
        st.markdown(f"**#{hit.id} {escape(hit.title)}**")
        facts = [
            term("case_stage", hit.stage),
            term("case_category", hit.category),
            term("role", hit.department),
            term("case_status", hit.status),
            hit.source_project,
        ]
        if hit.score:
            facts.append(t("cases.score", score=hit.score))
        st.caption(" · ".join(fact for fact in facts if fact))
        st.html(f'<div class="anju-snippet">{snippet_html(hit.snippet, hit.snippet_spans)}</div>')


def snippet_html(marked: str, spans: tuple[tuple[int, int], ...]) -> str:
    """The excerpt as HTML: every character escaped, each hit span wrapped in <mark>.

    `marked` holds 【】 around each span of the unmarked excerpt; the unmarked text is rebuilt
    from the spans (not by deleting every 【】, which the case text itself may contain).
    """
    markers: set[int] = set()
    for number, (start, end) in enumerate(spans):
        markers |= {start + 2 * number, end + 2 * number + 1}
    text = "".join(char for index, char in enumerate(marked) if index not in markers)
    if len(text) != len(marked) - 2 * len(spans):  # not the shape the service promises
        return escape(marked)
    out, last = [], 0
    for start, end in spans:
        out += [escape(text[last:start]), "<mark>", escape(text[start:end]), "</mark>"]
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def _case(ctx: AppContext, user: UserView, case_id: int, writer: bool) -> None:
    try:
        detail = cases.get_case(ctx, case_id, user.username)
    except AnjuError as exc:
        st.error(t("error.generic", message=str(exc)))
        return
    case = detail.case
    st.subheader(f"#{case.id} {case.title}")
    st.caption(f"{term('case_status', case.status)} · {t('cases.version')} {case.version}")
    st.dataframe(
        [{"": label, " ": value} for label, value in _fields(case)],
        hide_index=True,
        width="stretch",
    )
    files_panel(ctx, user, "case", case.id, can_attach=writer and case.status != "retired")
    st.markdown(f"**{t('cases.history')}**")
    st.dataframe(
        [
            {
                t("cases.version"): r.version,
                t("cases.when"): when(r.at),
                t("cases.who"): r.actor,
                t("cases.action"): term("cases.action", r.action),
                t("cases.changes"): ", ".join(r.changes) if r.changes else "",
            }
            for r in detail.history
        ],
        hide_index=True,
        width="stretch",
    )
    if writer:
        _actions(ctx, user, case)


def _fields(case: CaseView) -> list[tuple[str, str]]:
    return [
        (t("cases.title"), case.title),
        (t("cases.description"), case.description),
        (t("cases.stage"), term("case_stage", case.stage)),
        (t("cases.category"), term("case_category", case.category)),
        (t("cases.department"), term("role", case.department)),
        (t("cases.severity"), term("severity", case.severity)),
        (t("cases.source_kind"), term("source_kind", case.source_kind)),
        (t("cases.cause"), case.cause),
        (t("cases.lesson"), case.lesson),
        (t("cases.source_project"), case.source_project),
        (t("cases.location"), case.location),
        (t("cases.tags"), ", ".join(case.tags)),
        (t("cases.occurred_on"), case.occurred_on.isoformat() if case.occurred_on else "-"),
        (t("cases.author"), case.author),
    ]


def _actions(ctx: AppContext, user: UserView, case: CaseView) -> None:
    publish, retire = st.columns(2)
    if case.status == "draft" and publish.button(t("cases.publish"), key=f"publish_{case.id}"):
        _move(ctx, user, case.id, cases.publish_case, "cases.published")
    if case.status != "retired" and retire.button(t("cases.retire"), key=f"retire_{case.id}"):
        _move(ctx, user, case.id, cases.retire_case, "cases.retired")
    if case.status == "retired":
        st.caption(t("cases.not_editable"))
        return
    _edit_form(ctx, user, case)


def _move(ctx: AppContext, user: UserView, case_id: int, action: Any, key: str) -> None:
    try:
        action(ctx, case_id, user.username)
    except AnjuError as exc:
        st.error(t("error.generic", message=str(exc)))
        return
    notice(t(key, id=case_id))
    st.rerun()


def _content_inputs(prefix: str, case: CaseView | None) -> dict[str, Any]:
    """The case's fields as form widgets (empty for a new case); their values by field name."""

    def pick(name: str, options: tuple[str, ...], label: str, prefix_term: str) -> str:
        current = getattr(case, name) if case else options[0]
        return str(
            st.selectbox(
                label,
                options,
                index=options.index(current) if current in options else 0,
                format_func=lambda key: term(prefix_term, key),
                key=f"{prefix}_{name}",
            )
        )

    values: dict[str, Any] = {}
    values["title"] = st.text_input(
        t("cases.title"), value=case.title if case else "", key=f"{prefix}_title"
    )
    values["description"] = st.text_area(
        t("cases.description"), value=case.description if case else "", key=f"{prefix}_description"
    )
    left, right = st.columns(2)
    with left:
        values["stage"] = pick("stage", STAGES, t("cases.stage"), "case_stage")
        values["department"] = pick("department", DEPARTMENTS, t("cases.department"), "role")
        values["source_kind"] = pick("source_kind", SOURCES, t("cases.source_kind"), "source_kind")
    with right:
        values["category"] = pick("category", CATEGORIES, t("cases.category"), "case_category")
        values["severity"] = pick("severity", SEVERITIES, t("cases.severity"), "severity")
        values["occurred_on"] = st.date_input(
            t("cases.occurred_on"),
            value=case.occurred_on if case else None,
            key=f"{prefix}_occurred_on",
        )
    for name in ("cause", "lesson"):
        values[name] = st.text_area(
            t(f"cases.{name}"), value=getattr(case, name) if case else "", key=f"{prefix}_{name}"
        )
    left, right = st.columns(2)
    values["source_project"] = left.text_input(
        t("cases.source_project"),
        value=case.source_project if case else "",
        key=f"{prefix}_source_project",
    )
    values["location"] = right.text_input(
        t("cases.location"), value=case.location if case else "", key=f"{prefix}_location"
    )
    values["tags"] = st.text_input(
        t("cases.tags"), value=", ".join(case.tags) if case else "", key=f"{prefix}_tags"
    )
    return values


def _create_form(ctx: AppContext, user: UserView) -> None:
    with st.form("cases_new", clear_on_submit=True):
        values = _content_inputs("cases_new", None)
        submitted = st.form_submit_button(t("cases.create"))
    if not submitted:
        return
    try:
        created = cases.create_case(ctx, user.username, **values)
    except AnjuError as exc:
        st.error(t("error.generic", message=str(exc)))
        return
    notice(t("cases.created", id=created.id, title=created.title))
    st.session_state[QUERY] = created.title
    st.session_state[STATUS] = None
    _first_page()
    st.rerun()


def _drafts_from_defects(ctx: AppContext, user: UserView) -> None:
    st.caption(t("cases.drafts_help"))
    code = project_picker(ctx, "cases_drafts_project", "cases.drafts_project")
    if code is None or not st.button(t("cases.drafts_make"), key="cases_drafts_make"):
        return
    with st.spinner(t("cases.drafts_make")):
        try:
            made = case_drafts.draft_from_defects(ctx, code, user.username)
        except AnjuError as exc:
            st.error(t("error.generic", message=str(exc)))
            return
    notice(
        t(
            "cases.drafts_made",
            project=projects.project_names(ctx)[code],
            defects=made.defects,
            created=len(made.created),
            already=len(made.already),
        )
    )
    st.session_state[QUERY] = ""
    st.session_state[STATUS] = "draft"  # show the new drafts
    _first_page()
    st.rerun()


def _edit_form(ctx: AppContext, user: UserView, case: CaseView) -> None:
    seen_key = SEEN.format(id=case.id)
    seen = int(st.session_state.setdefault(seen_key, case.version))
    with st.expander(t("cases.edit")):
        st.caption(t("cases.editing_version", version=seen))
        with st.form(f"cases_edit_{case.id}"):
            values = _content_inputs(f"cases_edit_{case.id}", case)
            submitted = st.form_submit_button(t("cases.save"))
        if st.button(t("cases.reload"), key=f"cases_reload_{case.id}"):
            _forget_edit(case.id)
            st.rerun()
    if not submitted:
        return
    try:
        saved = cases.edit_case(ctx, case.id, user.username, seen, **values)
    except ConflictError as exc:
        st.error(t("cases.stale", message=str(exc)))
        return
    except AnjuError as exc:
        st.error(t("error.generic", message=str(exc)))
        return
    _forget_edit(case.id)
    notice(t("cases.saved", id=saved.id, version=saved.version))
    st.rerun()


def _forget_edit(case_id: int) -> None:
    """Drop the version and the form's values, so the form shows the stored case again."""
    prefix = f"cases_edit_{case_id}_"
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]
    st.session_state.pop(SEEN.format(id=case_id), None)


if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import run_page

    run_page(render)
