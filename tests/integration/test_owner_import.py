"""Owner import end to end: preview, all-or-nothing commit, idempotent re-import, masking,
the access log, permissions, the CLI, and a `kill -9` in the middle of a commit."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from anju import cli
from anju.config import REPO_ROOT
from anju.services import owners
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError, PermissionDeniedError
from tests.conftest import Driver
from tests.owner_sheets import BAD_CHECKSUM, ID_A, ID_B, ID_E, clean_rows, write_xlsx


@pytest.fixture
def project(driver: Driver) -> str:
    driver.start_project()
    return driver.code


def snapshot(ctx: AppContext, code: str) -> list[Any]:
    return [
        (o.building, o.unit, o.room, o.name, o.phones, o.id_number, o.mailing_address)
        for o in owners.list_owners(ctx, code, "kefu", reveal_reason="测试核对")
    ]


def test_commit_then_the_same_file_again_changes_nothing(
    ctx: AppContext, project: str, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "owners.xlsx", clean_rows())
    preview = owners.preview_import(ctx, project, path, "xiaoshou")
    assert (preview.new, preview.changed, preview.unchanged, preview.invalid) == (4, 0, 0, 0)
    assert preview.new_buildings == ["1栋", "2栋"]
    assert preview.new_units == ["1栋 1单元", "1栋 2单元", "2栋 1单元"]
    assert preview.new_rooms == [
        "1栋 1单元 101",
        "1栋 1单元 102",
        "1栋 2单元 201",
        "2栋 1单元 1802",
    ]
    assert owners.list_owners(ctx, project, "kefu") == []  # a preview writes nothing

    done = owners.commit_import(ctx, project, path, "xiaoshou")
    assert done.committed
    assert done.new == 4
    before = snapshot(ctx, project)
    again = owners.commit_import(ctx, project, path, "xiaoshou")
    assert (again.new, again.changed, again.unchanged, again.new_rooms) == (0, 0, 4, [])
    assert snapshot(ctx, project) == before


def test_a_corrected_file_updates_and_never_duplicates(
    ctx: AppContext, project: str, tmp_path: Path
) -> None:
    owners.commit_import(ctx, project, write_xlsx(tmp_path / "v1.xlsx", clean_rows()), "kefu")
    rows = clean_rows()
    rows[3][6] = "青岛市市北区辽宁路 21 号"  # the address that was missing
    rows[1][4] = "13812345678/13700001111"
    fixed = owners.commit_import(ctx, project, write_xlsx(tmp_path / "v2.xlsx", rows), "kefu")
    assert (fixed.new, fixed.changed, fixed.unchanged) == (0, 2, 2)

    listed = owners.list_owners(ctx, project, "kefu", reveal_reason="核对更正")
    assert len(listed) == 4
    by_id = {o.id_number: o for o in listed}
    assert by_id[ID_A].phones == ("13812345678", "13700001111")
    assert owners.owners_missing_data(ctx, project, "kefu")[0].missing == ("phone",)

    narrow = [
        ["楼栋", "单元", "房号", "姓名", "手机", "身份证号"],
        ["1栋", "1单元", "101", "王建华", "", ID_A],
    ]
    kept = owners.commit_import(ctx, project, write_xlsx(tmp_path / "v3.xlsx", narrow), "kefu")
    assert (kept.changed, kept.unchanged) == (0, 1)  # absent columns and empty cells keep values


def test_an_invalid_file_commits_nothing_and_lists_every_rejected_row(
    ctx: AppContext, project: str, tmp_path: Path
) -> None:
    rows = clean_rows()
    rows.append(["3栋", "1单元", "301", "孙涛", "13712345678", BAD_CHECKSUM, "", ""])
    rows.append(["3栋", "1单元", "302", "周丽", "1381234567", ID_E, "", ""])
    rows.append(list(rows[1]))
    report = owners.commit_import(ctx, project, write_xlsx(tmp_path / "bad.xlsx", rows), "kefu")
    assert not report.committed
    assert [(r.row_number, r.reason.split(" (")[0]) for r in report.rejected] == [
        (6, "身份证号校验位错误"),
        (7, "电话号码无效"),
        (8, "与第 2 行重复"),
    ]
    assert owners.list_owners(ctx, project, "kefu") == []


def test_refused_files_and_permissions(ctx: AppContext, project: str, tmp_path: Path) -> None:
    text = tmp_path / "owners.xlsx"
    text.write_text("楼栋,房号\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"not an \.xlsx file"):
        owners.preview_import(ctx, project, text, "kefu")
    path = write_xlsx(tmp_path / "owners2.xlsx", clean_rows())
    with pytest.raises(PermissionDeniedError, match="only customer_service, sales and admin"):
        owners.commit_import(ctx, project, path, "gongcheng")
    owners.commit_import(ctx, project, path, "admin")
    with pytest.raises(PermissionDeniedError):
        owners.list_owners(ctx, project, "xiaoshou", reveal_reason="想看看")
    with pytest.raises(InvalidInputError, match="needs a reason"):
        owners.list_owners(ctx, project, "kefu", reveal_reason=" ")


def test_masked_by_default_and_every_reveal_is_logged(
    ctx: AppContext, project: str, tmp_path: Path
) -> None:
    owners.commit_import(ctx, project, write_xlsx(tmp_path / "o.xlsx", clean_rows()), "kefu")
    masked = {o.name: o for o in owners.list_owners(ctx, project, "wuye")}
    assert masked["王建华"].phones == ("138****5678",)
    assert masked["王建华"].id_number == "3702**********7540"
    assert masked["李淑芬"].id_number == ID_B[:4] + "*" * 10 + ID_B[-4:]
    assert [e["action"] for e in owners.access_log(ctx, project, "kefu")] == ["import"]

    revealed = owners.list_owners(ctx, project, "kefu2", reveal_reason="交房前电话通知")
    assert revealed[0].id_number == ID_A
    assert not revealed[0].masked
    log = owners.access_log(ctx, project, "kefu")
    reveals = [e for e in log if e["action"] == "reveal"]
    assert len(reveals) == 4
    assert {(e["username"], e["reason"], e["fields"]) for e in reveals} == {
        ("kefu2", "交房前电话通知", "phones,id_number")
    }


def test_cli_dry_run_and_json_report(
    ctx: AppContext, project: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "template.xlsx"
    assert cli.main(["owners-template", "-o", str(template)], ctx=ctx) == 0
    rows = clean_rows()
    rows.append(["3栋", "1单元", "301", "孙涛", "13712345678", BAD_CHECKSUM, "", ""])
    path = write_xlsx(tmp_path / "o.xlsx", rows)
    capsys.readouterr()
    argv = ["import-owners", str(path), "--project", project, "--user", "kefu", "--json"]
    assert cli.main([*argv, "--dry-run"], ctx=ctx) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["new"], report["invalid"]) == (4, 1)
    assert report["rejected"][0]["row_number"] == 6
    assert cli.main(argv, ctx=ctx) == 2
    out, err = capsys.readouterr()
    assert json.loads(out)["committed"] is False
    assert "nothing was imported" in err
    assert (
        cli.main(["import-owners", str(template), "--project", project, "--user", "kefu"], ctx=ctx)
        == 0
    )


CRASHING_IMPORT = """
import sys, time
from pathlib import Path
from sqlalchemy import event
from anju.db.unit_of_work import Database
from anju.services import owners
from anju.services.context import AppContext

