"""One ready task on the My tasks page: who claimed it, claim / release, and its BPMN form.

Owns: drawing a task's instructions and form, and the callbacks that complete, claim or
release it through `anju.services.tasks`. A task claimed by someone else shows who has it
and offers no form: the service would refuse the completion anyway.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from anju.localtime import local_date
from anju.roles import ADMIN
from anju.services import projects, tasks
from anju.services.context import AppContext
from anju.services.errors import AlreadyCompletedError, AnjuError
from anju.services.users import UserView
from anju.ui.components import timeline
from anju.ui.files_panel import files_panel
from anju.ui.state import failure, notice, t, when

CONTEXT_EVENTS = 10  # the project's latest events shown with a task


def field_key(task_id: str, name: str) -> str:
    """Widget key of a form field: per task, so one task's input never shows in another's."""
    return f"field_{task_id}_{name}"


def local_today(ctx: AppContext) -> date:
    return local_date(ctx.now())


def task_form(ctx: AppContext, user: UserView, task_id: str) -> None:
    try:
        detail = tasks.task_detail(ctx, task_id)
    except AnjuError as exc:
        st.warning(t("error.generic", message=str(exc)))
        return
    row = detail.row
    st.subheader(row.name)
    st.write(detail.documentation)
    _context(ctx, row.project_code)
    rejection = row.context.get("last_rejection")
    if rejection:
        st.warning(t("tasks.sent_back", **rejection))
    if row.assignee and row.assignee != user.username:
        st.info(t("tasks.claimed_by_other", name=row.assignee_name or row.assignee))
        files_panel(ctx, user, "task", task_id, can_attach=False)
        return
    if row.assignee == user.username:
        st.caption(t("tasks.claimed_by_me"))
        st.button(
            t("tasks.release"), key="release_task", on_click=_release, args=(ctx, user, task_id)
        )
    elif row.role in user.roles:
        st.button(t("tasks.claim"), key="claim_task", on_click=_claim, args=(ctx, user, task_id))
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
    may_attach = row.role in user.roles or ADMIN in user.roles
    files_panel(ctx, user, "task", task_id, can_attach=may_attach)


def _context(ctx: AppContext, code: str) -> None:
    """The project the task belongs to, and what happened in it lately."""
    summary = projects.get_project(ctx, code)
    with st.expander(t("tasks.context", name=summary.name)):
        st.caption(
            t(
                "tasks.context_line",
                city=summary.city,
                product=summary.product_type,
                stage=summary.stage_name or t("projects.done"),
                progress=summary.progress,
                handover=summary.planned_handover_date.isoformat(),
            )
        )
        timeline(list(reversed(projects.history(ctx, code)))[:CONTEXT_EVENTS])


def _claim(ctx: AppContext, user: UserView, task_id: str) -> None:
    try:
        row = tasks.claim(ctx, task_id, user.username)
    except AnjuError as exc:
        failure(t("error.generic", message=str(exc)))
        return
    notice(t("tasks.claimed", name=row.name))


def _release(ctx: AppContext, user: UserView, task_id: str) -> None:
    try:
        row = tasks.release(ctx, task_id, user.username)
    except AnjuError as exc:
        failure(t("error.generic", message=str(exc)))
        return
    notice(t("tasks.released", name=row.name))


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
