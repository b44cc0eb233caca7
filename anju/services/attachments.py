"""Photos and documents attached to a ready task, a case or a hand-over defect.

Owns: accepting a file (its kind judged from its bytes, size and pixel limits, see
`anju.files.kinds`), keeping it in the file store under its SHA-256 with a thumbnail for photos,
the row that ties it to its subject, and who may attach, see and remove files:

| subject | attach | see |
| --- | --- | --- |
| task (ready) | its lane (unless a colleague claimed it), admins | every user |
| case | customer service, admins | as the case (drafts: CS and admins) |
| defect | customer service, engineering, admins | `handover.DEFECT_READERS` |

A file is written to the store before its row, so a crash leaves no row without its file. A
task's files are also written into the project's history (`file_attached`). Removing a file
(its uploader or an admin) hides it and keeps the row. Must not import SQLAlchemy or Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from anju.db import attachment_repository as files_repo
from anju.db import case_repository as cases_repo
from anju.db import handover_repository as handover_repo
from anju.db import repositories as repo
from anju.db.attachment_tables import Attachment
from anju.db.case_tables import Case
from anju.db.unit_of_work import Session
from anju.files import kinds
from anju.services.cases import WRITER_ROLES as CASE_WRITERS
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from anju.services.handover import CUSTOMER_SERVICE, DEFECT_READERS, ENGINEERING
from anju.services.tasks import check_may_act, gone
from anju.services.users import require_user
from casebase.model import Status

__all__ = [
    "SUBJECTS",
    "AttachmentView",
    "attach",
    "content",
    "defect_photos",
    "list_attachments",
    "remove",
    "thumbnail",
]

SUBJECTS = ("task", "case", "defect")
ADMIN = "admin"
DEFECT_WRITERS = frozenset({CUSTOMER_SERVICE, ENGINEERING, ADMIN})
LIMITS = kinds.Limits()


@dataclass(frozen=True)
class AttachmentView:
    attachment_id: int
    subject: str
    subject_key: str
    file_name: str
    media_type: str
    size: int
    image: bool
    caption: str
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class _Subject:
    project_id: int | None
    task: tuple[int, str, str, str] | None = None  # instance id, task id, name, bpmn id


def attach(
    ctx: AppContext,
    subject: str,
    key: str | int,
    username: str,
    file_name: str,
    data: bytes,
    caption: str = "",
    photos_only: bool = False,
) -> AttachmentView:
    """Keep `data` as a file of the subject, or refuse it with the reason (nothing is saved)."""
    key = str(key)
    _check_subject(subject)
    try:
        checked = kinds.check(data, LIMITS, photos_only)
    except kinds.FileRefused as exc:
        raise InvalidInputError(str(exc)) from exc
    with ctx.db.unit_of_work(write=False) as session:  # refuse before writing anything
        _may_attach(session, subject, key, username)
    ctx.files.put(checked.sha256, data)
    if checked.kind.image:
        ctx.files.put_thumbnail(checked.sha256, kinds.thumbnail(data, LIMITS))
    now = ctx.now()
    with ctx.db.unit_of_work() as session:
        owner = _may_attach(session, subject, key, username)  # again: it may have changed
        row = files_repo.add(
            session,
            Attachment(
                subject=subject,
                subject_key=key,
                project_id=owner.project_id,
                sha256=checked.sha256,
                media_type=checked.kind.media_type,
                size=checked.size,
                file_name=_safe_name(file_name, checked.kind),
                caption=caption.strip()[:200],
                width=checked.width,
                height=checked.height,
                uploaded_by=username,
                uploaded_at=now,
            ),
        )
        if owner.task is not None:
            instance_id, task_id, task_name, bpmn_id = owner.task
            repo.add_event(
                session,
                at=now,
                actor=username,
                event="file_attached",
                project_id=owner.project_id,
                instance_id=instance_id,
                task_id=task_id,
                task_name=task_name,
                bpmn_id=bpmn_id,
                comment=row.caption or None,
                data={"attachment": row.id, "file": row.file_name, "type": row.media_type},
            )
        return _view(row)


def list_attachments(
    ctx: AppContext, subject: str, key: str | int, username: str
) -> list[AttachmentView]:
    """The subject's files, oldest first."""
    key = str(key)
    _check_subject(subject)
    with ctx.db.unit_of_work(write=False) as session:
        _may_see(session, subject, key, username)
        return [_view(row) for row in files_repo.of_subject(session, subject, key)]


def content(ctx: AppContext, attachment_id: int, username: str) -> tuple[AttachmentView, bytes]:
    """A file and its bytes, for a user who may see its subject."""
    with ctx.db.unit_of_work(write=False) as session:
        row = _readable(session, attachment_id, username)
        view = _view(row)
    return view, _stored(ctx, row.sha256, attachment_id)


def thumbnail(ctx: AppContext, attachment_id: int, username: str) -> bytes | None:
    """A photo's thumbnail (JPEG, ≤ 320 px), made again if it went missing; None for documents
    and for a photo whose file is gone."""
    with ctx.db.unit_of_work(write=False) as session:
        row = _readable(session, attachment_id, username)
        sha256, image = row.sha256, row.media_type.startswith("image/")
    if not image:
        return None
    return _thumbnail(ctx, sha256)


