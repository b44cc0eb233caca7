"""The hand-over (交房) of SPEC §2.4 on both databases: defects rectified by engineering and
closed only through CS re-inspection, the refusals (wrong role, illegal step, stale version),
overdue rectifications by due date, unit outcomes, and the `anju defect …` commands."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from anju.services import handover, handover_units, owners, users
from anju.services.context import AppContext
from anju.services.errors import AnjuError, ConflictError, InvalidInputError, PermissionDeniedError
from tests.conftest import TestClock
from tests.integration.conftest import ROOM, run_cli, today
from tests.owner_sheets import ID_A


def defect(
    ctx: AppContext, project: str, clock: TestClock, days: int = 7, **extra: str
) -> handover.DefectView:
    values = {
        "space": "卫生间",
        "part": "墙面",
        "category": "渗漏",
        "description": "淋浴区墙面返潮",
        "severity": "major",
    }
    values.update(extra)
    room = values.pop("room", ROOM)
    return handover.add_defect(
        ctx, project, room, "kefu", due=today(clock) + timedelta(days=days), **values
    )


def owner_of(ctx: AppContext, project: str, id_number: str) -> int:
    found = owners.list_owners(ctx, project, "kefu", reveal_reason="交房核对业主")
    return next(o.owner_id for o in found if o.id_number == id_number)


def test_a_unit_is_handed_over_after_two_defects_are_rectified(
    ctx: AppContext, project: str, clock: TestClock
) -> None:
    owner = owner_of(ctx, project, ID_A)
    booked = handover_units.book_appointment(
        ctx, project, ROOM, "kefu", today(clock) + timedelta(days=2), "09:00-10:00", owner
    )
    assert booked.location == ROOM
    assert [a.slot for a in handover_units.appointments(ctx, project, "kefu")] == ["09:00-10:00"]

    leak = defect(ctx, project, clock)
    hollow = defect(
        ctx, project, clock, space="客厅", part="地面", category="空鼓", description="地砖空鼓"
    )
    assert (leak.state, leak.version, leak.location) == ("open", 1, ROOM)

    clock.advance(days=3)
    assert handover.mark_ready(ctx, leak.defect_id, "gongcheng", version=1).state == (
        "ready_for_review"
    )
    ready = handover.mark_ready(ctx, hollow.defect_id, "gongcheng", note="已重新铺贴")
    assert (ready.state, ready.version) == ("ready_for_review", 2)

    clock.advance(days=1)
    closed = handover.reinspect(ctx, leak.defect_id, "kefu", accept=True, version=2)
    assert (closed.state, closed.version, closed.updated_by) == ("closed", 3, "kefu")
    back = handover.reinspect(
        ctx, hollow.defect_id, "kefu2", accept=False, reason="仍有两块地砖空鼓", version=2
    )
    assert (back.state, back.version) == ("open", 3)
    assert [d.defect_id for d in handover.list_defects(ctx, project, "kefu", open_only=True)] == [
        hollow.defect_id
    ]

    clock.advance(days=1)
    handover.mark_ready(ctx, hollow.defect_id, "gongcheng", version=3)
    handover.reinspect(ctx, hollow.defect_id, "kefu", accept=True, version=4)
    assert handover.list_defects(ctx, project, "kefu", open_only=True) == []
    assert {d.state for d in handover.list_defects(ctx, project, "kefu")} == {"closed"}

    history = handover.defect_history(ctx, hollow.defect_id, "wuye")
    assert [(h.action, h.from_state, h.to_state, h.username) for h in history] == [
        ("assigned", "", "open", "kefu"),
        ("ready", "open", "ready_for_review", "gongcheng"),
        ("not_accepted", "ready_for_review", "open", "kefu2"),
        ("ready", "open", "ready_for_review", "gongcheng"),
        ("accepted", "ready_for_review", "closed", "kefu"),
    ]
    assert history[1].reason == "已重新铺贴"
    assert history[2].reason == "仍有两块地砖空鼓"
    with pytest.raises(PermissionDeniedError, match="无权查看交房缺陷"):
        handover.defect_history(ctx, hollow.defect_id, "xiaoshou")  # sales may not read defects
    assert history[2].at == history[1].at + timedelta(days=1)

    done = handover_units.hand_over(ctx, project, ROOM, "kefu", owner_id=owner)
    assert (done.outcome, done.keys_handed, done.open_defects) == ("handed_over", True, 0)
    with pytest.raises(ConflictError, match="already handed over"):
        handover_units.hand_over(ctx, project, ROOM, "kefu2")


def test_a_refused_unit_keeps_the_reason_and_can_be_handed_over_later(
    ctx: AppContext, project: str, clock: TestClock
) -> None:
    defect(ctx, project, clock, room="1栋1单元102", category="开裂", description="阳台墙面开裂")
    with pytest.raises(InvalidInputError, match="reason"):
        handover_units.refuse(ctx, project, "102", "kefu", "  ")
    refused = handover_units.refuse(ctx, project, "102", "kefu", "阳台开裂未修复，拒绝收房")
    assert (refused.outcome, refused.keys_handed, refused.open_defects) == ("refused", False, 1)
    clock.advance(days=10)
    later = handover_units.hand_over(ctx, project, "1栋1单元102", "kefu", keys_handed=False)
    assert (later.outcome, later.keys_handed) == ("handed_over", False)
    assert [(o.outcome, o.reason) for o in handover_units.outcomes(ctx, project, "xiaoshou")] == [
        ("refused", "阳台开裂未修复，拒绝收房"),
        ("handed_over", ""),
    ]


def test_wrong_roles_illegal_steps_and_stale_versions_are_refused(
    ctx: AppContext, project: str, clock: TestClock
) -> None:
    users.add_user(ctx, "gongcheng2", "工程二", ["engineering"])
    with pytest.raises(PermissionDeniedError, match="only customer_service"):
        handover.add_defect(
            ctx,
            project,
            ROOM,
            "gongcheng",
            space="卧室",
            part="门窗",
            category="渗漏",
            description="窗框渗水",
            severity="minor",
            due=today(clock),
        )
    row = defect(ctx, project, clock)
    with pytest.raises(PermissionDeniedError, match="only engineering"):
        handover.mark_ready(ctx, row.defect_id, "kefu")
    with pytest.raises(handover.IllegalTransitionError, match="only from state ready_for_review"):
        handover.reinspect(ctx, row.defect_id, "kefu", accept=True)

    # two engineers saw version 1; the first wins, the second is told who moved it first
    handover.mark_ready(ctx, row.defect_id, "gongcheng", version=1)
    with pytest.raises(handover.StaleVersionError, match="gongcheng") as stale:
        handover.mark_ready(ctx, row.defect_id, "gongcheng2", version=1)
    assert (stale.value.by, stale.value.version) == ("gongcheng", 2)
    with pytest.raises(handover.IllegalTransitionError, match="ready_for_review"):
        handover.mark_ready(ctx, row.defect_id, "gongcheng2")  # no version: the step is checked

    with pytest.raises(PermissionDeniedError, match="only customer_service"):
        handover.reinspect(ctx, row.defect_id, "gongcheng", accept=True)
    with pytest.raises(InvalidInputError, match="needs a reason"):
        handover.reinspect(ctx, row.defect_id, "kefu", accept=False, reason=" ")
    # two CS staff re-inspect version 2 at once: one accepts, the other's rejection is refused
    handover.reinspect(ctx, row.defect_id, "kefu", accept=True, version=2)
    with pytest.raises(handover.StaleVersionError, match="kefu"):
        handover.reinspect(ctx, row.defect_id, "kefu2", accept=False, reason="不合格", version=2)
    with pytest.raises(handover.IllegalTransitionError, match="closed"):
        handover.reinspect(ctx, row.defect_id, "kefu2", accept=False, reason="不合格")
    assert [h.action for h in handover.defect_history(ctx, row.defect_id, "kefu")] == [
        "assigned",
        "ready",
        "accepted",
    ]

    with pytest.raises(InvalidInputError, match="severity"):
        defect(ctx, project, clock, severity="很严重")
    with pytest.raises(InvalidInputError, match="past"):
        defect(ctx, project, clock, days=-1)
    with pytest.raises(AnjuError, match="no such room"):
        defect(ctx, project, clock, room="9栋1单元101")
    with pytest.raises(PermissionDeniedError):
        handover_units.hand_over(ctx, project, ROOM, "xiaoshou")
    with pytest.raises(InvalidInputError, match="not an owner"):
        handover_units.book_appointment(
            ctx, project, "102", "kefu", today(clock), "10:00-11:00", owner_of(ctx, project, ID_A)
        )


def test_overdue_rectifications_are_listed_by_due_date(
    ctx: AppContext, project: str, clock: TestClock
) -> None:
    late = defect(ctx, project, clock, days=5, description="五天")
    later = defect(ctx, project, clock, days=3, description="三天")
    defect(ctx, project, clock, days=30, description="三十天")
    closed = defect(ctx, project, clock, days=1, description="一天")
    handover.mark_ready(ctx, closed.defect_id, "gongcheng")
    handover.reinspect(ctx, closed.defect_id, "kefu", accept=True)

    assert handover.overdue_rectifications(ctx, project, "kefu") == []
    clock.advance(days=3)  # due today is not overdue yet
    assert handover.overdue_rectifications(ctx, project, "kefu") == []
    clock.advance(days=3)
    overdue = handover.overdue_rectifications(ctx, project, "kefu")
    assert [d.description for d in overdue] == ["三天", "五天"]
    assert all(d.overdue for d in overdue)
    assert [d.defect_id for d in overdue] == [later.defect_id, late.defect_id]
    handover.mark_ready(ctx, late.defect_id, "gongcheng")  # ready but not yet accepted: still due
    assert len(handover.overdue_rectifications(ctx, project, "kefu")) == 2


def test_the_defect_commands(
    ctx: AppContext, project: str, clock: TestClock, capsys: pytest.CaptureFixture[str]
) -> None:
    due = (today(clock) + timedelta(days=2)).isoformat()
    add = ["defect", "add", "--project", project, "--room", ROOM, "--user", "kefu"]
    add += ["--space", "厨房", "--part", "墙面", "--category", "开裂", "--description", "瓷砖开裂"]
    assert run_cli(ctx, [*add, "--due", due, "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    ident = str(made["defect_id"])
    assert (made["state"], made["location"]) == ("open", ROOM)

    assert run_cli(ctx, ["defect", "ready", ident, "--user", "kefu"]) == 2
    assert "only engineering" in capsys.readouterr().err
    assert run_cli(ctx, ["defect", "ready", ident, "--user", "gongcheng", "--version", "1"]) == 0
    assert "ready_for_review v2" in capsys.readouterr().out
    reinspect = ["defect", "reinspect", ident, "--user", "kefu"]
    assert run_cli(ctx, [*reinspect, "--reject"]) == 2
    assert "--reason" in capsys.readouterr().err
    assert run_cli(ctx, [*reinspect, "--reject", "--reason", "裂缝仍在", "--version", "1"]) == 2
    assert "changed by gongcheng first" in capsys.readouterr().err
    assert run_cli(ctx, [*reinspect, "--reject", "--reason", "裂缝仍在"]) == 0
    assert f"#{ident} open v3" in capsys.readouterr().out

    clock.advance(days=3)
    listing = ["defects", "--project", project, "--user", "kefu"]
    assert run_cli(ctx, [*listing, "--open", "--json"]) == 0
    assert [d["overdue"] for d in json.loads(capsys.readouterr().out)] == [True]
    assert run_cli(ctx, [*listing, "--overdue"]) == 0
    assert "OVERDUE" in capsys.readouterr().out
    assert run_cli(ctx, ["defect", "history", ident, "--user", "kefu"]) == 0
    assert "裂缝仍在" in capsys.readouterr().out

    unit = ["unit", "refuse", "--project", project, "--room", "201", "--user", "kefu"]
    assert run_cli(ctx, [*unit, "--reason", "面积误差超过3%"]) == 0
    assert "refused" in capsys.readouterr().out
    handed = ["unit", "handover", "--project", project, "--room", ROOM, "--user", "kefu"]
    assert run_cli(ctx, [*handed, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["open_defects"] == 1
