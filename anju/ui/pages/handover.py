"""交房 Hand-over: pick a project and a room; the room's booked hand-over appointments, and
customer service books one (day, slot, optionally one of the room's owners, shown masked);
customer service records the joint inspection from the checklist in one go (each item pass /
defect / n.a., a defect with its part, category, description, severity and due date); the room's
defects with their state, and the project's defect list as .xlsx (made when clicked, masked,
logged); engineering marks a rectification ready, customer service re-inspects it (accept, or
reject with the reason) and books re-inspection slots; the room is handed over (keys) or refused
with the reason; the room's and the project's reports as PDF."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from anju.files import kinds
from anju.importers.identity import mask_name
from anju.services import (
    attachments,
    defect_exports,
    handover,
    handover_units,
    inspection,
    owners,
)
from anju.services.context import AppContext
from anju.services.errors import AnjuError
from anju.services.handover import DefectFound, DefectView
from anju.services.inspection import ItemResult
from anju.services.users import UserView
from anju.ui.components import project_picker
from anju.ui.files_panel import files_panel
from anju.ui.report_downloads import handover_reports_panel
from anju.ui.state import notice, show_notice, t, term, when

ROLES = frozenset({"customer_service", "engineering", "admin"})
CS, ENGINEERING = "customer_service", "engineering"
RESULTS = ("pass", "defect", "na")
SEVERITIES = tuple(dict.fromkeys(handover.SEVERITIES.values()))  # minor, major, critical
PROJECT, ROOM, DEFECT = "handover_project", "handover_room", "handover_defect"
XLSX = kinds.XLSX.media_type
GENERATION = "handover_inspection_form"


def render(ctx: AppContext, user: UserView) -> None:
    st.header(t("page.handover"))
    show_notice()
    code = project_picker(ctx, PROJECT)
    if code is None:
        return
    rooms = handover_units.rooms(ctx, code, user.username)
    if not rooms:
        st.info(t("handover.no_rooms"))
        handover_reports_panel(ctx, user, code, None)
        return
    room = st.selectbox(t("handover.room"), rooms, key=ROOM)
    roles = set(user.roles)
    _appointments(ctx, user, code, room, roles)
    if CS in roles:
        _inspection(ctx, user, code, room)
    _defects(ctx, user, code, room, roles)
    _outcome(ctx, user, code, room, roles)
    handover_reports_panel(ctx, user, code, room)


def _appointments(ctx: AppContext, user: UserView, code: str, room: str, roles: set[str]) -> None:
    """The room's booked hand-over slots; customer service books another."""
    st.subheader(t("handover.appointments"))
    names = {  # the room's owners, names masked
        o.owner_id: mask_name(o.name)
        for o in owners.list_owners(ctx, code, user.username)
        if o.location == room
    }
    booked = [
        a for a in handover_units.appointments(ctx, code, user.username) if a.location == room
    ]
    for a in booked:
        owner = names.get(a.owner_id, "") if a.owner_id is not None else ""
        st.caption(
            t(
                "handover.appointment_line",
                day=a.day,
                slot=a.slot,
                owner=f" · {owner}" if owner else "",
                by=a.booked_by,
            )
        )
    if not booked:
        st.caption(t("handover.appointments_none"))
    if CS not in roles:
        return
    day_col, slot_col, owner_col = st.columns(3)
    day = day_col.date_input(t("handover.appointment_day"), key="handover_appointment_day")
    slot = slot_col.text_input(t("handover.appointment_slot"), key="handover_appointment_slot")
    owner_id = owner_col.selectbox(
        t("handover.appointment_owner"),
        [None, *names],
        format_func=lambda i: t("handover.appointment_no_owner") if i is None else names[i],
        key="handover_appointment_owner",
    )
    if st.button(t("handover.book_appointment"), key="handover_book_appointment"):
        try:
            made = handover_units.book_appointment(
                ctx, code, room, user.username, day, slot, owner_id
            )
        except AnjuError as exc:
            st.error(str(exc))
            return
        notice(t("handover.appointment_booked", room=room, day=made.day, slot=made.slot))
        st.rerun()


