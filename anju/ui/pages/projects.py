"""项目 Projects: the portfolio with stage, progress, open and overdue tasks, and one project's
current stage, its hand-over report and its timeline."""

from __future__ import annotations

import streamlit as st

from anju.services import diagram, projects
from anju.services.context import AppContext
from anju.services.handover import DEFECT_READERS
from anju.services.users import UserView
from anju.ui import bpmn_viewer
from anju.ui.components import timeline
from anju.ui.report_downloads import project_report_button
from anju.ui.state import page_control, t, term

SEARCH, PAGE = "projects_search", "projects_page"


def render(ctx: AppContext, user: UserView) -> None:
    st.header(t("page.projects"))
    search = st.text_input(t("projects.search"), key=SEARCH, on_change=_first_page)
    page = projects.project_page(ctx, search.strip() or None, st.session_state.get(PAGE, 1))
    if not page.rows:
        st.info(t("projects.none"))
        return
    page_control(page, PAGE, "projects.count_page")
    st.dataframe(
        [
            {
                t("projects.code"): p.code,
                t("projects.name"): p.name,
                t("projects.city"): p.city,
                t("projects.stage"): p.stage_name or t("projects.done"),
                t("projects.progress"): p.progress,
                t("projects.ready"): p.ready_tasks,
                t("projects.overdue"): p.overdue_tasks,
                t("projects.handover"): p.planned_handover_date.isoformat(),
            }
            for p in page.rows
        ],
        column_config={
            t("projects.progress"): st.column_config.ProgressColumn(
                t("projects.progress"), min_value=0, max_value=100, format="%d%%"
            )
        },
        hide_index=True,
        width="stretch",
    )
    by_code = {p.code: p for p in page.rows}
    chosen = st.selectbox(
        t("projects.pick"),
        list(by_code),
        format_func=lambda code: f"{code} · {by_code[code].name}",
        key="projects_pick",
    )
    if chosen:
        _project(ctx, user, by_code[chosen])


def _first_page() -> None:
    st.session_state[PAGE] = 1


def _project(ctx: AppContext, user: UserView, summary: projects.ProjectSummary) -> None:
    st.subheader(f"{summary.name}（{summary.city} · {summary.product_type}）")
    stage, progress, ready, overdue = st.columns(4)
    stage.metric(t("projects.stage"), summary.stage_name or t("projects.done"))
    progress.metric(t("projects.progress"), f"{summary.progress}%")
    ready.metric(t("projects.ready"), summary.ready_tasks)
    overdue.metric(t("projects.overdue"), summary.overdue_tasks)
    _diagrams(ctx, summary)
    if DEFECT_READERS & set(user.roles):  # the report lists defects and refusal reasons
        st.markdown(f"**{t('handover.reports')}**")
        project_report_button(ctx, user, summary.code)
    st.markdown(f"**{t('projects.timeline')}**")
    timeline(reversed(projects.history(ctx, summary.code)))


def _diagrams(ctx: AppContext, summary: projects.ProjectSummary) -> None:
    """The lifecycle with stage states, then one stage (the current one first) with task states."""
    chosen = st.session_state.get("projects_stage")
    shown = diagram.project_diagrams(ctx, summary.code, chosen)
    st.markdown(f"**{t('diagram.lifecycle')}**")
    bpmn_viewer.show(shown.lifecycle, height=220)
    keys = [key for key, _ in shown.stages]
    st.markdown(f"**{t('diagram.stage')}**")
    if not keys:
        return
    if chosen not in keys:
        st.session_state["projects_stage"] = (
            summary.stage_key if summary.stage_key in keys else keys[-1]
        )
    st.selectbox(
        t("diagram.pick_stage"),
        keys,
        format_func=lambda key: term("stage", key),
        key="projects_stage",
    )
    if shown.stage is None or shown.stage.process_id != st.session_state["projects_stage"]:
        shown = diagram.project_diagrams(ctx, summary.code, st.session_state["projects_stage"])
    if shown.stage is not None:
        bpmn_viewer.show(shown.stage, height=420)


if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import run_page

    run_page(render)
