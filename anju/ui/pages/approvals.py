"""审批 Approvals: stage gates and other approvals waiting for my roles; approve or reject."""

from __future__ import annotations

import streamlit as st

from anju.services import approvals, tasks
from anju.services.context import AppContext
from anju.services.errors import AnjuError
from anju.services.users import UserView
from anju.ui.state import notice, show_notice, t, when


def render(ctx: AppContext, user: UserView) -> None:
    st.header(t("page.approvals"))
    show_notice()
    rows = tasks.list_tasks(ctx, username=user.username, approvals_only=True)
    if not rows:
        st.info(t("approvals.none"))
        return
    for row in rows:
        with st.container(border=True):
            st.markdown(f"**{row.project_name}** · {row.name}")
            st.caption(f"{t('tasks.due')}: {when(row.due_at)}")
            comment = st.text_area(t("approvals.comment"), key=f"comment_{row.task_id}")
            approve, reject = st.columns(2)
            if approve.button(t("approvals.approve"), key=f"approve_{row.task_id}"):
                _decide(ctx, user, row.task_id, True, comment)
            if reject.button(t("approvals.reject"), key=f"reject_{row.task_id}"):
                _decide(ctx, user, row.task_id, False, comment)


def _decide(ctx: AppContext, user: UserView, task_id: str, approved: bool, comment: str) -> None:
    try:
        if approved:
            result = approvals.approve(ctx, task_id, user.username, comment)
        else:
            result = approvals.reject(ctx, task_id, user.username, comment)
    except AnjuError as exc:
        st.error(t("error.generic", message=str(exc)))
        return
    key = "approvals.approved" if approved else "approvals.rejected"
    notice(t(key, name=result.task_name))
    st.rerun()


if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import APPROVER_ROLES, run_page

    run_page(render, APPROVER_ROLES)
