"""我的任务 My tasks: the ready work tasks of my roles, filtered and paged by the service,
saved filters, claim / release, and the BPMN form to complete one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from anju.services import projects, task_lists
from anju.services.context import AppContext
from anju.services.errors import AnjuError
from anju.services.task_lists import DUE_WINDOWS, TaskFilter
from anju.services.users import UserView
from anju.ui.state import failure, notice, page_control, show_notice, t, term, when
from anju.ui.task_form import field_key, local_today, task_form

__all__ = ["field_key", "local_today", "render"]

PROJECT, STAGE, DUE, PAGE = "tasks_project", "tasks_stage", "tasks_due", "tasks_page"
SAVED, FILTER_NAME = "tasks_saved", "tasks_filter_name"


def render(ctx: AppContext, user: UserView) -> None:
    st.header(t("page.my_tasks"))
    show_notice()
    wanted = _filters(ctx, user)
    page = task_lists.my_tasks(ctx, user.username, wanted, st.session_state.get(PAGE, 1))
    task_lists.mark_seen(ctx, user.username)
    if not page.rows:
        st.info(t("tasks.none"))
        return
    page_control(page, PAGE, "tasks.count_page")
    st.dataframe(
        [
            {
                t("tasks.project"): row.project_name,
                t("tasks.stage"): term("stage", row.stage_key),
                t("tasks.name"): row.name,
                t("tasks.claimed_by"): row.assignee_name or "",
                t("tasks.due"): when(row.due_at),
                t("tasks.overdue"): "⚠" if row.overdue else "",
            }
            for row in page.rows
        ],
        hide_index=True,
        width="stretch",
    )
    by_id = {row.task_id: row for row in page.rows}
    chosen = st.selectbox(
        t("tasks.pick"),
        list(by_id),
        format_func=lambda task_id: f"{by_id[task_id].project_code} · {by_id[task_id].name}",
        key="my_tasks_pick",
    )
    if chosen:
        task_form(ctx, user, chosen)


def _filters(ctx: AppContext, user: UserView) -> TaskFilter:
    """The filter widgets (project, stage, due window) and the user's saved filters."""
    saved = {f.name: f.filter for f in task_lists.saved_filters(ctx, user.username)}
    saved_labels = _labels(t("tasks.saved_none"), {name: name for name in saved})
    project_labels = _labels(t("tasks.all"), projects.project_names(ctx))
    stage_labels = _labels(t("tasks.all"), {k: term("stage", k) for k, _ in task_lists.stages(ctx)})
    due_labels = {window: t(f"tasks.due.{window}") for window in DUE_WINDOWS}
    with st.expander(t("tasks.filters"), expanded=True):
        if saved:
            st.selectbox(
                t("tasks.saved"),
                list(saved_labels),
                format_func=saved_labels.__getitem__,
                key=SAVED,
                on_change=_apply_saved,
                args=(saved,),
            )
        project, stage, due = st.columns(3)
        project.selectbox(
            t("tasks.project"),
            list(project_labels),
            format_func=project_labels.__getitem__,
            key=PROJECT,
            on_change=_first_page,
        )
        stage.selectbox(
            t("tasks.stage"),
            list(stage_labels),
            format_func=stage_labels.__getitem__,
            key=STAGE,
            on_change=_first_page,
        )
        due.selectbox(
            t("tasks.due_window"),
            list(due_labels),
            format_func=due_labels.__getitem__,
            key=DUE,
            on_change=_first_page,
        )
        name, save, delete = st.columns([2, 1, 1], vertical_alignment="bottom")
        name.text_input(t("tasks.filter_name"), key=FILTER_NAME, max_chars=64)
        save.button(
            t("tasks.save_filter"), key="tasks_save_filter", on_click=_save, args=(ctx, user)
        )
        if st.session_state.get(SAVED):
            delete.button(
                t("tasks.delete_filter"),
                key="tasks_delete_filter",
                on_click=_delete,
                args=(ctx, user),
            )
    return _current()


def _labels(first: str, named: Mapping[str, str]) -> dict[str | None, str]:
    """Options of a filter: None ("all" / "none") first. A dict, not a function of the
    session's language, so the labels stay those of the run that drew the widget."""
    labels: dict[str | None, str] = {None: first}
    labels.update(named)
    return labels


def _current() -> TaskFilter:
    return TaskFilter(
        st.session_state.get(PROJECT), st.session_state.get(STAGE), st.session_state.get(DUE, "all")
    )


def _first_page() -> None:
    st.session_state[PAGE] = 1


def _apply_saved(saved: dict[str, TaskFilter]) -> None:
    chosen = saved.get(st.session_state.get(SAVED) or "")
    if chosen is None:
        return
    st.session_state[PROJECT] = chosen.project
    st.session_state[STAGE] = chosen.stage
    st.session_state[DUE] = chosen.due
    st.session_state[PAGE] = 1


def _save(ctx: AppContext, user: UserView) -> None:
    name = str(st.session_state.get(FILTER_NAME) or "")
    try:
        saved = task_lists.save_filter(ctx, user.username, name, _current())
    except AnjuError as exc:
        failure(t("error.generic", message=str(exc)))
        return
    st.session_state[SAVED] = saved.name
    notice(t("tasks.filter_saved", name=saved.name))


def _delete(ctx: AppContext, user: UserView) -> None:
    name: Any = st.session_state.get(SAVED)
    try:
        task_lists.delete_filter(ctx, user.username, str(name))
    except AnjuError as exc:
        failure(t("error.generic", message=str(exc)))
        return
    st.session_state[SAVED] = None
    notice(t("tasks.filter_deleted", name=name))


if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import run_page

    run_page(render)
