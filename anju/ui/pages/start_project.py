"""启动项目 Start project: customer service (or an admin) registers a project and starts its
lifecycle instance on the current process version."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from anju.roles import PROJECT_STARTERS
from anju.services import projects
from anju.services.context import AppContext
from anju.services.errors import AnjuError, ConflictError
from anju.services.users import UserView
from anju.ui.state import t, term


def render(ctx: AppContext, user: UserView) -> None:
    st.header(t("page.start_project"))
    with st.form("start_project", clear_on_submit=False):
        code = st.text_input(t("start.code"), help=t("start.code_help"), key="start_code")
        name = st.text_input(t("start.name"), key="start_name")
        city = st.text_input(t("start.city"), key="start_city")
        product_type = st.text_input(t("start.product_type"), key="start_product_type")
        handover = st.date_input(
            t("start.handover"),
            value=ctx.now().date() + timedelta(days=730),
            min_value=ctx.now().date(),
            key="start_handover",
        )
        submitted = st.form_submit_button(t("start.submit"), type="primary")
    if not submitted:
        return
    code = code.strip()
    try:
        with st.spinner(t("start.running")):
            started = projects.start_project(
                ctx, code, name, city, product_type, handover, user.username
            )
    except ConflictError:
        st.error(t("start.duplicate", code=code))
        return
    except AnjuError as exc:
        st.error(t("start.invalid", message=str(exc)))
        return
    stage = term("stage", started.stage_key) if started.stage_key else t("projects.done")
    st.success(t("start.started", name=started.name, code=started.code, stage=stage))


if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import run_page

    run_page(render, PROJECT_STARTERS)
