"""Files on a task, a case and a defect through AppTest: upload, thumbnails, refusals by name."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from streamlit.testing.v1 import AppTest

from anju.services import attachments, auth, cases, owners
from tests.conftest import Driver
from tests.owner_sheets import clean_rows, record_leak, write_xlsx
from tests.ui.conftest import PASSWORD, signed_in
from tests.ui.test_cases_pages import CASES_PAGE, open_page
from tests.ui.test_my_tasks import CASES_TASK, pick


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 140, 60)).save(out, "JPEG")
    return out.getvalue()


def send(at: AppTest, subject: str, key: object, *files: tuple[str, bytes, str]) -> AppTest:
    at.file_uploader(key=f"files_upload_{subject}_{key}").set_value(list(files))
    at.text_input(key=f"files_caption_{subject}_{key}").input("现场照片")
    at.button(key=f"files_send_{subject}_{key}").click().run()
    assert not at.exception, at.exception
    return at


def test_a_photo_on_a_task_shows_as_a_thumbnail_and_a_bad_file_is_named(app_env: Driver) -> None:
    at = signed_in(app_env, "kefu")
    pick(at, CASES_TASK)
    task_id = app_env.task("submit_design_cases").task_id
    assert "**附件与照片（0）**" in [m.value for m in at.markdown]
    send(
        at,
        "task",
        task_id,
        ("IMG_2031.jpg", jpeg(), "image/jpeg"),
        ("说明.pdf", b"MZ\x90 not a pdf", "application/pdf"),
    )
    assert [s.value for s in at.success] == ["已上传 1 个文件。"]
    [refusal] = [e.value for e in at.error]
    assert refusal.startswith("说明.pdf: 不支持的文件类型")
    assert "**附件与照片（1）**" in [m.value for m in at.markdown]
    assert len(at.get("image")) == 1
    [kept] = attachments.list_attachments(app_env.ctx, "task", task_id, "kefu")
    assert (kept.file_name, kept.caption) == ("IMG_2031.jpg", "现场照片")


def test_a_published_cases_photos_are_seen_by_every_reader(app_env: Driver) -> None:
    case = cases.create_case(
        app_env.ctx,
        "kefu",
        title="入户门槛渗水",
        description="暴雨时雨水从入户门槛下渗入客厅。",
        stage="construction",
        category="quality",
        department="engineering",
    )
    at = open_page(app_env, "kefu", CASES_PAGE)
    at.selectbox(key="cases_pick").select(case.id).run()
    send(at, "case", case.id, ("门槛.jpg", jpeg(), "image/jpeg"))
    assert len(at.get("image")) == 1
    cases.publish_case(app_env.ctx, case.id, "kefu")
    reader = open_page(app_env, "sheji", CASES_PAGE)
    reader.selectbox(key="cases_pick").select(case.id).run()
    assert len(reader.get("image")) == 1
    assert not list(reader.get("file_uploader"))  # readers do not attach


def test_engineering_adds_a_photo_of_the_rectified_defect(app_env: Driver, tmp_path: Path) -> None:
    auth.set_password(app_env.ctx, "gongcheng", PASSWORD)
    owners.commit_import(
        app_env.ctx, app_env.code, write_xlsx(tmp_path / "o.xlsx", clean_rows()), "kefu"
    )
    defect_id = record_leak(app_env.ctx, app_env.code, "1栋1单元101")
    at = open_page(app_env, "gongcheng", "anju/ui/pages/handover.py")
    at.selectbox(key="handover_room").select("1栋1单元101").run()
    send(at, "defect", defect_id, ("整改后.png", jpeg(), "image/png"))
    [kept] = attachments.list_attachments(app_env.ctx, "defect", defect_id, "kefu")
    assert (kept.uploaded_by, kept.file_name) == ("gongcheng", "整改后.jpg")  # its true type
    assert len(at.get("image")) == 1
