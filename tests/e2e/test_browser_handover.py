"""Owners import and the hand-over of a room in Chromium, against `streamlit run app.py`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.conftest import Driver
from tests.e2e.conftest import ARTIFACTS, Server, settle, shoot, sign_in, sign_out
from tests.owner_sheets import BAD_CHECKSUM, clean_rows, write_xlsx

DEFECTS = ("#1 客厅 · 东墙", "#2 客厅 · 客厅地面")


def photo(path: Path) -> Path:
    Image.new("RGB", (1600, 1200), (170, 160, 150)).save(path, "JPEG")
    return path


def open_page(page: Page, title: str) -> None:
    page.get_by_role("link", name=title).click()
    settle(page)


def upload(page: Page, path: Path) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    settle(page)


def pick_room(page: Page) -> None:
    page.get_by_text("房间", exact=True).first.wait_for()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="房间").click()
    page.get_by_role("option", name="1栋1单元101").click()
    settle(page)


def pick_defect(page: Page, name: str) -> None:
    box = page.get_by_role("combobox", name="选择缺陷")
    box.click()
    box.fill(name)
    box.press("Enter")
    settle(page)
    expect(box).to_have_value(name)


def download_pdf(page: Page, make: str, take: str, name: str) -> Path:
    page.get_by_role("button", name=make).click()
    settle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name=take).click()
    target = ARTIFACTS / f"{name}.pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    info.value.save_as(str(target))
    assert target.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(target), str(ARTIFACTS / name)],
        check=True,
    )
    return target


def test_import_inspect_rectify_hand_over_and_reports(
    portfolio: Driver, server: Server, browser: Browser, tmp_path: Path
) -> None:
    rows = clean_rows()
    messy = write_xlsx(
        tmp_path / "messy.xlsx",
        [*rows, ["3栋", "1单元", "301", "孙涛", "13712345678", BAD_CHECKSUM, "", ""]],
    )
    clean = write_xlsx(tmp_path / "clean.xlsx", rows)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in(page, server, "kefu")
    open_page(page, "业主档案")
    with page.expect_download() as template:
        page.get_by_role("button", name="下载导入模板").click()
    saved = tmp_path / template.value.suggested_filename
    template.value.save_as(str(saved))
    sheet = load_workbook(saved).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:5] == ["分期", "楼栋", "单元", "楼层", "房号"]
    upload(page, messy)
    expect(page.get_by_text("文件中有无效行，修正后才能导入。")).to_be_visible()
    expect(page.get_by_role("button", name="确认导入")).to_be_disabled()
    shoot(page, "e1_owners_errors")
    upload(page, clean)
    page.get_by_role("button", name="确认导入").click()
    settle(page)
    expect(page.get_by_text("已导入：新增 4，变更 0，未变 0。")).to_be_visible()
    shoot(page, "e1_owners_committed")
    upload(page, clean)
    expect(page.get_by_text("文件与档案一致，没有需要导入的内容。")).to_be_visible()
    expect(page.get_by_text("共 4 位业主")).to_be_visible()

    open_page(page, "交房")
    pick_room(page)
    for n in (3, 4):  # 客厅: walls, floor
        page.locator('[data-testid="stRadio"]').nth(n).get_by_text("缺陷").click()
        settle(page)
    for i, (part, what) in enumerate([("东墙", "墙面裂缝"), ("客厅地面", "地面空鼓")]):
        page.get_by_label("部位").nth(i).fill(part)
        page.get_by_label("类别").nth(i).fill("土建")
        page.get_by_label("问题描述").nth(i).fill(what)
        page.get_by_label("问题描述").nth(i).press("Enter")
        settle(page)
    page.get_by_role("button", name="保存查验结果").click()
    settle(page)
    expect(page.get_by_text("已保存查验：合格 22，缺陷 2，不适用 0。")).to_be_visible()
    expect(page.get_by_role("radio", name="缺陷", checked=True)).to_have_count(0)  # fresh form
    shoot(page, "e1_inspection_saved")
    sign_out(page)

    sign_in(page, server, "gongcheng")
    open_page(page, "交房")
    pick_room(page)
    for defect in DEFECTS:
        pick_defect(page, defect)
        page.get_by_role("button", name="整改完成，提交复验").click()
        settle(page)
        expect(page.get_by_text("已提交复验。")).to_be_visible()
    upload(page, photo(tmp_path / "整改后.jpg"))  # a photo of the rectified floor
    page.get_by_role("button", name="上传", exact=True).click()
    settle(page)
    expect(page.get_by_text("已上传 1 个文件。")).to_be_visible()
    thumbnail = page.locator('[data-testid="stImage"] img').first
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.naturalWidth") == 320  # the thumbnail, not the photo
    shoot(page, "e1_engineering_ready")
    sign_out(page)

    sign_in(page, server, "kefu")
    open_page(page, "交房")
    pick_room(page)
    for defect in DEFECTS:
        pick_defect(page, defect)
        page.get_by_role("button", name="复验通过").click()
        settle(page)
        expect(page.get_by_text("复验通过，已关闭。")).to_be_visible()
    page.get_by_role("button", name="确认交房").click()
    settle(page)
    expect(page.get_by_text("1栋1单元101 已交房。")).to_be_visible()
    expect(page.get_by_role("button", name="确认交房")).to_have_count(0)  # handed over: final
    shoot(page, "e1_handed_over")
    unit_pdf = download_pdf(page, "生成本房报告 PDF", "下载本房报告 PDF", "e1_unit_report")
    images = subprocess.run(
        ["pdfimages", "-list", str(unit_pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(images) == 1  # the rectification photo, in the defect's row
    download_pdf(page, "生成项目报告 PDF", "下载项目报告 PDF", "e1_project_report")
    shoot(page, "e1_reports")
