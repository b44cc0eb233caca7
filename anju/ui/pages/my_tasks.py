"""我的任务 My tasks: the ready work tasks of my roles, and the BPMN form to complete one."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from anju.services import tasks
from anju.services.context import AppContext
from anju.services.errors import AnjuError
from anju.services.users import UserView
from anju.ui.state import notice, show_notice, t, when


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
                t("tasks.stage"): row.stage_key or "-",
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
        values: dict[str, Any] = {}
        for field in detail.fields:
            label = field["label"] + ("" if field["required"] else " ·")
            key = f"field_{field['name']}"
            if field["type"] == "bool":
                values[field["name"]] = st.checkbox(label, key=key)
            elif field["type"] == "number":
                values[field["name"]] = st.number_input(label, min_value=0, step=1, key=key)
            elif field["type"] == "date":
                picked = st.date_input(label, value=date.today(), key=key)
                values[field["name"]] = picked.isoformat() if isinstance(picked, date) else None
            else:
                values[field["name"]] = st.text_area(label, key=key)
        comment = st.text_input(t("tasks.comment"), key="field_comment")
        if st.form_submit_button(t("tasks.complete"), type="primary", key="complete_task"):
            if comment:
                values["comment"] = comment
            try:
                result = tasks.complete(ctx, task_id, user.username, values)
            except AnjuError as exc:
                st.error(t("error.generic", message=str(exc)))
                return
            notice(t("tasks.completed", name=result.task_name))
            st.rerun()


if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import run_page

    run_page(render)
