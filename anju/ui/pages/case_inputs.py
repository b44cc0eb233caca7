"""案例输入 Case inputs: customer service picks recommended cases for a project stage, hands them
over as a package and verifies each case; the receiving department acknowledges its packages.

Both halves are on one page, shown by role: customer service sees recommend / hand over /
verify; design, engineering, sales and property see their packages waiting for a signature.
"""

from __future__ import annotations

import streamlit as st

from anju.roles import LANE_ROLES
from anju.services import case_inputs, projects
from anju.services.case_inputs import PackageItemView, PackageView
from anju.services.context import AppContext
from anju.services.errors import AnjuError
from anju.services.users import UserView
from anju.ui.state import notice, show_notice, t, term, when

VERIFIER = "customer_service"
RECEIVERS = frozenset(LANE_ROLES - {"customer_service", "leader", "gm"})
INPUT_ROLES = RECEIVERS | {VERIFIER}
STAGES = ("design", "construction", "sales", "handover", "occupancy")
RESULTS = ("avoided", "not_avoided", "not_applicable")
PROJECT, STAGE, LOOK_FOR, NOTE = "inputs_project", "inputs_stage", "inputs_look_for", "inputs_note"


def render(ctx: AppContext, user: UserView) -> None:
    st.header(t("page.case_inputs"))
    show_notice()
    roles = set(user.roles)
    if RECEIVERS & roles:
        _to_acknowledge(ctx, user, set(RECEIVERS & roles))
    if VERIFIER in roles:
        _customer_service(ctx, user)


def _customer_service(ctx: AppContext, user: UserView) -> None:
    by_code = {p.code: p for p in projects.list_projects(ctx)}
    left, right = st.columns(2)
    code = left.selectbox(
        t("inputs.project"),
        list(by_code),
        format_func=lambda c: f"{c} · {by_code[c].name}",
        key=PROJECT,
    )
    stage = right.selectbox(
        t("inputs.stage"), STAGES, format_func=lambda s: term("case_stage", s), key=STAGE
    )
    if not code or not stage:
        return
    look_for = st.text_input(t("inputs.look_for"), key=LOOK_FOR)
    _recommend(ctx, user, code, stage, look_for)
    _packages(ctx, user, code, stage)


def _recommend(ctx: AppContext, user: UserView, code: str, stage: str, look_for: str) -> None:
    st.subheader(t("inputs.recommended"))
    try:
        found = case_inputs.recommend(ctx, code, stage, look_for)
    except AnjuError as exc:
        st.error(t("error.generic", message=str(exc)))
        return
    if not found.suggestions:
        st.info(t("inputs.none"))
        return
    picked: list[int] = []
    for s in found.suggestions:
        with st.container(border=True):
            label = f"#{s.case_id} {s.title}"
            if st.checkbox(
                label, key=f"inputs_pick_{code}_{stage}_{s.case_id}", disabled=s.in_package
            ):
                picked.append(s.case_id)
            facts = [term("case_category", s.category), term("role", s.department)]
            if s.in_package:
                facts.append(t("inputs.in_package"))
            st.caption(" · ".join(facts))
            st.caption(t("inputs.reasons", reasons="；".join(s.reasons)))
    department = term("role", found.department)
    note = st.text_input(t("inputs.note"), key=NOTE)
    if st.button(t("inputs.hand_over", department=department), key="inputs_hand_over"):
        if not picked:
            st.warning(t("inputs.pick_some"))
            return
        try:
            package = case_inputs.create_package(ctx, code, stage, user.username, picked, note=note)
        except AnjuError as exc:
            st.error(t("error.generic", message=str(exc)))
            return
        for case_id in picked:
            st.session_state.pop(f"inputs_pick_{code}_{stage}_{case_id}", None)
        notice(
            t(
                "inputs.handed_over",
                count=len(package.items),
                id=package.id,
                department=term("role", package.department),
            )
        )
        st.rerun()


def _packages(ctx: AppContext, user: UserView, code: str, stage: str) -> None:
    st.subheader(t("inputs.packages"))
    packages = case_inputs.project_packages(ctx, code, stage)
    if not packages:
        st.caption(t("inputs.no_packages"))
        return
    for package in packages:
        with st.container(border=True):
            _package_head(package)
            st.dataframe(
                [
                    {
                        t("inputs.case"): f"#{item.case_id} {item.case_title}",
                        t("inputs.state"): term("verify", item.result or "pending"),
                        t("inputs.reason"): item.reason,
                        t("inputs.evidence"): item.evidence,
                        t("inputs.verified_by"): item.verified_by or "",
                    }
                    for item in package.items
                ],
                hide_index=True,
                width="stretch",
            )
            if package.acknowledged_by is None:
                continue
            for item in package.unverified:
                _verify_form(ctx, user, item)


def _package_head(package: PackageView) -> None:
    department = term("role", package.department)
    st.markdown(
        "**"
        + t(
            "inputs.package",
            id=package.id,
            department=department,
            by=package.created_by,
            at=when(package.created_at),
        )
        + "**"
    )
    if package.acknowledged_by is None:
        st.warning(t("inputs.waiting_ack", department=department))
    else:
        by, at = package.acknowledged_by, when(package.acknowledged_at)
        st.caption(t("inputs.acked", by=by, at=at))


def _verify_form(ctx: AppContext, user: UserView, item: PackageItemView) -> None:
    with st.form(f"inputs_verify_{item.id}"):
        st.markdown(t("inputs.verify_title", case_id=item.case_id, title=item.case_title))
        result = st.radio(
            t("inputs.result"),
            RESULTS,
            format_func=lambda r: term("verify", r),
            horizontal=True,
            key=f"inputs_result_{item.id}",
        )
        reason = st.text_input(t("inputs.reason"), key=f"inputs_reason_{item.id}")
        evidence = st.text_input(t("inputs.evidence"), key=f"inputs_evidence_{item.id}")
        submitted = st.form_submit_button(t("inputs.verify"))
    if not submitted:
        return
    try:
        done = case_inputs.verify_item(ctx, item.id, user.username, str(result), reason, evidence)
    except AnjuError as exc:
        st.error(t("error.generic", message=str(exc)))
        return
    notice(t("inputs.verified", case_id=done.case_id, result=term("verify", done.result)))
    st.rerun()


def _to_acknowledge(ctx: AppContext, user: UserView, departments: set[str]) -> None:
    st.subheader(t("inputs.to_ack"))
    waiting = [
        package
        for project in projects.list_projects(ctx)
        for package in case_inputs.project_packages(ctx, project.code)
        if package.department in departments and package.acknowledged_by is None
    ]
    if not waiting:
        st.info(t("inputs.nothing_to_ack"))
        return
    for package in waiting:
        with st.container(border=True):
            st.markdown(
                "**"
                + t(
                    "inputs.ack_package",
                    id=package.id,
                    project=package.project_code,
                    stage=term("case_stage", package.stage),
                    count=len(package.items),
                )
                + "**"
            )
            if package.note:
                st.caption(package.note)
            st.dataframe(
                [{t("inputs.case"): f"#{i.case_id} {i.case_title}"} for i in package.items],
                hide_index=True,
                width="stretch",
            )
            if st.button(t("inputs.acknowledge"), key=f"inputs_ack_{package.id}"):
                try:
                    case_inputs.acknowledge_package(ctx, package.id, user.username)
                except AnjuError as exc:
                    st.error(t("error.generic", message=str(exc)))
                    continue
                notice(t("inputs.acknowledged", id=package.id))
                st.rerun()


if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import run_page

    run_page(render, INPUT_ROLES)
