"""The files of a task, a case or a defect, drawn on its page.

Owns: thumbnails of the photos (each with its original to download), the documents to
download (read only when clicked), removal by the uploader, and the upload box for users who
may attach. What may be attached and by whom is decided by `anju.services.attachments`; a
refused file is named with the reason (at the top of the page, like every notice) and the
others are still kept.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from anju.roles import ADMIN
from anju.services import attachments
from anju.services.attachments import LIMITS, AttachmentView
from anju.services.context import AppContext
from anju.services.errors import AnjuError
from anju.services.users import UserView
from anju.ui.state import failure, notice, t, when

MIB = 1024 * 1024
PHOTO_TYPES = ["jpg", "jpeg", "png", "webp"]
DOCUMENT_TYPES = ["pdf", "docx", "xlsx"]
COLUMNS = 4


def files_panel(
    ctx: AppContext,
    user: UserView,
    subject: str,
    key: str | int,
    *,
    can_attach: bool,
    photos_only: bool = False,
) -> None:
    try:
        files = attachments.list_attachments(ctx, subject, key, user.username)
    except AnjuError as exc:
        st.caption(str(exc))
        return
    st.markdown(f"**{t('files.title', count=len(files))}**")
    if not files:
        st.caption(t("files.none"))
    photos = [f for f in files if f.image]
    if photos:
        columns = st.columns(COLUMNS)
        for i, photo in enumerate(photos):
            with columns[i % COLUMNS]:
                thumb = attachments.thumbnail(ctx, photo.attachment_id, user.username)
                if thumb is not None:
                    st.image(thumb, caption=photo.caption or photo.file_name)
                _file_actions(ctx, user, photo, t("files.download"))
    for document in (f for f in files if not f.image):
        _file_actions(ctx, user, document, document.file_name)
    if can_attach:
        _upload(ctx, user, subject, str(key), photos_only)


def _file_actions(ctx: AppContext, user: UserView, file: AttachmentView, label: str) -> None:
    st.download_button(
        label,
        data=partial(_content, ctx, file.attachment_id, user.username),  # read when clicked
        file_name=file.file_name,
        mime=file.media_type,
        key=f"file_download_{file.attachment_id}",
        on_click="ignore",
        help=file.caption or None,
    )
    size = f"{file.size / MIB:.1f} MB" if file.size >= MIB // 10 else f"{file.size // 1024 + 1} KB"
    st.caption(t("files.by", by=file.uploaded_by, at=when(file.uploaded_at), size=size))
    if file.uploaded_by == user.username or ADMIN in user.roles:
        st.button(
            t("files.remove"),
            key=f"file_remove_{file.attachment_id}",
            on_click=_remove,
            args=(ctx, user, file),
        )


def _content(ctx: AppContext, attachment_id: int, username: str) -> bytes:
    return attachments.content(ctx, attachment_id, username)[1]


def _remove(ctx: AppContext, user: UserView, file: AttachmentView) -> None:
    try:
        attachments.remove(ctx, file.attachment_id, user.username)
    except AnjuError as exc:
        failure(str(exc))
        return
    notice(t("files.removed", name=file.file_name))


def _upload(ctx: AppContext, user: UserView, subject: str, key: str, photos_only: bool) -> None:
    limits = {"photo": LIMITS.photo_bytes // MIB, "document": LIMITS.document_bytes // MIB}
    with st.form(f"files_{subject}_{key}", clear_on_submit=True):
        chosen = st.file_uploader(
            t("files.add_photos" if photos_only else "files.add"),
            type=PHOTO_TYPES if photos_only else PHOTO_TYPES + DOCUMENT_TYPES,
            accept_multiple_files=True,
            key=f"files_upload_{subject}_{key}",
            help=t("files.accepted_photos" if photos_only else "files.accepted", **limits),
        )
        caption = st.text_input(t("files.caption"), key=f"files_caption_{subject}_{key}")
        sent = st.form_submit_button(t("files.upload"), key=f"files_send_{subject}_{key}")
    if not sent or not chosen:
        return
    kept, refused = 0, []
    with st.spinner(t("files.upload")):
        for upload in chosen:
            try:
                attachments.attach(
                    ctx, subject, key, user.username, upload.name, upload.getvalue(), caption,
                    photos_only=photos_only,
                )  # fmt: skip
                kept += 1
            except AnjuError as exc:
                refused.append(f"{upload.name}: {exc}")
    if refused:  # shown after the rerun, at the top of the page, with the files kept meanwhile
        failure("  \n".join(refused))
    if kept:
        notice(t("files.uploaded", count=kept))
    st.rerun()
