"""Photos and documents on tasks, cases and defects, on both databases: who may attach and see
them, the bytes kept once under their hash with a thumbnail, refusals that save nothing, the
task's file in the project history, and removal."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from anju.services import attachments, cases, projects, tasks
from anju.services.context import AppContext
from anju.services.errors import (
    AlreadyCompletedError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from tests.conftest import Driver
from tests.integration.conftest import ROOM
from tests.owner_sheets import record_leak


def photo(
    colour: tuple[int, int, int] = (30, 120, 200), size: tuple[int, int] = (900, 600)
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def cs_task(driver: Driver) -> str:
    driver.start_project()
    return next(t.task_id for t in driver.ready().values() if t.role == "customer_service")


def test_a_task_photo_is_kept_with_a_thumbnail_and_shown_in_the_history(
    driver: Driver, ctx: AppContext
) -> None:
    task_id = cs_task(driver)
    data = photo()
    view = attachments.attach(ctx, "task", task_id, "kefu", "C:\\相机\\IMG_0001.JPG", data, "现场")
    assert view.file_name == "IMG_0001.jpg"
    assert view.image
    assert view.size == len(data)
    assert ctx.files.path(hashlib.sha256(data).hexdigest()).read_bytes() == data  # by its hash
    shown, content = attachments.content(ctx, view.attachment_id, "sheji")  # every user sees it
    assert content == data
    assert shown.caption == "现场"
    thumb = attachments.thumbnail(ctx, view.attachment_id, "kefu")
    assert thumb is not None
    assert max(Image.open(io.BytesIO(thumb)).size) == 320
    assert [
        a.attachment_id for a in attachments.list_attachments(ctx, "task", task_id, "lingdao")
    ] == [view.attachment_id]
    event = [e for e in projects.history(ctx, driver.code) if e.event == "file_attached"]
    assert len(event) == 1
    assert event[0].actor == "kefu"
    assert event[0].data["file"] == "IMG_0001.jpg"


def test_the_same_bytes_twice_are_stored_once(driver: Driver, ctx: AppContext) -> None:
    task_id = cs_task(driver)
    data = photo()
    first = attachments.attach(ctx, "task", task_id, "kefu", "a.jpg", data)
    second = attachments.attach(ctx, "task", task_id, "kefu", "b.jpg", data)
    assert first.attachment_id != second.attachment_id
    stored = [p for p in ctx.files.root.rglob("*") if p.is_file() and "thumbs" not in p.parts]
    assert len(stored) == 1


def test_only_the_task_lane_attaches_and_not_to_a_colleagues_claimed_task(
    driver: Driver, ctx: AppContext
) -> None:
    task_id = cs_task(driver)
    with pytest.raises(PermissionDeniedError, match="lane"):
        attachments.attach(ctx, "task", task_id, "sheji", "a.jpg", photo())
    tasks.claim(ctx, task_id, "kefu2")
    with pytest.raises(ConflictError, match="claimed by kefu2"):
        attachments.attach(ctx, "task", task_id, "kefu", "a.jpg", photo())
    assert attachments.list_attachments(ctx, "task", task_id, "kefu") == []


def test_a_completed_task_takes_no_more_files_and_says_who_completed_it(
    driver: Driver, ctx: AppContext
) -> None:
    task_id = cs_task(driver)
    kept = attachments.attach(ctx, "task", task_id, "kefu", "plan.pdf", b"%PDF-1.4\n%%EOF")
    bpmn_id = next(b for b, t in driver.ready().items() if t.task_id == task_id)
    driver.complete(bpmn_id, as_="kefu")
    with pytest.raises(AlreadyCompletedError):
        attachments.attach(ctx, "task", task_id, "kefu", "late.jpg", photo())
    assert [a.file_name for a in attachments.list_attachments(ctx, "task", task_id, "kefu")] == [
        kept.file_name
    ]


def test_a_refused_file_leaves_nothing_behind(driver: Driver, ctx: AppContext) -> None:
    task_id = cs_task(driver)
    with pytest.raises(InvalidInputError, match="不支持的文件类型"):
        attachments.attach(ctx, "task", task_id, "kefu", "virus.jpg", b"MZ\x90\x00binary")
    truncated = photo()[:500]
    with pytest.raises(InvalidInputError, match="损坏"):
        attachments.attach(ctx, "task", task_id, "kefu", "broken.jpg", truncated)
    assert attachments.list_attachments(ctx, "task", task_id, "kefu") == []
    assert not ctx.files.root.exists() or not any(ctx.files.root.rglob("*.jpg"))


def test_case_files_follow_the_case(ctx: AppContext) -> None:
    draft = cases.create_case(
        ctx,
        "kefu",
        title="地下车库顶板渗水",
        description="雨季车库顶板多处滴水, 车主投诉车辆被污染。",
        stage="construction",
        category="quality",
        department="engineering",
        severity="serious",
    ).id
    with pytest.raises(PermissionDeniedError, match="仅客户服务部和管理员"):
        attachments.attach(ctx, "case", draft, "sheji", "a.jpg", photo())
    view = attachments.attach(ctx, "case", draft, "kefu", "顶板.jpg", photo(), photos_only=True)
    with pytest.raises(NotFoundError, match="未发布"):  # a draft: customer service only
        attachments.list_attachments(ctx, "case", draft, "sheji")
    cases.publish_case(ctx, draft, "kefu")
    assert [a.attachment_id for a in attachments.list_attachments(ctx, "case", draft, "sheji")] == [
        view.attachment_id
    ]
    with pytest.raises(InvalidInputError, match="只接受照片"):
        attachments.attach(ctx, "case", draft, "kefu", "a.pdf", b"%PDF-1.4\n", photos_only=True)
    with pytest.raises(NotFoundError):
        attachments.attach(ctx, "case", 999999, "kefu", "a.jpg", photo())


def test_defect_photos_are_for_the_defect_readers(
    driver: Driver, ctx: AppContext, project: str
) -> None:
    defect_id = record_leak(ctx, project, ROOM)
    found = attachments.attach(ctx, "defect", defect_id, "kefu", "返潮.jpg", photo())
    fixed = attachments.attach(
        ctx, "defect", defect_id, "gongcheng", "整改后.png", photo((240, 240, 240))
    )
    with pytest.raises(PermissionDeniedError):
        attachments.attach(ctx, "defect", defect_id, "xiaoshou", "a.jpg", photo())
    with pytest.raises(PermissionDeniedError):
        attachments.list_attachments(ctx, "defect", defect_id, "xiaoshou")
    with pytest.raises(PermissionDeniedError):
        attachments.content(ctx, found.attachment_id, "xiaoshou")
    assert fixed.file_name == "整改后.jpg"  # the true type decides the extension
    listed = attachments.list_attachments(ctx, "defect", defect_id, "wuye")
    assert [a.uploaded_by for a in listed] == ["kefu", "gongcheng"]


def test_only_the_uploader_or_an_admin_removes_a_file(driver: Driver, ctx: AppContext) -> None:
    task_id = cs_task(driver)
    view = attachments.attach(ctx, "task", task_id, "kefu", "a.jpg", photo())
    with pytest.raises(PermissionDeniedError, match="上传者 kefu"):
        attachments.remove(ctx, view.attachment_id, "kefu2")
    attachments.remove(ctx, view.attachment_id, "admin")
    assert attachments.list_attachments(ctx, "task", task_id, "kefu") == []
    with pytest.raises(NotFoundError):
        attachments.content(ctx, view.attachment_id, "kefu")


def test_a_file_gone_from_the_store_is_reported_not_a_crash(
    driver: Driver, ctx: AppContext, project: str
) -> None:
    defect_id = record_leak(ctx, project, ROOM)
    data = photo()
    view = attachments.attach(ctx, "defect", defect_id, "kefu", "返潮.jpg", data)
    digest = hashlib.sha256(data).hexdigest()
    ctx.files.path(digest).unlink()
    ctx.files.thumbnail_path(digest).unlink()
    with pytest.raises(NotFoundError, match="missing from the file store"):
        attachments.content(ctx, view.attachment_id, "kefu")
    assert attachments.thumbnail(ctx, view.attachment_id, "kefu") is None
    assert attachments.defect_photos(ctx, [defect_id]) == {}  # the report goes on without it
