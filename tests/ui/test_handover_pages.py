"""业主档案 and 交房 pages through AppTest against the real services on a temporary database."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from anju.services import auth, handover, handover_units, owners
from tests.conftest import Driver
from tests.owner_sheets import BAD_CHECKSUM, clean_rows, write_xlsx
from tests.ui.conftest import PASSWORD, page, token_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def env(app_env: Driver) -> Driver:
    for username in ("gongcheng", "xiaoshou"):
        auth.set_password(app_env.ctx, username, PASSWORD)
    return app_env


@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], Any]]:
    """The callables given to `st.download_button(data=...)`, by key: what a click would run
    (AppTest cannot click a deferred download)."""
    found: dict[str, Callable[[], Any]] = {}
    register = MediaFileManager.add_deferred

    def remember(self: MediaFileManager, data: Callable[[], Any], *args: Any, **kw: Any) -> str:
        found[str(kw.get("element_id", "")).rsplit("-", 1)[-1]] = data
        return register(self, data, *args, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", remember)
    return found


def open_page(driver: Driver, path: str, username: str) -> AppTest:
    at = page(path)
    at.session_state["anju_token"] = token_for(driver, username)
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, path: Path) -> AppTest:
    at.file_uploader(key="owners_file").set_value((path.name, path.read_bytes(), XLSX)).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at: AppTest, column: str) -> Any:
    """The first table with `column` (AppTest does not expose a dataframe's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def download_keys(at: AppTest) -> list[str]:
    return [str(b.key) for b in at.get("download_button")]


def sheet_values(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def exports(driver: Driver) -> list[tuple[str, str]]:
    entries = owners.access_log(driver.ctx, driver.code, "kefu")
    return [(e["username"], e["fields"]) for e in entries if e["action"] == "export"]


def messy(tmp_path: Path) -> Path:
    rows = clean_rows()
    rows.append(["3栋", "1单元", "301", "孙涛", "13712345678", BAD_CHECKSUM, "", ""])
    return write_xlsx(tmp_path / "messy.xlsx", rows)


def imported(driver: Driver, tmp_path: Path) -> None:
    at = open_page(driver, "anju/ui/pages/owners.py", "kefu")
    upload(at, write_xlsx(tmp_path / "clean.xlsx", clean_rows()))
    at.button(key="owners_commit").click().run()
    assert not at.exception, at.exception


def test_a_messy_file_shows_its_row_errors_and_cannot_be_committed(
    env: Driver, tmp_path: Path
) -> None:
    at = upload(open_page(env, "anju/ui/pages/owners.py", "xiaoshou"), messy(tmp_path))
    assert metrics(at)["无效"] == "1"
    rejected = table(at, "行号")
    assert list(rejected["行号"]) == [6]
    assert "身份证" in rejected["原因"][0]
    assert at.button(key="owners_commit").disabled
    assert at.get("download_button")  # the template and the error report
    assert [i.value for i in at.info][-2:] == [
        "该项目还没有业主档案。",
        "所有业主都有电话和通讯地址。",
    ]


def test_a_clean_file_commits_and_a_reimport_is_all_unchanged(env: Driver, tmp_path: Path) -> None:
    at = upload(
        open_page(env, "anju/ui/pages/owners.py", "kefu"),
        write_xlsx(tmp_path / "clean.xlsx", clean_rows()),
    )
    assert (metrics(at)["新增"], metrics(at)["无效"]) == ("4", "0")
    at.button(key="owners_commit").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["已导入：新增 4，变更 0，未变 0。"]
    listing = table(at, "身份证号")
    assert len(listing) == 4
    assert "13812345678" not in " ".join(listing["电话"])  # masked
    missing = table(at, "缺少")
    assert set(missing["姓名"]) == {"陈志强", "刘芳"}

    again = upload(open_page(env, "anju/ui/pages/owners.py", "kefu"), tmp_path / "clean.xlsx")
    assert (metrics(again)["新增"], metrics(again)["未变"]) == ("0", "4")
    assert again.button(key="owners_commit").disabled
    # a reveal needs a reason, given to the service, which unmasks
    again.text_input(key="owners_reveal_reason").input("回访核对").run()
    again.button(key="owners_reveal").click().run()
    assert "13812345678" in " ".join(table(again, "身份证号")["电话"])


def test_inspection_defect_ready_accept_and_the_project_pdf(env: Driver, tmp_path: Path) -> None:
    imported(env, tmp_path)
    at = open_page(env, "anju/ui/pages/handover.py", "kefu")
    at.selectbox(key="handover_room").select("1栋1单元101").run()
    at.radio(key="insp0_1栋1单元101_4_result").set_value("defect").run()
    at.text_input(key="insp0_1栋1单元101_4_part").input("东墙").run()
    at.text_input(key="insp0_1栋1单元101_4_category").input("开裂").run()
    at.text_input(key="insp0_1栋1单元101_4_description").input("墙面裂缝 30cm").run()
    at.button(key="handover_save_inspection").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("已保存查验")
    defects = handover.list_defects(env.ctx, "P1", "kefu")
    assert [(d.location, d.part, d.state) for d in defects] == [("1栋1单元101", "东墙", "open")]
    assert list(table(at, "状态")["状态"]) == ["待整改"]

    eng = open_page(env, "anju/ui/pages/handover.py", "gongcheng")
    eng.selectbox(key="handover_room").select("1栋1单元101").run()
    assert "handover_save_inspection" not in [b.key for b in eng.button]  # CS only
    eng.button(key="handover_ready").click().run()
    assert not eng.exception, eng.exception
    assert list(table(eng, "状态")["状态"]) == ["待复验"]

    cs = open_page(env, "anju/ui/pages/handover.py", "kefu")
    cs.selectbox(key="handover_room").select("1栋1单元101").run()
    cs.button(key="handover_accept").click().run()
    assert not cs.exception, cs.exception
    assert handover.list_defects(env.ctx, "P1", "kefu")[0].state == "closed"
    assert list(table(cs, "状态")["状态"]) == ["已关闭"]

    cs.button(key="handover_project_pdf_make").click().run()
    assert not cs.exception, cs.exception
    _, content = cs.session_state["handover_project_pdf"]
    assert content.startswith(b"%PDF")
    assert cs.get("download_button")

    cs.button(key="handover_all_zip_make").click().run()  # every room, with a progress bar
    assert not cs.exception, cs.exception
    _, packed = cs.session_state["handover_all_zip"]
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        names = archive.namelist()
        assert all(archive.read(n).startswith(b"%PDF") for n in names)
    assert sorted(names) == [
        f"P1_{room}.pdf" for room in handover_units.rooms(env.ctx, "P1", "kefu")
    ]
    assert "handover_all_zip_download" in [b.key for b in cs.get("download_button")]

    project = open_page(env, "anju/ui/pages/projects.py", "lingdao")  # the project page too
    project.selectbox(key="projects_pick").select("P1").run()
    project.button(key="handover_project_pdf_make").click().run()
    assert not project.exception, project.exception
    assert project.session_state["handover_project_pdf"][1].startswith(b"%PDF")
    design = open_page(env, "anju/ui/pages/projects.py", "sheji")  # not a defect reader
    design.selectbox(key="projects_pick").select("P1").run()
    assert "handover_project_pdf_make" not in [b.key for b in design.button]


def test_the_defect_list_is_made_and_logged_only_when_the_export_is_clicked(
    env: Driver, tmp_path: Path, deferred: dict[str, Callable[[], Any]]
) -> None:
    imported(env, tmp_path)
    handover.add_defect(
        env.ctx,
        env.code,
        "1栋1单元101",
        "kefu",
        space="卫生间",
        part="墙面",
        category="渗漏",
        description="=1+1 淋浴区返潮",
        severity="major",
        due=date(2026, 12, 31),
    )
    for username in ("kefu", "gongcheng"):
        at = open_page(env, "anju/ui/pages/handover.py", username)
        assert "handover_export_defects" in download_keys(at)
        assert at.get("download_button")[0].label == "导出缺陷清单 (.xlsx)"
    assert exports(env) == []  # showing the button makes nothing

    header, *rows = sheet_values(deferred["handover_export_defects"]())  # the click
    assert header[:2] == ["缺陷编号", "房号"]
    assert [(r[1], r[5], r[6], r[7]) for r in rows] == [
        ("1栋1单元101", "=1+1 淋浴区返潮", "较重", "待整改")
    ]
    assert exports(env) == [("gongcheng", "defects,masked")]


def test_customer_service_books_a_hand_over_appointment_for_the_room(
    env: Driver, tmp_path: Path
) -> None:
    imported(env, tmp_path)
    owner = next(o for o in owners.list_owners(env.ctx, env.code, "kefu") if o.room == "101")
    at = open_page(env, "anju/ui/pages/handover.py", "kefu")
    at.selectbox(key="handover_room").select("1栋1单元101").run()
    assert "本房还没有交房预约。" in [c.value for c in at.caption]
    assert at.selectbox(key="handover_appointment_owner").options == ["不指定", "王**"]
    at.date_input(key="handover_appointment_day").set_value(date(2026, 5, 1))
    at.text_input(key="handover_appointment_slot").input("09:00-10:00")
    at.selectbox(key="handover_appointment_owner").select(owner.owner_id)
    at.button(key="handover_book_appointment").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["已预约 1栋1单元101 交房：2026-05-01 09:00-10:00。"]
    assert "2026-05-01 09:00-10:00 · 王**（kefu 预约）" in [c.value for c in at.caption]
    booked = handover_units.appointments(env.ctx, env.code, "kefu")
    assert [(a.location, a.day, a.slot, a.owner_id) for a in booked] == [
        ("1栋1单元101", date(2026, 5, 1), "09:00-10:00", owner.owner_id)
    ]

    at.text_input(key="handover_appointment_slot").input(" ").run()  # no slot: refused
    at.button(key="handover_book_appointment").click().run()
    assert "预约需要时段" in at.error[0].value
    assert len(handover_units.appointments(env.ctx, env.code, "kefu")) == 1

    eng = open_page(env, "anju/ui/pages/handover.py", "gongcheng")
    eng.selectbox(key="handover_room").select("1栋1单元101").run()
    assert "2026-05-01 09:00-10:00 · 王**（kefu 预约）" in [c.value for c in eng.caption]
    assert "handover_book_appointment" not in [b.key for b in eng.button]  # CS only
    other = open_page(env, "anju/ui/pages/handover.py", "kefu")
    other.selectbox(key="handover_room").select("1栋1单元102").run()
    assert "本房还没有交房预约。" in [c.value for c in other.caption]  # filtered to the room


def test_the_owners_export_is_masked_unless_the_list_was_revealed(
    env: Driver, tmp_path: Path, deferred: dict[str, Callable[[], Any]]
) -> None:
    imported(env, tmp_path)
    at = open_page(env, "anju/ui/pages/owners.py", "kefu")
    assert "owners_export" in download_keys(at)
    assert "导出的文件中电话和身份证号已隐藏；每次导出都会记录。" in [c.value for c in at.caption]
    header, *rows = sheet_values(deferred["owners_export"]())
    phone = header.index("联系电话")
    assert "138****5678" in [r[phone] for r in rows]
    assert exports(env) == [("kefu", "masked")]

    at.text_input(key="owners_reveal_reason").input("交房通知寄送").run()
    at.button(key="owners_reveal").click().run()
    assert not at.exception, at.exception
    assert "导出的文件包含完整电话和身份证号（原因：交房通知寄送）；每次导出都会记录。" in [
        c.value for c in at.caption
    ]
    _, *rows = sheet_values(deferred["owners_export"]())
    assert "13812345678" in [r[phone] for r in rows]
    assert exports(env)[1:] == [("kefu", "phones,id_number")] * 4  # one row per owner
