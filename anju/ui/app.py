"""The Streamlit application: context, sign-in, language switch and role-based navigation.

Owns: building the services' context once per server (st.cache_resource), the sign-in form,
which pages each role sees, and `run_page`, which every page script calls so that it checks
the signed-in user's roles again itself.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import streamlit as st

from anju.config import Settings
from anju.roles import ADMIN, MANAGED, PROJECT_STARTERS
from anju.services import auth, task_lists
from anju.services.context import AppContext
from anju.services.users import UserView
from anju.ui.i18n import LANGUAGES
from anju.ui.pages.case_inputs import INPUT_ROLES
from anju.ui.pages.handover import ROLES as HANDOVER_ROLES
from anju.ui.pages.owner_changes import ROLES as OWNER_CHANGE_ROLES
from anju.ui.pages.owners import ROLES as OWNER_ROLES
from anju.ui.state import LANGUAGE, TOKEN, t, term
from anju.ui.web_session import COOKIE, FAILED, LOGIN_PATH, LOGOUT_PATH, context

APPROVER_ROLES = frozenset({"leader", "gm", "admin"})
MANAGER_ROLES = frozenset(MANAGED)
ADMIN_ROLES = frozenset({ADMIN})
ARRIVALS = "anju_arrivals_told"  # how many new tasks this session was last told about
PAGES = "anju/ui/pages"  # relative to app.py
PageRender = Callable[[AppContext, UserView], None]


def _token() -> str | None:
    """The session token: the HttpOnly cookie set by `/session/login`, read on every run.

    `st.session_state[TOKEN]` is the same token for a session that has no cookie (AppTest).
    """
    cookie = _cookie()
    return cookie or st.session_state.get(TOKEN)


def _cookie() -> str | None:
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) and value else None


def current_user(ctx: AppContext) -> UserView | None:
    user = auth.session_user(ctx, _token())
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


def _login_form() -> None:
    """A plain HTML form posting to `/session/login`, which sets the HttpOnly cookie."""
    st.title(t("app.title"))
    if st.query_params.get("login") == FAILED:
        st.error(t("login.failed"))
    st.html(
        f"""<form method="post" action="{LOGIN_PATH}" class="anju-login">
<label>{escape(t("login.username"))}<input name="username" autocomplete="username" required></label>
<label>{escape(t("login.password"))}<input name="password" type="password"
 autocomplete="current-password" required></label>
<button type="submit">{escape(t("login.submit"))}</button>
</form>
<style>
.anju-login {{ display: flex; flex-direction: column; gap: 0.8rem; max-width: 22rem; }}
.anju-login label {{ display: flex; flex-direction: column; gap: 0.3rem; font-size: 0.9rem; }}
.anju-login input {{ padding: 0.5rem; border: 1px solid #ccc; border-radius: 0.5rem;
 font-size: 1rem; }}
.anju-login button {{ padding: 0.5rem; border: none; border-radius: 0.5rem; color: #fff;
 background: #ff4b4b; font-size: 1rem; cursor: pointer; }}
</style>"""
    )


def _logout(ctx: AppContext) -> None:
    """Sign out everywhere: through `/session/logout` (clears the cookie) in a browser."""
    if _cookie():
        st.html(
            f"""<form method="post" action="{LOGOUT_PATH}">
<button type="submit" class="anju-logout">{escape(t("logout"))}</button></form>
<style>.anju-logout {{ padding: 0.4rem 0.8rem; border: 1px solid #ccc; border-radius: 0.5rem;
 background: #fff; cursor: pointer; }}</style>"""
        )
    elif st.button(t("logout"), key="logout"):  # a session without a cookie (AppTest)
        auth.logout(ctx, st.session_state.pop(TOKEN))
        st.rerun()


def _sidebar(ctx: AppContext, user: UserView) -> None:
    with st.sidebar:
        roles = ", ".join(term("role", role) for role in user.roles)
        st.caption(t("signed_in_as", name=user.display_name, roles=roles))
        st.selectbox(
            t("language"), list(LANGUAGES), format_func=LANGUAGES.__getitem__, key=LANGUAGE
        )
        _logout(ctx)


def main() -> None:
    st.set_page_config(page_title="安居 Anju", page_icon="🏠", layout="wide")
    st.session_state.setdefault(LANGUAGE, Settings.from_env().language)
    ctx = context()
    user = current_user(ctx)
    if user is None:
        _login_form()
        return
    _sidebar(ctx, user)
    roles = set(user.roles)
    approver = bool(APPROVER_ROLES & roles)
    pages = [
        st.Page(f"{PAGES}/my_tasks.py", title=_my_tasks_title(ctx, user), default=not approver),
        st.Page(f"{PAGES}/projects.py", title=t("page.projects")),
    ]
    if PROJECT_STARTERS & roles:
        pages.append(st.Page(f"{PAGES}/start_project.py", title=t("page.start_project")))
    if MANAGER_ROLES & roles:
        pages.append(st.Page(f"{PAGES}/assign_tasks.py", title=t("page.assign")))
    if ADMIN_ROLES & roles:
        pages.append(st.Page(f"{PAGES}/admin_users.py", title=t("page.admin")))
    pages.append(st.Page(f"{PAGES}/cases.py", title=t("page.cases")))
    if INPUT_ROLES & roles:
        pages.append(st.Page(f"{PAGES}/case_inputs.py", title=t("page.case_inputs")))
    if OWNER_ROLES & roles:
        pages.append(st.Page(f"{PAGES}/owners.py", title=t("page.owners")))
    if OWNER_CHANGE_ROLES & roles:
        pages.append(st.Page(f"{PAGES}/owner_changes.py", title=t("page.owner_changes")))
    if HANDOVER_ROLES & roles:
        pages.append(st.Page(f"{PAGES}/handover.py", title=t("page.handover")))
    if approver:
        pages.insert(0, st.Page(f"{PAGES}/approvals.py", title=t("page.approvals"), default=True))
    st.navigation(pages).run()


def _my_tasks_title(ctx: AppContext, user: UserView) -> str:
    """ "My tasks (3)" while tasks arrived since the user last looked; a toast when more came.

    "Last seen" is kept per user in the database (the My tasks page sets it), so a reload,
    a second tab or another device does not announce the same tasks again.
    """
    arrived = task_lists.new_task_count(ctx, user.username)
    if arrived and arrived != st.session_state.get(ARRIVALS):
        st.toast(t("tasks.arrived", count=arrived), icon=":material/notifications:")
    st.session_state[ARRIVALS] = arrived
    return t("page.my_tasks_new", count=arrived) if arrived else t("page.my_tasks")
