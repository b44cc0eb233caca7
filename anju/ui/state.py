"""Session-state keys and the helpers every page uses: language, signed-in user, dates.

Owns: what the UI keeps per browser session. Imports Streamlit and `anju.services` only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import streamlit as st

from anju.ui.i18n import DEFAULT_LANGUAGE, has, translate

TOKEN = "anju_token"  # noqa: S105 - a session-state key, not a secret
LANGUAGE = "anju_language"
NOTICE = "anju_notice"
FAILURE = "anju_failure"
SHOW_TZ = ZoneInfo("Asia/Shanghai")


def t(key: str, **values: Any) -> str:
    return translate(st.session_state.get(LANGUAGE, DEFAULT_LANGUAGE), key, **values)


def term(prefix: str, key: str | None) -> str:
    """The catalogue's name for a domain key (a role, stage, event, decision); else the key."""
    if not key:
        return "-"
    language = st.session_state.get(LANGUAGE, DEFAULT_LANGUAGE)
    return t(f"{prefix}.{key}") if has(language, f"{prefix}.{key}") else key


def when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.astimezone(SHOW_TZ).strftime("%Y-%m-%d %H:%M")


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
