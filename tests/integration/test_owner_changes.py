"""Owner change requests (客户信息变更): applied only after identity verification, every
change in the owner's history and the access log, and the lock after repeated failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anju import cli
from anju.services import owner_changes, owners
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, PermissionDeniedError
from tests.conftest import Driver, TestClock
from tests.owner_sheets import ID_A, ID_B, clean_rows, write_xlsx


@pytest.fixture
def project(driver: Driver, ctx: AppContext, tmp_path: Path) -> str:
    driver.start_project()
    owners.commit_import(ctx, driver.code, write_xlsx(tmp_path / "o.xlsx", clean_rows()), "kefu")
    return driver.code


def owner_id(ctx: AppContext, project: str, id_number: str) -> int:
    found = owners.list_owners(ctx, project, "kefu", reveal_reason="测试查找")
    return next(o.owner_id for o in found if o.id_number == id_number)


def archived(ctx: AppContext, project: str, id_number: str) -> owners.OwnerView:
    found = owners.list_owners(ctx, project, "kefu", reveal_reason="测试核对")
    return next(o for o in found if o.id_number == id_number)


def test_a_change_is_applied_only_after_identity_verification(
    ctx: AppContext, project: str
) -> None:
    owner = owner_id(ctx, project, ID_A)
    request = owner_changes.request_change(
        ctx,
        project,
        owner,
        "kefu",
        {"phones": "139 1111 2222/0532-88886666", "mailing_address": "青岛市崂山区松岭路 1 号"},
        "业主更换手机号并变更通讯地址",
    )
    assert request.status == "pending"
    assert request.changes["phones"] == ["139****2222", "053******6666"]  # shown masked
    assert archived(ctx, project, ID_A).phones == ("13812345678",)  # nothing applied yet

    with pytest.raises(owner_changes.IdentityMismatchError) as failed:
        owner_changes.verify_and_apply(ctx, request.request_id, "kefu2", ID_A, "13812345678", "102")
    assert failed.value.mismatched == ("room",)
    assert archived(ctx, project, ID_A).phones == ("13812345678",)

    done = owner_changes.verify_and_apply(
        ctx, request.request_id, "kefu2", ID_A.lower(), "138-1234-5678", "1栋 1单元 101室"
    )
    assert done.status == "applied"
    assert done.decided_by == "kefu2"
    now = archived(ctx, project, ID_A)
    assert now.phones == ("13911112222", "0532-88886666")
    assert now.mailing_address == "青岛市崂山区松岭路 1 号"

    history = owner_changes.owner_history(ctx, project, owner, "kefu")
    assert [h.source for h in history] == [f"change request #{request.request_id}"]
    assert history[0].before == {
        "phones": ["138****5678"],
        "mailing_address": "青岛市市南区香港中路 8 号",
    }
    assert history[0].after["phones"] == ["139****2222", "053******6666"]
    log = [e for e in owners.access_log(ctx, project, "kefu") if e["action"] == "change"]
    assert [(e["username"], e["owner_id"], e["fields"]) for e in log] == [
        ("kefu2", owner, "phones,mailing_address")
    ]

    with pytest.raises(InvalidInputError, match="already applied"):
        owner_changes.verify_and_apply(ctx, request.request_id, "kefu", ID_A, "13911112222", "101")


def test_bad_forms_and_roles_are_refused(ctx: AppContext, project: str) -> None:
    owner = owner_id(ctx, project, ID_A)
    with pytest.raises(InvalidInputError, match="cannot be changed here"):
        owner_changes.request_change(ctx, project, owner, "kefu", {"id_number": ID_B}, "改证件")
    with pytest.raises(InvalidInputError, match="not an 11-digit mobile"):
        owner_changes.request_change(ctx, project, owner, "kefu", {"phones": "1381234567"}, "换号")
    with pytest.raises(InvalidInputError, match="needs a reason"):
        owner_changes.request_change(ctx, project, owner, "kefu", {"tier": "VIP"}, " ")
    with pytest.raises(PermissionDeniedError, match="only customer_service and admin"):
        owner_changes.request_change(ctx, project, owner, "xiaoshou", {"tier": "VIP"}, "升级")
    request = owner_changes.request_change(
        ctx, project, owner, "kefu", {"contract_date": "2025年4月2日"}, "合同日期录入错误"
    )
    assert request.changes == {"contract_date": "2025-04-02"}
    rejected = owner_changes.reject_change(ctx, request.request_id, "kefu", "业主撤回申请")
    assert rejected.status == "rejected"
    assert [r.status for r in owner_changes.change_requests(ctx, project, "kefu")] == ["rejected"]


def test_five_failures_in_30_minutes_lock_the_record_and_alert_cs_management(
    ctx: AppContext, project: str, clock: TestClock
) -> None:
    owner = owner_id(ctx, project, ID_B)
    request = owner_changes.request_change(
        ctx, project, owner, "kefu", {"name": "李淑芬（更正）"}, "姓名更正"
    ).request_id
    verify = owner_changes.verify_and_apply

    for attempt in range(4):
        clock.advance(minutes=5)
        with pytest.raises(owner_changes.IdentityMismatchError, match="more failures lock") as err:
            verify(ctx, request, "kefu", ID_A, "0532-88886666", "102")
        assert err.value.mismatched == ("id_number",)
        assert err.value.locked_until is None, attempt
    assert owner_changes.owner_alerts(ctx, project, "kefu") == []

    clock.advance(minutes=5)  # the fifth failure, 25 minutes after the first
    with pytest.raises(owner_changes.IdentityMismatchError, match="record locked until") as err:
        verify(ctx, request, "kefu2", ID_B, "13800000000", "102")
    locked_until = err.value.locked_until
    assert locked_until == clock.moment + owner_changes.LOCK_DURATION
    (alert,) = owner_changes.owner_alerts(ctx, project, "kefu")
    assert alert.kind == "identity_lock"
    assert alert.owner_id == owner
    assert "1栋 1单元 102 李淑芬" in alert.message
    assert alert.for_role == "customer_service"

    clock.advance(minutes=29)  # still locked: even the right answers are refused
    with pytest.raises(owner_changes.OwnerLockedError, match="locked"):
        verify(ctx, request, "kefu", ID_B, "0532-88886666", "102")
    assert archived(ctx, project, ID_B).name == "李淑芬"

    clock.advance(minutes=2)
    assert verify(ctx, request, "kefu", ID_B, "053288886666", "102").status == "applied"
    assert archived(ctx, project, ID_B).name == "李淑芬(更正)"  # NFKC, as an import


def test_failures_spread_over_more_than_30_minutes_do_not_lock(
    ctx: AppContext, project: str, clock: TestClock
) -> None:
    owner = owner_id(ctx, project, ID_B)
    request = owner_changes.request_change(
        ctx, project, owner, "kefu", {"tier": "VIP"}, "升级 VIP"
    ).request_id
    for _ in range(6):
        clock.advance(minutes=8)
        with pytest.raises(owner_changes.IdentityMismatchError) as err:
            owner_changes.verify_and_apply(ctx, request, "kefu", ID_B, "13800000000", "102")
        assert err.value.locked_until is None
    assert owner_changes.owner_alerts(ctx, project, "kefu") == []


def test_cli_owner_change(
    ctx: AppContext, project: str, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = owner_id(ctx, project, ID_A)
    capsys.readouterr()
    base = ["owner-change"]
    data = json.dumps({"tier": "VIP"})
    argv = [*base, "request", "--project", project, "--owner", str(owner), "--user", "kefu"]
    assert cli.main([*argv, "--data", data, "--reason", "老业主推荐", "--json"], ctx=ctx) == 0
    request = json.loads(capsys.readouterr().out)["request_id"]
    verify = [*base, "verify", str(request), "--user", "kefu", "--id-number", ID_A]
    assert cli.main([*verify, "--phone", "13812345678", "--room", "201"], ctx=ctx) == 2
    assert "identity check failed: room" in capsys.readouterr().err
    assert cli.main([*verify, "--phone", "13812345678", "--room", "101"], ctx=ctx) == 0
    assert "applied" in capsys.readouterr().out
    assert cli.main([*base, "list", "--project", project, "--user", "kefu"], ctx=ctx) == 0
    assert f"#{request} applied" in capsys.readouterr().out
    history = [*base, "history", str(owner), "--project", project, "--user", "kefu", "--json"]
    assert cli.main(history, ctx=ctx) == 0
    assert json.loads(capsys.readouterr().out)[0]["after"] == {"tier": "VIP"}
    assert cli.main([*base, "alerts", "--project", project, "--user", "kefu"], ctx=ctx) == 0
