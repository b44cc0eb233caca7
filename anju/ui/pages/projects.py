"""项目 Projects: the portfolio with stage, progress, open and overdue tasks."""

from __future__ import annotations

import streamlit as st

from anju.services import projects
from anju.services.context import AppContext
from anju.services.users import UserView
from anju.ui.state import t


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


if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import run_page

    run_page(render)