def _inspection(ctx: AppContext, user: UserView, code: str, room: str) -> None:
    st.subheader(t("handover.inspection"))
    latest = inspection.latest_inspection(ctx, code, room, user.username)
    if latest is not None:
        st.caption(
            t(
                "handover.last_inspection",
                at=when(latest.at),
                by=latest.username,
                passed=latest.passed,
                defects=latest.defects,
                na=latest.not_applicable,
            )
        )
    sheet = inspection.checklist()
    today = date.today()
    results: list[ItemResult] = []
    generation = st.session_state.get(GENERATION, 0)  # new widget keys: a fresh form per save
    space = ""
    for item in sheet.items:
        if item.space != space:
            space = item.space
            st.markdown(f"**{_plain(space)}**")
        key = f"insp{generation}_{room}_{item.position}"  # per room: nothing carries over
        result = st.radio(
            item.item,
            RESULTS,
            format_func=lambda r: t(f"handover.result.{r}"),
            horizontal=True,
            key=f"{key}_result",
        )
        defect = None
        if result == "defect":
            part, category, severity, due = st.columns(4)
            found = DefectFound(
                space=item.space,
                part=part.text_input(t("handover.part"), key=f"{key}_part"),
                category=category.text_input(t("handover.category"), key=f"{key}_category"),
                description=st.text_input(t("handover.description"), key=f"{key}_description"),
                severity=severity.selectbox(
                    t("handover.severity"),
                    SEVERITIES,
                    format_func=lambda s: t(f"handover.severity.{s}"),
                    key=f"{key}_severity",
                ),
                due=due.date_input(
                    t("handover.due"), value=today + timedelta(days=14), key=f"{key}_due"
                ),
            )
            defect = found
        results.append(ItemResult(item.space, item.item, str(result), defect=defect))
    if st.button(t("handover.save_inspection"), key="handover_save_inspection", type="primary"):
        try:
            saved = inspection.record_inspection(ctx, code, room, user.username, results)
        except AnjuError as exc:
            st.error(str(exc))
            return
        st.session_state[GENERATION] = generation + 1  # a fresh form for the next room
        notice(
            t(
                "handover.inspection_saved",
                passed=saved.passed,
                defects=saved.defects,
                na=saved.not_applicable,
            )
        )
        st.rerun()


def _plain(text: str) -> str:
    """Markdown-inert text (checklist data goes into st.markdown)."""
    return "".join(f"\\{c}" if c in "\\`*_{}[]<>()#+-.!|~" else c for c in text)


def _defects(ctx: AppContext, user: UserView, code: str, room: str, roles: set[str]) -> None:
    st.subheader(t("handover.defects"))
    st.download_button(  # the whole project's list, made (and logged) only when clicked
        t("handover.export_defects"),
        lambda: defect_exports.export_defects(ctx, code, user.username),
        file_name=f"defects-{code}.xlsx",
        mime=XLSX,
        key="handover_export_defects",
        on_click="ignore",
    )
    mine = [d for d in handover.list_defects(ctx, code, user.username) if d.location == room]
    if not mine:
        st.info(t("handover.defects_none"))
        return
    st.dataframe(
        [
            {
                "#": d.defect_id,
                t("handover.space"): d.space,
                t("handover.part"): d.part,
                t("handover.category"): d.category,
                t("handover.description"): d.description,
                t("handover.severity"): term("handover.severity", d.severity),
                t("handover.due"): str(d.due_date),
                t("handover.state"): term("handover.state", d.state),
                t("handover.overdue"): "⚠" if d.overdue else "",
            }
            for d in mine
        ],
        hide_index=True,
        width="stretch",
        key="handover_defects",
    )
    by_id = {d.defect_id: d for d in mine}
    chosen = st.selectbox(
        t("handover.pick_defect"),
        list(by_id),
        format_func=lambda i: f"#{i} {by_id[i].space} · {by_id[i].part}",  # labels never change
        key=DEFECT,
    )
    if chosen is not None:
        _defect_actions(ctx, user, by_id[chosen], roles)
        may_attach = bool(roles & attachments.DEFECT_WRITERS)
        files_panel(ctx, user, "defect", chosen, can_attach=may_attach, photos_only=True)


