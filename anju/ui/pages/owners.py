"""业主档案 Owners: download the template, upload an owners .xlsx, preview it (new / changed /
unchanged / invalid, the rejected rows with their row numbers and reasons, the error report),
commit it when no row is invalid; the owners list masked (customer service and admins reveal
it with a stated reason, through the service that logs it) and its .xlsx export (made when
clicked, masked unless the list was revealed — then with the same reason; every export is
logged by the service) and the owners missing details."""

from __future__ import annotations

import hashlib

import streamlit as st

from anju.files import kinds
from anju.services import owner_exports, owners
from anju.services.context import AppContext
from anju.services.errors import AnjuError
from anju.services.owners import IMPORT_ROLES, REVEAL_ROLES, OwnerView
from anju.services.users import UserView
from anju.ui.components import project_picker
from anju.ui.state import notice, show_notice, t

ROLES = IMPORT_ROLES
XLSX = kinds.XLSX.media_type
PROJECT, UPLOAD, REASON = "owners_project", "owners_file", "owners_reveal_reason"
PREVIEW = "owners_preview"  # ((project, sha256 of the file), its preview)
REVEALED = "owners_revealed"  # (project code, owners unmasked by the service, the reason)


def render(ctx: AppContext, user: UserView) -> None:
    st.header(t("page.owners"))
    show_notice()
    code = project_picker(ctx, PROJECT)
    if code is None:
        return
    _import(ctx, user, code)
    _listing(ctx, user, code)


def _import(ctx: AppContext, user: UserView, code: str) -> None:
    st.subheader(t("owners.import"))
    st.download_button(
        t("owners.template"),
        owners.template(),
        file_name="owners-template.xlsx",
        mime=XLSX,
        key="owners_template",
    )
    uploaded = st.file_uploader(t("owners.upload"), type=["xlsx"], key=UPLOAD)
    if uploaded is None:
        return
    data = uploaded.getvalue()
    # The file is read and checked once: later reruns of the page (other widgets) reuse it.
    seen = (code, hashlib.sha256(data).hexdigest())
    kept = st.session_state.get(PREVIEW)
    if kept is not None and kept[0] == seen:
        report = kept[1]
    else:
        try:
            report = owners.preview_import(ctx, code, data, user.username, file_name=uploaded.name)
        except AnjuError as exc:
            st.error(str(exc))
            return
        st.session_state[PREVIEW] = (seen, report)
    new, changed, unchanged, invalid = st.columns(4)
    new.metric(t("owners.new"), report.new)
    changed.metric(t("owners.changed"), report.changed)
    unchanged.metric(t("owners.unchanged"), report.unchanged)
    invalid.metric(t("owners.invalid"), report.invalid)
    if report.rejected:
        st.error(t("owners.commit_blocked"))
        st.caption(t("owners.rejected"))
        st.dataframe(
            [
                {t("owners.row"): row.row_number, t("owners.reason"): row.reason}
                for row in report.rejected
            ],
            hide_index=True,
            width="stretch",
            key="owners_rejected",
        )
        st.download_button(
            t("owners.error_report"),
            owner_exports.error_report_xlsx(report),
            file_name=f"errors-{uploaded.name}",
            mime=XLSX,
            key="owners_error_report",
        )
    elif not (report.new or report.changed):
        st.info(t("owners.nothing"))
    blocked = bool(report.invalid) or not (report.new or report.changed)
    if st.button(t("owners.commit"), key="owners_commit", type="primary", disabled=blocked):
        try:
            done = owners.commit_import(ctx, code, data, user.username, file_name=uploaded.name)
        except AnjuError as exc:
            st.error(str(exc))
            return
        st.session_state.pop(REVEALED, None)
        st.session_state.pop(PREVIEW, None)  # the archive changed: preview the file again
        notice(t("owners.committed", new=done.new, changed=done.changed, unchanged=done.unchanged))
        st.rerun()


def _listing(ctx: AppContext, user: UserView, code: str) -> None:
    st.subheader(t("owners.list"))
    revealed = st.session_state.get(REVEALED)
    reveal_reason: str | None = None
    if revealed and revealed[0] == code:
        rows: list[OwnerView] = revealed[1]
        reveal_reason = revealed[2]
        st.warning(t("owners.revealed"))
        if st.button(t("owners.hide"), key="owners_hide"):
            st.session_state.pop(REVEALED, None)
            st.rerun()
    else:
        rows = owners.list_owners(ctx, code, user.username)
        if REVEAL_ROLES & set(user.roles) and rows:
            reason_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
            reason = reason_col.text_input(t("owners.reveal_reason"), key=REASON)
            if button_col.button(t("owners.reveal"), key="owners_reveal"):
                try:
                    shown = owners.list_owners(ctx, code, user.username, reveal_reason=reason)
                except AnjuError as exc:
                    st.error(str(exc))
                else:
                    st.session_state[REVEALED] = (code, shown, reason)
                    st.rerun()
        st.caption(t("owners.masked"))
    if not rows:
        st.info(t("owners.none"))
    else:
        st.caption(t("owners.count", count=len(rows)))
        st.dataframe(
            [
                {
                    t("owners.location"): o.location,
                    t("owners.name"): o.name,
                    t("owners.phones"): " / ".join(o.phones),
                    t("owners.id_number"): o.id_number,
                    t("owners.address"): o.mailing_address,
                    t("owners.contract"): str(o.contract_date or ""),
                }
                for o in rows
            ],
            hide_index=True,
            width="stretch",
            key="owners_list",
        )
        _export(ctx, user, code, reveal_reason)
    st.subheader(t("owners.missing"))
    missing = owners.owners_missing_data(ctx, code, user.username)
    if not missing:
        st.info(t("owners.missing_none"))
        return
    st.dataframe(
        [
            {
                t("owners.location"): m.location,
                t("owners.name"): m.name,
                t("owners.missing_what"): "、".join(t(f"owners.missing.{w}") for w in m.missing),
            }
            for m in missing
        ],
        hide_index=True,
        width="stretch",
        key="owners_missing",
    )


def _export(ctx: AppContext, user: UserView, code: str, reveal_reason: str | None) -> None:
    """The owners as .xlsx, made (and logged) only when clicked; unmasked only after a reveal
    the service accepted, with the same reason."""
    st.download_button(
        t("owners.export"),
        lambda: owner_exports.export_owners(ctx, code, user.username, reveal_reason).content,
        file_name=f"owners-{code}.xlsx",
        mime=XLSX,
        key="owners_export",
        on_click="ignore",
    )
    if reveal_reason is None:
        st.caption(t("owners.export_masked"))
    else:
        st.caption(t("owners.export_revealed", reason=reveal_reason))


if __name__ == "__main__":  # run by st.navigation as a page script
    from anju.ui.app import run_page

    run_page(render, ROLES)