def remove(ctx: AppContext, attachment_id: int, username: str) -> None:
    """Hide a file from its subject (its uploader or an admin); the row and bytes stay."""
    with ctx.db.unit_of_work() as session:
        row = _readable(session, attachment_id, username)
        _, roles = require_user(session, username)
        if row.uploaded_by != username and ADMIN not in roles:
            raise PermissionDeniedError(
                f"只有上传者 {row.uploaded_by} 或管理员可以删除此文件 (uploader or admin only)"
            )
        if not files_repo.mark_removed(session, attachment_id, username, ctx.now()):
            raise NotFoundError(f"文件 #{attachment_id} 已被删除 (already removed)")


def defect_photos(ctx: AppContext, defect_ids: list[int]) -> dict[int, list[bytes]]:
    """Thumbnails of each defect's photos, oldest first, for the hand-over reports (whose
    service checked the reader)."""
    with ctx.db.unit_of_work(write=False) as session:
        rows = files_repo.of_subjects(session, "defect", [str(i) for i in defect_ids])
        wanted = [(int(r.subject_key), r.sha256) for r in rows if r.media_type.startswith("image/")]
    found: dict[int, list[bytes]] = {}
    for defect_id, sha256 in wanted:
        thumb = _thumbnail(ctx, sha256)
        if thumb is not None:  # a file gone from the store is left out, not a failed report
            found.setdefault(defect_id, []).append(thumb)
    return found


def _stored(ctx: AppContext, sha256: str, attachment_id: int) -> bytes:
    try:
        return ctx.files.get(sha256)
    except FileNotFoundError as exc:
        raise NotFoundError(
            f"文件 #{attachment_id} 已不在文件存储中, 请联系管理员 (missing from the file store)"
        ) from exc


def _thumbnail(ctx: AppContext, sha256: str) -> bytes | None:
    """The kept thumbnail, made again from the original if it went missing; None if both did."""
    kept = ctx.files.get_thumbnail(sha256)
    if kept is None:
        try:
            kept = kinds.thumbnail(ctx.files.get(sha256), LIMITS)
        except FileNotFoundError:
            return None
        ctx.files.put_thumbnail(sha256, kept)
    return kept


# ------------------------------------------------------------------------ access


def _check_subject(subject: str) -> None:
    if subject not in SUBJECTS:
        raise InvalidInputError(f"unknown subject '{subject}' (one of {', '.join(SUBJECTS)})")


def _may_attach(session: Session, subject: str, key: str, username: str) -> _Subject:
    display, roles = require_user(session, username)
    if subject == "task":
        task = repo.task_row(session, key)
        if task is None or task.kind != "user":
            raise gone(session, key)
        if ADMIN not in roles:
            check_may_act(task, username, display, roles)
        return _Subject(task.project_id, (task.instance_id, task.task_id, task.name, task.bpmn_id))
    if subject == "case":
        if not roles & CASE_WRITERS:
            raise PermissionDeniedError(f"{username} 无权为案例添加文件(仅客户服务部和管理员)")
        _case(session, key)
        return _Subject(None)
    if not roles & DEFECT_WRITERS:
        raise PermissionDeniedError(f"{username} 无权为缺陷添加照片(客户服务部、工程部和管理员)")
    return _Subject(_defect_project(session, key))


def _may_see(session: Session, subject: str, key: str, username: str) -> None:
    _, roles = require_user(session, username)
    if subject == "case":
        case = _case(session, key)
        if case.status != Status.PUBLISHED and not roles & CASE_WRITERS:
            raise NotFoundError(f"案例 #{key} 不存在或未发布")
    elif subject == "defect":
        if not roles & DEFECT_READERS:
            raise PermissionDeniedError(f"'{username}' 无权查看交房缺陷")
        _defect_project(session, key)


def _readable(session: Session, attachment_id: int, username: str) -> Attachment:
    row = files_repo.get(session, attachment_id)
    if row is None or row.removed_at is not None:
        raise NotFoundError(f"没有文件 #{attachment_id} (no such file)")
    _may_see(session, row.subject, row.subject_key, username)
    return row


def _case(session: Session, key: str) -> Case:
    row = cases_repo.get_case(session, int(key)) if key.isdigit() else None
    if row is None:
        raise NotFoundError(f"案例 #{key} 不存在")
    return row


def _defect_project(session: Session, key: str) -> int:
    project_id = handover_repo.defect_project(session, int(key)) if key.isdigit() else None
    if project_id is None:
        raise NotFoundError(f"没有缺陷 #{key} (no defect #{key})")
    return project_id


def _safe_name(file_name: str, kind: kinds.Kind) -> str:
    """The uploaded name without folders or control characters, with the true extension."""
    stem = PurePath(file_name.replace("\\", "/")).stem
    stem = "".join(c for c in stem if c.isprintable() and c not in '<>:"/\\|?*').strip(" .")
    return (stem or "file")[:150] + kind.extension


def _view(row: Attachment) -> AttachmentView:
    return AttachmentView(
        attachment_id=row.id,
        subject=row.subject,
        subject_key=row.subject_key,
        file_name=row.file_name,
        media_type=row.media_type,
        size=row.size,
        image=row.media_type.startswith("image/"),
        caption=row.caption,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )
