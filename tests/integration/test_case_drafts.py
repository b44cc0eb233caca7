"""Draft cases from a project's hand-over defects, on SQLite and PostgreSQL: pre-filled,
linked to the defect, never duplicated when drafted again."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from anju import cli
from anju.services import case_drafts, cases, handover, owners
from anju.services.context import AppContext
from anju.services.errors import NotFoundError, PermissionDeniedError
from tests.conftest import Driver
from tests.owner_sheets import clean_rows, write_xlsx


@pytest.fixture
def project(driver: Driver, ctx: AppContext, tmp_path: Path) -> str:
    driver.start_project(name="江畔春晓")
    owners.commit_import(ctx, driver.code, write_xlsx(tmp_path / "o.xlsx", clean_rows()), "kefu")
    due = ctx.now().date() + timedelta(days=7)
    for space, part, category, description, severity in (
        ("卫生间", "墙面", "渗漏", "淋浴区墙面返潮", "major"),
        ("客厅", "墙面", "插座缺失", "电视墙只有一个插座", "minor"),
    ):
        handover.add_defect(
            ctx,
            driver.code,
            "1栋1单元101",
            "kefu",
            space=space,
            part=part,
            category=category,
            description=description,
            severity=severity,
            due=due,
        )
    return driver.code


def test_defects_become_linked_drafts_once(ctx: AppContext, project: str) -> None:
    first = case_drafts.draft_from_defects(ctx, project, "kefu")
    assert (first.defects, len(first.created)) == (2, 2)
    leak, socket = first.created
    assert (leak.title, leak.status, leak.stage, leak.category) == (
        "卫生间墙面渗漏",
        "draft",
        "construction",
        "quality",
    )
    assert (leak.source_kind, leak.source_project, leak.severity) == (
        "handover_defect",
        "江畔春晓",
        "serious",
    )
    assert leak.description == "淋浴区墙面返潮"
    assert "1栋1单元101 卫生间 墙面" in leak.location
    assert socket.category == "living"
    assert {leak.source_record_id, socket.source_record_id} == {
        d.defect_id for d in handover.list_defects(ctx, project, "kefu")
    }

    again = case_drafts.draft_from_defects(ctx, project, "kefu")
    assert again.created == ()
    assert sorted(again.already.values()) == sorted([leak.id, socket.id])
    drafts = cases.search_cases(ctx, "", "kefu", cases.CaseFilters(statuses=("draft",)))
    assert drafts.total == 2
    assert cases.search_cases(ctx, "渗漏", "kefu", cases.CaseFilters(statuses=("draft",))).total


def test_only_writers_draft_and_the_project_must_exist(ctx: AppContext, project: str) -> None:
    with pytest.raises(PermissionDeniedError):
        case_drafts.draft_from_defects(ctx, project, "gongcheng")
    with pytest.raises(NotFoundError):
        case_drafts.draft_from_defects(ctx, "NOPE", "kefu")


def test_cli_drafts_from_defects(
    ctx: AppContext, project: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["cases", "draft-from-defects", "--project", project, "--user", "kefu"]
    assert cli.main([*argv, "--json"], ctx=ctx) == 0
    assert len(json.loads(capsys.readouterr().out)["created"]) == 2
    assert cli.main(argv, ctx=ctx) == 0
    assert "新建草稿案例 0 个,此前已生成 2 个" in capsys.readouterr().out