def _defect_actions(ctx: AppContext, user: UserView, d: DefectView, roles: set[str]) -> None:
    if d.state == "closed":
        st.caption(t("handover.closed_note"))
        return
    try:
        ready = ENGINEERING in roles and d.state == "open"
        if ready and st.button(t("handover.mark_ready"), key="handover_ready", type="primary"):
            handover.mark_ready(ctx, d.defect_id, user.username, d.version)
            notice(t("handover.marked_ready", id=d.defect_id))
            st.rerun()
        if CS not in roles:
            return
        if d.state == "ready_for_review":
            accept, reject = st.columns(2)
            if accept.button(t("handover.accept"), key="handover_accept", type="primary"):
                handover.reinspect(ctx, d.defect_id, user.username, True, version=d.version)
                notice(t("handover.accepted", id=d.defect_id))
                st.rerun()
            reason = reject.text_input(
                t("handover.reject_reason"), key=f"handover_reject_reason_{d.defect_id}"
            )
            if reject.button(t("handover.reject"), key="handover_reject"):
                handover.reinspect(ctx, d.defect_id, user.username, False, reason, d.version)
                notice(t("handover.rejected", id=d.defect_id))
                st.rerun()
        with st.expander(t("handover.book")):
            day = st.date_input(t("handover.book_day"), key="handover_book_day")
            slot = st.text_input(t("handover.book_slot"), key="handover_book_slot")
            with_owner = st.checkbox(t("handover.book_owner"), key="handover_book_owner")
            if st.button(t("handover.book"), key="handover_book"):
                booked = inspection.book_reinspection(
                    ctx, d.defect_id, user.username, day, slot, with_owner
                )
                notice(t("handover.booked", id=d.defect_id, day=booked.day, slot=booked.slot))
                st.rerun()
    except AnjuError as exc:
        st.error(str(exc))


def _outcome(ctx: AppContext, user: UserView, code: str, room: str, roles: set[str]) -> None:
    st.subheader(t("handover.outcome"))
    mine = [o for o in handover_units.outcomes(ctx, code, user.username) if o.location == room]
    for o in mine:
        st.caption(
            t(
                "handover.outcome_line",
                outcome=term("handover.outcome", o.outcome),
                at=when(o.at),
                by=o.username,
                reason=f" · {o.reason}" if o.reason else "",
            )
        )
    if CS not in roles or any(o.outcome == "handed_over" for o in mine):  # handed over: final
        return
    give, refuse = st.columns(2)
    keys = give.checkbox(t("handover.keys"), value=True, key=f"handover_keys_{room}")
    note = give.text_input(t("handover.note"), key=f"handover_note_{room}")
    reason = refuse.text_input(t("handover.refuse_reason"), key=f"handover_refuse_reason_{room}")
    try:
        if give.button(t("handover.hand_over"), key="handover_hand_over", type="primary"):
            handover_units.hand_over(ctx, code, room, user.username, keys_handed=keys, note=note)
            notice(t("handover.handed_over", room=room))
            st.rerun()
        if refuse.button(t("handover.refuse"), key="handover_refuse"):
            handover_units.refuse(ctx, code, room, user.username, reason)
            notice(t("handover.refused", room=room))
            st.rerun()
    except AnjuError as exc:
        st.error(str(exc))


if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import run_page

    run_page(render, ROLES)