url, project, path, marker = sys.argv[1:]
db = Database(url)

@event.listens_for(db.engine, "commit")
def _hold(connection):  # every row is written; the COMMIT has not been sent yet
    Path(marker).write_text("writing")
    time.sleep(120)

owners.commit_import(AppContext(db=db), project, Path(path), "kefu")
"""


def test_kill_9_in_the_middle_of_a_commit_leaves_owners_as_before(
    ctx: AppContext, project: str, tmp_path: Path
) -> None:
    owners.commit_import(ctx, project, write_xlsx(tmp_path / "v1.xlsx", clean_rows()), "kefu")
    before = snapshot(ctx, project)
    rows = clean_rows()
    rows[1][3] = "王建华（已更名）"
    rows.extend(
        ["5栋", "1单元", f"{n}01", f"业主{n}", "13812345678", ID_E if n == 1 else ID_A, "", ""]
        for n in range(1, 40)
    )
    path = write_xlsx(tmp_path / "v2.xlsx", rows)
    plan = owners.preview_import(ctx, project, path, "kefu")  # a commit that would write rows
    assert (plan.invalid, plan.changed, plan.new) == (0, 1, 39)
    marker = tmp_path / "marker"
    script = tmp_path / "crash.py"
    script.write_text(CRASHING_IMPORT, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), ctx.db.url, project, str(path), str(marker)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        for _ in range(600):
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.exists(), f"the import never reached its commit (exit {child.poll()})"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert snapshot(ctx, project) == before
