"""Session-state keys and the helpers every page uses: language, signed-in user, dates.

Owns: what the UI keeps per browser session. Imports Streamlit and `anju.services` only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import streamlit as st

from anju.localtime import local_text
from anju.ui.i18n import DEFAULT_LANGUAGE, has, translate

TOKEN = "anju_token"  # noqa: S105 - a session-state key, not a secret
LANGUAGE = "anju_language"
NOTICE = "anju_notice"
FAILURE = "anju_failure"


def t(key: str, **values: Any) -> str:
    return translate(st.session_state.get(LANGUAGE, DEFAULT_LANGUAGE), key, **values)


def term(prefix: str, key: str | None) -> str:
    """The catalogue's name for a domain key (a role, stage, event, decision); else the key."""
    if not key:
        return "-"
    language = st.session_state.get(LANGUAGE, DEFAULT_LANGUAGE)
    return t(f"{prefix}.{key}") if has(language, f"{prefix}.{key}") else key


def when(moment: datetime | None) -> str:
    return "-" if moment is None else local_text(moment)


def notice(text: str) -> None:
    """Show `text` once after the next rerun (the page that acted reruns to refresh its list)."""
    st.session_state[NOTICE] = text


def failure(text: str) -> None:
    """Show `text` as an error once after the next rerun (set by an action's callback)."""
    st.session_state[FAILURE] = text


def show_notice() -> None:
    text = st.session_state.pop(NOTICE, None)
    if text:
        st.success(text)
    problem = st.session_state.pop(FAILURE, None)
    if problem:
        st.error(problem)


class Paged(Protocol):
    """A page of a longer list, as the services hand it out (TaskPage, ProjectPage)."""

    @property
    def total(self) -> int: ...
    @property
    def page(self) -> int: ...
    @property
    def pages(self) -> int: ...


def page_control(page: Paged, key: str, count_key: str) -> None:
    """The count line and, when there is more than one page, the page number input."""
    st.caption(t(count_key, count=page.total, page=page.page, pages=page.pages))
    if page.pages > 1:
        st.session_state[key] = page.page  # the service's page: within the filtered list
        st.number_input(t("tasks.page"), min_value=1, max_value=page.pages, step=1, key=key)
