"""用户管理 Users (administrators): list users, add one with an initial password, change a
user's roles, deactivate a user (their sessions end at once)."""

from __future__ import annotations

import streamlit as st

from anju.roles import ROLES
from anju.services import auth, users
from anju.services.context import AppContext
from anju.services.errors import AnjuError
from anju.services.users import UserView
from anju.ui.state import failure, notice, show_notice, t, term

NEW = "admin_new_"  # prefix of the add-user form's widget keys
PICK, ROLES_KEY = "admin_pick", "admin_roles"
ROLE_IDS = [role.id for role in ROLES]


def render(ctx: AppContext, user: UserView) -> None:
    st.header(t("page.admin"))
    show_notice()
    people = users.list_users(ctx)
    yes, no = t("admin.yes"), t("admin.no")
    st.dataframe(
        [
            {
                t("admin.username"): person.username,
                t("admin.display_name"): person.display_name,
                t("admin.roles"): ", ".join(term("role", r) for r in person.roles),
                t("admin.active"): yes if person.active else no,
            }
            for person in people
        ],
        hide_index=True,
        width="stretch",
    )
    role_labels = {role: term("role", role) for role in ROLE_IDS}
    with st.form("admin_add", clear_on_submit=False):
        st.subheader(t("admin.add_title"))
        st.text_input(t("admin.username"), key=f"{NEW}username", max_chars=64)
        st.text_input(t("admin.display_name"), key=f"{NEW}display_name", max_chars=128)
        st.multiselect(
            t("admin.roles"), ROLE_IDS, format_func=role_labels.__getitem__, key=f"{NEW}roles"
        )
        st.text_input(t("admin.password"), type="password", key=f"{NEW}password")
        st.form_submit_button(
            t("admin.add"), key="admin_add_submit", on_click=_add, args=(ctx, user)
        )
    _edit(ctx, user, [p for p in people if p.active], role_labels)


def _edit(
    ctx: AppContext, user: UserView, active: list[UserView], role_labels: dict[str, str]
) -> None:
    st.subheader(t("admin.edit_title"))
    by_name = {person.username: person for person in active}
    names = {name: f"{name} · {person.display_name}" for name, person in by_name.items()}
    chosen = st.selectbox(
        t("admin.pick"), list(names), format_func=names.__getitem__, key=PICK, on_change=_load
    )
    if chosen is None:
        return
    if st.session_state.get(f"{ROLES_KEY}_of") != chosen:
        st.session_state[ROLES_KEY] = list(by_name[chosen].roles)
        st.session_state[f"{ROLES_KEY}_of"] = chosen
    st.multiselect(t("admin.roles"), ROLE_IDS, format_func=role_labels.__getitem__, key=ROLES_KEY)
    save, deactivate = st.columns(2)
    save.button(t("admin.save_roles"), key="admin_save_roles", on_click=_roles, args=(ctx, user))
    deactivate.button(
        t("admin.deactivate"), key="admin_deactivate", on_click=_deactivate, args=(ctx, user)
    )


def _load() -> None:
    st.session_state.pop(f"{ROLES_KEY}_of", None)  # show the newly picked user's roles


def _add(ctx: AppContext, user: UserView) -> None:
    state = st.session_state
    try:
        added = auth.create_user(
            ctx,
            user.username,
            str(state.get(f"{NEW}username") or ""),
            str(state.get(f"{NEW}display_name") or ""),
            list(state.get(f"{NEW}roles") or []),
            str(state.get(f"{NEW}password") or ""),
        )
    except AnjuError as exc:
        failure(t("error.generic", message=str(exc)))
        return
    for field in ("username", "display_name", "password"):
        state[f"{NEW}{field}"] = ""
    state[f"{NEW}roles"] = []
    notice(t("admin.added", name=added.display_name))


def _roles(ctx: AppContext, user: UserView) -> None:
    try:
        changed = auth.change_roles(
            ctx, user.username, str(st.session_state[PICK]), list(st.session_state[ROLES_KEY])
        )
    except AnjuError as exc:
        failure(t("error.generic", message=str(exc)))
        return
    notice(t("admin.roles_saved", name=changed.display_name))


def _deactivate(ctx: AppContext, user: UserView) -> None:
    target = str(st.session_state[PICK])
    try:
        auth.deactivate(ctx, user.username, target)
    except AnjuError as exc:
        failure(t("error.generic", message=str(exc)))
        return
    st.session_state.pop(PICK, None)
    _load()
    notice(t("admin.deactivated", name=target))


if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import ADMIN_ROLES, run_page

    run_page(render, ADMIN_ROLES)
