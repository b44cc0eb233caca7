"""The hand-over reports as downloads, on the hand-over page and the project page.

Owns: a button that renders a report (with a spinner) and then offers its download; the zip of
every room's report with a progress bar. Rendering is `anju.services.handover_reports`.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from anju.services import handover_reports
from anju.services.context import AppContext
from anju.services.errors import AnjuError
from anju.services.users import UserView
from anju.ui.state import t

UNIT_PDF, PROJECT_PDF, ALL_ZIP = "handover_unit_pdf", "handover_project_pdf", "handover_all_zip"
PDF, ZIP = "application/pdf", "application/zip"


def handover_reports_panel(ctx: AppContext, user: UserView, code: str, room: str | None) -> None:
    """The room's report (when a room is chosen), the project's, and every room's as a zip."""
    st.subheader(t("handover.reports"))
    unit, whole, every = st.columns(3)
    if room is not None:
        _pdf(unit, UNIT_PDF, (code, room), "unit", ctx, user)
    _pdf(whole, PROJECT_PDF, (code,), "project", ctx, user)
    _all_rooms(every, ctx, user, code)


def project_report_button(ctx: AppContext, user: UserView, code: str) -> None:
    _pdf(st.container(), PROJECT_PDF, (code,), "project", ctx, user)


def _pdf(
    column: DeltaGenerator,
    key: str,
    what: tuple[str, ...],
    kind: str,
    ctx: AppContext,
    user: UserView,
) -> None:
    if column.button(t(f"handover.make_{kind}_pdf"), key=f"{key}_make"):
        with column, st.spinner(t("handover.making")):
            try:
                if kind == "unit":
                    unit = handover_reports.unit_report(ctx, what[0], what[1], user.username)
                    content = next(iter(handover_reports.render([unit], "pdf")))
                else:
                    whole = handover_reports.project_report(ctx, what[0], user.username)
                    content = next(iter(handover_reports.render([whole], "pdf")))
            except AnjuError as exc:
                st.error(str(exc))
                return
        st.session_state[key] = (what, content)
    _offer(column, key, what, t(f"handover.{kind}_pdf"), f"handover-{'-'.join(what)}.pdf", PDF)


def _all_rooms(column: DeltaGenerator, ctx: AppContext, user: UserView, code: str) -> None:
    """Every room's report as PDFs in one zip, with a progress bar while they render."""
    if column.button(t("handover.make_all_zip"), key=f"{ALL_ZIP}_make"):
        try:
            reports = handover_reports.unit_reports(ctx, code, user.username)
            bar = column.progress(0.0, text=t("handover.making"))

            def progress(done: int, total: int, room: str) -> None:
                bar.progress(
                    done / total, text=t("handover.zip_progress", done=done, total=total, room=room)
                )

            content = handover_reports.units_zip(reports, "pdf", progress)
        except AnjuError as exc:
            column.error(str(exc))
            return
        st.session_state[ALL_ZIP] = ((code,), content)
    _offer(column, ALL_ZIP, (code,), t("handover.all_zip"), f"handover-{code}-rooms.zip", ZIP)


def _offer(
    column: DeltaGenerator, key: str, what: tuple[str, ...], label: str, name: str, mime: str
) -> None:
    made = st.session_state.get(key)
    if made and made[0] == what:
        column.download_button(
            label, made[1], file_name=name, mime=mime, key=f"{key}_download", on_click="ignore"
        )
