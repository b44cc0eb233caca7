"""The joint inspection of a room against the checklist, and booking re-inspections."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from anju.services import handover, inspection
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, PermissionDeniedError
from anju.services.handover import DefectFound
from anju.services.inspection import ItemResult
from tests.conftest import TestClock
from tests.integration.conftest import ROOM, run_cli, today

LEAK = ("卫生间", "闭水试验后楼下顶棚无渗水")
CRACK = ("客厅", "墙面平整，无空鼓、开裂、污染")


def results(clock: TestClock, **found: DefectFound) -> list[ItemResult]:
    """A result for every item of the standard checklist: pass, except the defects given by
    item text, and the lift not applicable."""
    by_item = {LEAK[1]: "leak", CRACK[1]: "crack"}
    out = []
    for item in inspection.checklist().items:
        defect = found.get(by_item.get(item.item, ""))
        result = "defect" if defect else "na" if "电梯" in item.item else "pass"
        out.append(ItemResult(item.space, item.item, result, defect=defect))
    return out


def found(clock: TestClock, days: int = 10, **extra: str) -> DefectFound:
    values = {"part": "顶棚", "category": "渗漏", "description": "闭水后楼下顶棚有水渍"}
    values.update(extra)
    return DefectFound(
        space=values.pop("space", "卫生间"),
        severity=values.pop("severity", "major"),
        due=today(clock) + timedelta(days=days),
        **values,
    )


def test_the_shipped_checklist_is_spaces_times_items() -> None:
    sheet = inspection.checklist()
    assert sheet.name == "standard"
    assert len(sheet.sha256) == 64
    assert {"入户", "客厅", "厨房", "卫生间", "公共部位"} <= {i.space for i in sheet.items}
    assert [i.position for i in sheet.items] == list(range(1, len(sheet.items) + 1))
    assert LEAK in {(i.space, i.item) for i in sheet.items}


def test_a_checklist_file_with_a_repeated_or_empty_item_is_refused() -> None:
    twice = '[[spaces]]\nspace = "厨房"\nitems = ["排水通畅", "排水通畅"]\n'.encode()
    with pytest.raises(InvalidInputError, match="'厨房 / 排水通畅' is listed twice"):
        inspection.parse_checklist("bad.toml", twice)
    with pytest.raises(InvalidInputError, match="space #1 needs a name and items"):
        inspection.parse_checklist("bad.toml", b'[[spaces]]\nspace = "x"\nitems = []\n')
    with pytest.raises(InvalidInputError, match=r"bad\.toml"):
        inspection.parse_checklist("bad.toml", b"[[spaces]\n")


def test_an_inspection_records_every_item_and_each_defect_goes_to_engineering(
    ctx: AppContext, project: str, clock: TestClock
) -> None:
    assert inspection.latest_inspection(ctx, project, ROOM, "kefu") is None
    crack = found(clock, space="客厅", part="墙面", category="开裂", description="窗角斜向裂缝")
    done = inspection.record_inspection(
        ctx, project, ROOM, "kefu", results(clock, leak=found(clock), crack=crack)
    )
    total = len(inspection.checklist().items)
    assert (done.location, done.defects, done.not_applicable) == (ROOM, 2, 1)
    assert done.passed == total - 3

    defects = handover.list_defects(ctx, project, "gongcheng", open_only=True)
    assert sorted((d.space, d.category, d.state) for d in defects) == [
        ("卫生间", "渗漏", "open"),
        ("客厅", "开裂", "open"),
    ]
    shown = inspection.latest_inspection(ctx, project, ROOM, "wuye")
    assert shown is not None
    assert shown.inspection_id == done.inspection_id
    linked = {r.item: r.defect_id for r in shown.results if r.result == "defect"}
    assert set(linked.values()) == {d.defect_id for d in defects}
    assert [r.position for r in shown.results] == list(range(1, total + 1))


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda rs: rs[:-1], "还有 1 项未查验"),
        (lambda rs: [*rs, rs[0]], "填了两次"),
        (lambda rs: [ItemResult("阁楼", "屋面", "pass"), *rs], "清单中没有 '阁楼 / 屋面'"),
        (lambda rs: [ItemResult(rs[0].space, rs[0].item, "ok"), *rs[1:]], "unknown result 'ok'"),
        (lambda rs: [ItemResult(rs[0].space, rs[0].item, "defect"), *rs[1:]], "须填写缺陷"),
    ],
)
def test_an_incomplete_or_wrong_inspection_is_refused(
    ctx: AppContext, project: str, clock: TestClock, spoil: object, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        inspection.record_inspection(ctx, project, ROOM, "kefu", spoil(results(clock)))  # type: ignore[operator]
    assert inspection.latest_inspection(ctx, project, ROOM, "kefu") is None


def test_a_bad_defect_late_in_the_list_leaves_nothing_behind(
    ctx: AppContext, project: str, clock: TestClock
) -> None:
    """The leak (an earlier item) is inserted before the crack's past due date is found."""
    late_crack = found(clock, days=-1, space="客厅", part="墙面", description="裂缝")
    with pytest.raises(InvalidInputError, match="the due date is in the past"):
        inspection.record_inspection(
            ctx, project, ROOM, "kefu", results(clock, leak=found(clock), crack=late_crack)
        )
    assert handover.list_defects(ctx, project, "kefu") == []
    assert inspection.latest_inspection(ctx, project, ROOM, "kefu") is None
    with pytest.raises(PermissionDeniedError, match="only customer_service"):
        inspection.record_inspection(ctx, project, ROOM, "gongcheng", results(clock))


