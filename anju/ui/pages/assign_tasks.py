"""分派任务 Assign tasks: a department manager gives ready tasks of their department to one of
its people (the service checks the manager's role and the assignee's department); 50 tasks to a
page, soonest due first."""

from __future__ import annotations

import streamlit as st

from anju.roles import managed_departments
from anju.services import task_lists, tasks, users
from anju.services.context import AppContext
from anju.services.errors import AnjuError
from anju.services.users import UserView
from anju.ui.state import failure, notice, page_control, show_notice, t, term, when

TASKS, TO, PAGE = "assign_tasks", "assign_to", "assign_page"


def render(ctx: AppContext, user: UserView) -> None:
    st.header(t("page.assign"))
    show_notice()
    departments = managed_departments(user.roles)
    page = task_lists.department_tasks(ctx, user.username, st.session_state.get(PAGE, 1))
    if not page.rows:
        st.info(t("assign.none"))
        return
    people = {
        u.username: u.display_name
        for u in users.list_users(ctx)
        if u.active and departments & set(u.roles)
    }
    if not people:
        st.info(t("assign.no_people"))
        return
    by_id = {row.task_id: row for row in page.rows}
    page_control(page, PAGE, "tasks.count_page")
    st.dataframe(
        [
            {
                t("tasks.project"): row.project_name,
                t("tasks.stage"): term("stage", row.stage_key),
                t("tasks.name"): row.name,
                t("tasks.role"): term("role", row.role),
                t("tasks.claimed_by"): row.assignee_name or "",
                t("tasks.due"): when(row.due_at),
            }
            for row in page.rows
        ],
        hide_index=True,
        width="stretch",
    )
    labels = {task_id: f"{row.project_code} · {row.name}" for task_id, row in by_id.items()}
    st.multiselect(t("assign.tasks"), list(by_id), format_func=labels.__getitem__, key=TASKS)
    st.selectbox(t("assign.to"), list(people), format_func=people.__getitem__, key=TO)
    st.button(
        t("assign.submit"),
        type="primary",
        key="assign_submit",
        on_click=_assign,
        args=(ctx, user, people),
    )


def _assign(ctx: AppContext, user: UserView, people: dict[str, str]) -> None:
    chosen = list(st.session_state.get(TASKS) or [])
    target = str(st.session_state.get(TO) or "")
    try:
        moved = tasks.reassign(ctx, chosen, target, user.username)
    except AnjuError as exc:
        failure(t("error.generic", message=str(exc)))
        return
    st.session_state[TASKS] = []
    notice(t("assign.done", count=len(moved), name=people.get(target, target)))


if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import MANAGER_ROLES, run_page

    run_page(render, MANAGER_ROLES)
