"""我的任务 My tasks: the ready work tasks of my roles, and the BPMN form to complete one."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from anju.services import tasks
from anju.services.context import AppContext
from anju.services.errors import AlreadyCompletedError, AnjuError
from anju.services.users import UserView
from anju.ui.state import SHOW_TZ, failure, notice, show_notice, t, term, when


def render(ctx: AppContext, user: UserView) -> None:
    st.header(t("page.my_tasks"))
    show_notice()
    rows = [row for row in tasks.list_tasks(ctx, username=user.username) if not row.approval]
    if not rows:
        st.info(t("tasks.none"))
        return
    st.caption(t("tasks.count", count=len(rows)))
    st.dataframe(
        [
            {
                t("tasks.project"): row.project_name,
                t("tasks.stage"): term("stage", row.stage_key),
                t("tasks.name"): row.name,
                t("tasks.due"): when(row.due_at),
                t("tasks.overdue"): "⚠" if row.overdue else "",
            }
            for row in rows
        ],
        hide_index=True,
        width="stretch",
    )
    by_id = {row.task_id: row for row in rows}
    chosen = st.selectbox(
        t("tasks.pick"),
        list(by_id),
        format_func=lambda task_id: f"{by_id[task_id].project_code} · {by_id[task_id].name}",
        key="my_tasks_pick",
    )
    if chosen:
        _task_form(ctx, user, chosen)


def field_key(task_id: str, name: str) -> str:
    """Widget key of a form field: per task, so one task's input never shows in another's."""
    return f"field_{task_id}_{name}"


def local_today(ctx: AppContext) -> date:
    return ctx.now().astimezone(SHOW_TZ).date()


def _task_form(ctx: AppContext, user: UserView, task_id: str) -> None:
    try:
        detail = tasks.task_detail(ctx, task_id)
    except AnjuError as exc:
        st.warning(t("error.generic", message=str(exc)))
        return
    st.subheader(detail.row.name)
    st.write(detail.documentation)
    rejection = detail.row.context.get("last_rejection")
    if rejection:
        st.warning(t("tasks.sent_back", **rejection))
    with st.form(f"form_{task_id}"):
        for field in detail.fields:
            label = field["label"] + ("" if field["required"] else " ·")
            key = field_key(task_id, field["name"])
            if field["type"] == "bool":
                st.checkbox(label, key=key)
            elif field["type"] == "number":
                st.number_input(label, min_value=0, step=1, key=key)
            elif field["type"] == "date":
                st.date_input(label, value=local_today(ctx), key=key)
            else:
                st.text_area(label, key=key)
        st.text_input(t("tasks.comment"), key=field_key(task_id, "comment"))
        st.form_submit_button(
            t("tasks.complete"),
            type="primary",
            key="complete_task",
            on_click=_complete,
            args=(ctx, user, task_id, [field["name"] for field in detail.fields]),
        )


def _complete(ctx: AppContext, user: UserView, task_id: str, names: list[str]) -> None:
    """Complete the task the form was drawn for, even if it has left the list meanwhile.

    Runs as the submit button's callback, before the rerun, so the list drawn next is fresh
    and a conflict (someone else completed it first) is shown instead of silently vanishing.
    """
    values: dict[str, Any] = {}
    for name in names:
        value = st.session_state.get(field_key(task_id, name))
        values[name] = value.isoformat() if isinstance(value, date) else value
    comment = st.session_state.get(field_key(task_id, "comment"))
    if comment:
        values["comment"] = comment
    try:
        result = tasks.complete(ctx, task_id, user.username, values)
    except AlreadyCompletedError as exc:
        failure(t("tasks.already_completed", name=exc.task_name, by=exc.by, at=when(exc.at)))
        return
    except AnjuError as exc:
        failure(t("error.generic", message=str(exc)))
        return
    notice(t("tasks.completed", name=result.task_name))


if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import run_page

    run_page(render)