def test_customer_service_books_the_reinspection_with_the_owner(
    ctx: AppContext, project: str, clock: TestClock
) -> None:
    inspection.record_inspection(ctx, project, ROOM, "kefu", results(clock, leak=found(clock)))
    (leak,) = handover.list_defects(ctx, project, "kefu")
    handover.mark_ready(ctx, leak.defect_id, "gongcheng", version=1)
    day = today(clock) + timedelta(days=3)
    booked = inspection.book_reinspection(ctx, leak.defect_id, "kefu", day, "14:00-15:00", True)
    assert (booked.location, booked.with_owner) == (ROOM, True)
    listed = inspection.reinspection_bookings(ctx, project, "gongcheng", day)
    assert [(b.defect_id, b.slot) for b in listed] == [(leak.defect_id, "14:00-15:00")]
    assert inspection.reinspection_bookings(ctx, project, "kefu", day + timedelta(days=1)) == []

    with pytest.raises(InvalidInputError, match="the day is in the past"):
        inspection.book_reinspection(
            ctx, leak.defect_id, "kefu", today(clock) - timedelta(days=1), "09:00", False
        )
    handover.reinspect(ctx, leak.defect_id, "kefu", accept=True, version=2)
    with pytest.raises(InvalidInputError, match="the rectification is closed"):
        inspection.book_reinspection(ctx, leak.defect_id, "kefu", day, "16:00-17:00", False)
    with pytest.raises(PermissionDeniedError):
        inspection.reinspection_bookings(ctx, project, "xiaoshou")


def test_the_inspection_and_booking_commands(
    ctx: AppContext,
    project: str,
    clock: TestClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_cli(ctx, ["unit", "checklist", "--user", "kefu", "--json"]) == 0
    sheet = json.loads(capsys.readouterr().out)
    for entry in sheet:
        entry["result"] = "pass"
    leak = next(e for e in sheet if (e["space"], e["item"]) == LEAK)
    due = (today(clock) + timedelta(days=5)).isoformat()
    leak.update(result="defect", defect={"part": "顶棚", "category": "渗漏", "due": due})
    leak["defect"]["description"] = "楼下顶棚水渍"
    filled = tmp_path / "results.json"
    filled.write_text(json.dumps(sheet, ensure_ascii=False), encoding="utf-8")
    room = ["--project", project, "--room", ROOM, "--user", "kefu"]
    assert run_cli(ctx, ["unit", "inspect", *room, "--results", str(filled)]) == 0
    assert f"{ROOM}" in capsys.readouterr().out
    assert run_cli(ctx, ["unit", "inspection", *room, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    (defect_id,) = [r["defect_id"] for r in shown["results"] if r["result"] == "defect"]

    filled.write_text("[1, 2]", encoding="utf-8")
    assert run_cli(ctx, ["unit", "inspect", *room, "--results", str(filled)]) == 2
    assert "a JSON list of objects is needed" in capsys.readouterr().err

    day = (today(clock) + timedelta(days=2)).isoformat()
    book = ["defect", "book", str(defect_id), "--user", "kefu", "--date", day]
    assert run_cli(ctx, [*book, "--slot", "10:00-11:00", "--with-owner"]) == 0
    assert "业主到场 with owner" in capsys.readouterr().out
    assert run_cli(ctx, ["defect", "bookings", "--project", project, "--user", "kefu"]) == 0
    assert f"{day} 10:00-11:00  defect #{defect_id} {ROOM}" in capsys.readouterr().out
