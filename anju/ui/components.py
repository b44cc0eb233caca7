"""Pieces several pages draw the same way: the project picker and a project's timeline.

Owns: their look and their message keys. Imports Streamlit and `anju.services` only.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from anju.services import projects
from anju.services.context import AppContext
from anju.services.projects import HistoryEntry
from anju.ui.state import t, term, when


def project_picker(ctx: AppContext, key: str, label_key: str = "ho.project") -> str | None:
    """A select box of the projects ("code · name"); None, with a note, when there are none."""
    names = projects.project_names(ctx)
    if not names:
        st.info(t("ho.no_projects"))
        return None
    choice = st.selectbox(
        t(label_key), list(names), format_func=lambda c: f"{c} · {names[c]}", key=key
    )
    return str(choice) if choice is not None else None


def timeline(entries: Iterable[HistoryEntry]) -> None:
    """Events newest first: when, what, who, which task, the decision and the comment."""
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
            for entry in entries
        ],
        hide_index=True,
        width="stretch",
    )
