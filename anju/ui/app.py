"""The Streamlit application: context, sign-in, language switch and role-based navigation.

Owns: building the services' context once per server (st.cache_resource), the sign-in form,
which pages each role sees, and `run_page`, which every page script calls so that it checks
the signed-in user's roles again itself.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from anju import bootstrap
from anju.config import Settings
from anju.services import auth
from anju.services.context import AppContext
from anju.services.errors import AnjuError
from anju.services.users import UserView
from anju.ui.i18n import LANGUAGES
from anju.ui.state import LANGUAGE, TOKEN, t

APPROVER_ROLES = frozenset({"leader", "gm", "admin"})
PAGES = "anju/ui/pages"  # relative to app.py
PageRender = Callable[[AppContext, UserView], None]


@st.cache_resource(show_spinner=False)
def _context(database_url: str) -> AppContext:
    return bootstrap.build_context(Settings.from_env())


def context() -> AppContext:
    return _context(Settings.from_env().database_url)


def current_user(ctx: AppContext) -> UserView | None:
    user = auth.session_user(ctx, st.session_state.get(TOKEN))
    if user is None:
        st.session_state.pop(TOKEN, None)
    return user


def run_page(render: PageRender, roles: frozenset[str] = frozenset()) -> None:
    """Run a page for the signed-in user, if one of their roles may see it."""
    ctx = context()
    user = current_user(ctx)
    if user is None:
        st.stop()
    if roles and not roles & set(user.roles):
        st.error(t("forbidden"))
        return
    render(ctx, user)


def _login_form(ctx: AppContext) -> None:
    st.title(t("app.title"))
    with st.form("login"):
        username = st.text_input(t("login.username"), key="login_username")
        password = st.text_input(t("login.password"), type="password", key="login_password")
        if st.form_submit_button(t("login.submit"), type="primary", key="login_submit"):
            try:
                st.session_state[TOKEN] = auth.login(ctx, username, password)
            except AnjuError:
                st.error(t("login.failed"))
                return
            st.rerun()


def _sidebar(ctx: AppContext, user: UserView) -> None:
    with st.sidebar:
        st.caption(t("signed_in_as", name=user.display_name, roles=", ".join(user.roles)))
        st.selectbox(
            t("language"), list(LANGUAGES), format_func=LANGUAGES.__getitem__, key=LANGUAGE
        )
        if st.button(t("logout"), key="logout"):
            auth.logout(ctx, st.session_state.pop(TOKEN))
            st.rerun()


def main() -> None:
    st.set_page_config(page_title="安居 Anju", page_icon="🏠", layout="wide")
    st.session_state.setdefault(LANGUAGE, Settings.from_env().language)
    ctx = context()
    user = current_user(ctx)
    if user is None:
        _login_form(ctx)
        return
    _sidebar(ctx, user)
    approver = bool(APPROVER_ROLES & set(user.roles))
    pages = [
        st.Page(f"{PAGES}/my_tasks.py", title=t("page.my_tasks"), default=not approver),
        st.Page(f"{PAGES}/projects.py", title=t("page.projects")),
    ]
    if approver:
        pages.insert(0, st.Page(f"{PAGES}/approvals.py", title=t("page.approvals"), default=True))
    st.navigation(pages).run()
