"""审批 Approvals: stage gates and other approvals waiting for my roles; approve or reject.
A stage gate shows its stage summary first: work done, unverified cases, open defects."""

from __future__ import annotations

import streamlit as st

from anju.services import approvals, task_lists, tasks
from anju.services.context import AppContext
from anju.services.errors import AnjuError
from anju.services.handover import DefectView
from anju.services.users import UserView
from anju.ui.state import notice, page_control, show_notice, t, term, when

STAGE_GATE = "stage_gate"
PAGE = "approvals_page"
PAGE_SIZE = 10  # each gate shows its stage summary: a short page settles fast


def render(ctx: AppContext, user: UserView) -> None:
    st.header(t("page.approvals"))
    show_notice()
    page = task_lists.my_tasks(
        ctx, user.username, page=st.session_state.get(PAGE, 1), page_size=PAGE_SIZE, approvals=True
    )
    if not page.rows:
        st.info(t("approvals.none"))
        return
    page_control(page, PAGE, "approvals.count_page")
    for row in page.rows:
        with st.container(border=True):
            st.markdown(f"**{row.project_name}** · {row.name}")
            st.caption(f"{t('tasks.due')}: {when(row.due_at)}")
            if row.approval == STAGE_GATE:
                _summary(ctx, user, row)
            comment = st.text_area(t("approvals.comment"), key=f"comment_{row.task_id}")
            approve, reject = st.columns(2)
            if approve.button(t("approvals.approve"), key=f"approve_{row.task_id}"):
                _decide(ctx, user, row.task_id, True, comment)
            if reject.button(t("approvals.reject"), key=f"reject_{row.task_id}"):
                _decide(ctx, user, row.task_id, False, comment)


def _summary(ctx: AppContext, user: UserView, row: tasks.TaskRow) -> None:
    summary = approvals.stage_summary(ctx, row.project_code, row.stage_key, user.username)
    with st.expander(f"{t('approvals.summary')} · {term('stage', row.stage_key)}", expanded=True):
        st.markdown(f"**{t('approvals.done_title')}**")
        if summary.done:
            st.dataframe(
                [
                    {
                        t("tasks.name"): entry.task_name or "",
                        t("projects.who"): entry.actor_name,
                        t("projects.when"): when(entry.at),
                        t("projects.decision"): term("decision", entry.decision),
                    }
                    for entry in summary.done
                ],
                hide_index=True,
                width="stretch",
            )
        else:
            st.caption(t("approvals.nothing_done"))
        if summary.open_cases:
            st.warning(t("approvals.open_cases", count=len(summary.open_cases)))
            st.dataframe(
                [
                    {t("approvals.case"): f"#{item.case_id} {item.case_title}"}
                    for item in summary.open_cases
                ],
                hide_index=True,
                width="stretch",
            )
        else:
            st.caption(t("approvals.no_open_cases"))
        if row.stage_key == approvals.HANDOVER_STAGE:
            _defects(summary.open_defects)


def _defects(defects: tuple[DefectView, ...]) -> None:
    if not defects:
        st.caption(t("approvals.no_open_defects"))
        return
    st.warning(t("approvals.open_defects", count=len(defects)))
    st.dataframe(
        [
            {
                t("approvals.location"): d.location,
                t("approvals.description"): d.description,
                t("approvals.state"): d.state,
                t("tasks.due"): d.due_date.isoformat(),
            }
            for d in defects
        ],
        hide_index=True,
        width="stretch",
    )


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
