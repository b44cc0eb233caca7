"""客户信息变更 Owner changes: customer service registers an owner's change form, applies it only
after the owner's identity is verified (ID number, phone and room all match the archive), or
rejects it; the owner's change history; alerts about records locked after failed checks. The
owners are listed masked; every rule is the service's (`anju.services.owner_changes`)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from anju.importers.identity import mask_name
from anju.services import owner_changes, owners
from anju.services.context import AppContext
from anju.services.errors import AnjuError
from anju.services.owner_changes import IdentityMismatchError
from anju.services.owners import REVEAL_ROLES
from anju.services.users import UserView
from anju.ui.components import project_picker
from anju.ui.state import notice, show_notice, t, when

PROJECT, OWNER, REQUEST = "oc_project", "oc_owner", "oc_request"
FORM_FIELDS = (
    ("name", "oc.name"),
    ("phones", "oc.phones"),
    ("mailing_address", "oc.address"),
    ("certificate_number", "oc.certificate"),
    ("tier", "oc.tier"),
    ("notes", "oc.notes"),
)


def render(ctx: AppContext, user: UserView) -> None:
    st.header(t("page.owner_changes"))
    show_notice()
    code = project_picker(ctx, PROJECT)
    if code is None:
        return
    for alert in owner_changes.owner_alerts(ctx, code, user.username):
        st.warning(f"{t('oc.alerts')} · {when(alert.at)} · {alert.message}")
    people = {o.owner_id: o for o in owners.list_owners(ctx, code, user.username)}  # masked
    if not people:
        st.info(t("oc.none"))
        return
    owner_id = st.selectbox(
        t("oc.owner"),
        list(people),
        format_func=lambda i: f"{people[i].location} · {mask_name(people[i].name)}",
        key=OWNER,
    )
    _request_form(ctx, user, code, owner_id)
    _pending(ctx, user, code)
    _history(ctx, user, code, owner_id)


def _request_form(ctx: AppContext, user: UserView, code: str, owner_id: int) -> None:
    st.subheader(t("oc.request"))
    st.caption(t("oc.request_help"))
    with st.form(f"oc_form_{owner_id}", clear_on_submit=True):
        typed = {name: st.text_input(t(label), key=f"oc_{name}") for name, label in FORM_FIELDS}
        reason = st.text_input(t("oc.reason"), key="oc_reason")
        sent = st.form_submit_button(t("oc.submit"), key="oc_submit")
    if not sent:
        return
    changes = {name: value for name, value in typed.items() if value.strip()}
    try:
        made = owner_changes.request_change(ctx, code, owner_id, user.username, changes, reason)
    except AnjuError as exc:
        st.error(t("error.generic", message=str(exc)))
        return
    notice(t("oc.requested", id=made.request_id))
    st.rerun()


def _pending(ctx: AppContext, user: UserView, code: str) -> None:
    st.subheader(t("oc.pending"))
    waiting = {
        r.request_id: r
        for r in owner_changes.change_requests(ctx, code, user.username, status="pending")
    }
    if not waiting:
        st.caption(t("oc.pending_none"))
        return
    chosen = st.selectbox(
        t("oc.pick"),
        list(waiting),
        format_func=lambda i: f"#{i} {waiting[i].location} · {mask_name(waiting[i].owner_name)}",
        key=REQUEST,
    )
    request = waiting[chosen]
    st.caption(
        f"{t('oc.requested_by')}: {request.requested_by} · {when(request.requested_at)} · "
        f"{t('oc.reason')}: {request.reason}"
    )
    st.json(request.changes, expanded=True)
    st.caption(t("oc.verify_help"))
    id_number, phone, room = st.columns(3)
    stated = (
        id_number.text_input(t("oc.id_number"), key=f"oc_verify_id_{chosen}"),  # per request
        phone.text_input(t("oc.phone"), key=f"oc_verify_phone_{chosen}"),
        room.text_input(t("oc.room"), key=f"oc_verify_room_{chosen}"),
    )
    verify, reject = st.columns(2)
    if verify.button(t("oc.verify"), key="oc_verify", type="primary"):
        _verify(ctx, user, chosen, *stated)
    note = reject.text_input(t("oc.reject_note"), key=f"oc_reject_note_{chosen}")
    if reject.button(t("oc.reject"), key="oc_reject"):
        try:
            owner_changes.reject_change(ctx, chosen, user.username, note)
        except AnjuError as exc:
            st.error(t("error.generic", message=str(exc)))
            return
        notice(t("oc.rejected", id=chosen))
        st.rerun()


def _verify(
    ctx: AppContext, user: UserView, request_id: int, id_number: str, phone: str, room: str
) -> None:
    try:
        owner_changes.verify_and_apply(ctx, request_id, user.username, id_number, phone, room)
    except IdentityMismatchError as exc:
        fields = "、".join(t(f"oc.field.{name}") for name in exc.mismatched)
        st.error(t("oc.mismatch", fields=fields))
        if exc.locked_until is not None:
            st.error(t("oc.locked_until", until=when(exc.locked_until)))
        return
    except AnjuError as exc:
        st.error(t("error.generic", message=str(exc)))
        return
    notice(t("oc.applied", id=request_id))
    st.rerun()


def _history(ctx: AppContext, user: UserView, code: str, owner_id: int) -> None:
    st.subheader(t("oc.history"))
    changes = owner_changes.owner_history(ctx, code, owner_id, user.username)
    if not changes:
        st.caption(t("oc.history_none"))
        return
    st.dataframe(
        [
            {
                t("oc.when"): when(c.changed_at),
                t("oc.who"): c.changed_by,
                t("oc.source"): c.source,
                t("oc.before"): _fields(c.before),
                t("oc.after"): _fields(c.after),
            }
            for c in reversed(changes)
        ],
        hide_index=True,
        width="stretch",
    )


def _fields(values: dict[str, Any]) -> str:
    return "；".join(f"{k}: {v}" for k, v in values.items())


ROLES = REVEAL_ROLES

if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import run_page

    run_page(render, ROLES)
