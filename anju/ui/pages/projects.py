"""项目 Projects: the portfolio with stage, progress, open and overdue tasks, and one project's
current stage and timeline."""

from __future__ import annotations

import streamlit as st

from anju.services import projects
from anju.services.context import AppContext
from anju.services.users import UserView
from anju.ui.state import t, term, when


def render(ctx: AppContext, user: UserView) -> None:
    st.header(t("page.projects"))
    rows = projects.list_projects(ctx)
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
            for p in rows
        ],
        column_config={
            t("projects.progress"): st.column_config.ProgressColumn(
                t("projects.progress"), min_value=0, max_value=100, format="%d%%"
            )
        },
        hide_index=True,
        width="stretch",
    )
    by_code = {p.code: p for p in rows}
    chosen = st.selectbox(
        t("projects.pick"),
        list(by_code),
        format_func=lambda code: f"{code} · {by_code[code].name}",
        key="projects_pick",
    )
    if chosen:
        _project(ctx, by_code[chosen])


def _project(ctx: AppContext, summary: projects.ProjectSummary) -> None:
    st.subheader(f"{summary.name}（{summary.city} · {summary.product_type}）")
    stage, progress, ready, overdue = st.columns(4)
    stage.metric(t("projects.stage"), summary.stage_name or t("projects.done"))
    progress.metric(t("projects.progress"), f"{summary.progress}%")
    ready.metric(t("projects.ready"), summary.ready_tasks)
    overdue.metric(t("projects.overdue"), summary.overdue_tasks)
    st.markdown(f"**{t('projects.timeline')}**")
    st.dataframe(
        [
            {
                t("projects.when"): when(entry.at),
                t("projects.event"): term("event", entry.event),
                t("projects.who"): entry.actor_name,
                t("tasks.name"): entry.task_name or "",
                t("projects.decision"): term("decision", entry.decision),
                t("approvals.comment_short"): entry.comment or "",
            }
            for entry in reversed(projects.history(ctx, summary.code))
        ],
        hide_index=True,
        width="stretch",
    )


if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import run_page

    run_page(render)
