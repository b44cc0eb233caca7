"""The `anju` command line: a whole project driven through it, its errors, and a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from anju import cli
from anju.services.context import AppContext
from tests.conftest import AS, STAGES, TestClock, default_form

ANJU = str(Path(sys.executable).parent / "anju")


class Cli:
    def __init__(self, ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> None:
        self.ctx = ctx
        self.capsys = capsys

    def run(self, *argv: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = cli.main(list(argv), ctx=self.ctx)
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *argv: str) -> Any:
        code, out, err = self.run(*argv, "--json")
        assert code == 0, err
        return json.loads(out)


@pytest.fixture
def anju(ctx: AppContext, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(ctx, capsys)


def test_a_whole_project_is_driven_from_design_to_summary_through_the_cli(
    anju: Cli, clock: TestClock
) -> None:
    handover = (clock.moment + timedelta(days=600)).date().isoformat()
    started = anju.json(
        "project", "start", "--code", "SZ-LXY", "--name", "流溪苑", "--city", "深圳",
        "--product-type", "高层住宅", "--handover", handover, "--user", "kefu",
    )  # fmt: skip
    assert started["stage_key"] == "design_stage"
    stages = ["design_stage"]
    for _ in range(200):
        project = anju.json("projects")[0]
        if project["stage_key"] != stages[-1]:
            stages.append(project["stage_key"])
        if project["status"] == "completed":
            break
        ready = anju.json("tasks", "--project", "SZ-LXY")
        if not ready:
            clock.moment = datetime.fromisoformat(project["next_timer_at"]) + timedelta(minutes=1)
            assert anju.json("worker", "--once"), "the worker fired nothing"
            continue
        task = ready[0]
        user = AS[task["role"]]
        if task["approval"]:
            anju.json("approve", task["task_id"], "--user", user, "--comment", "同意")
        else:
            detail = anju.json("task", task["task_id"])
            form = default_form(tuple(detail["fields"]), clock.moment.date())
            anju.json("complete", task["task_id"], "--user", user, "--data", json.dumps(form))
    assert stages == [*STAGES, None]
    history = anju.json("history", "SZ-LXY")
    assert history[-1]["event"] == "project_completed"
    assert sum(1 for h in history if h["event"] == "timer_fired") == 2


def test_tasks_lists_by_role_and_user(anju: Cli) -> None:
    anju.json(
        "project", "start", "--code", "XM-HY", "--name", "海韵", "--city", "厦门",
        "--product-type", "洋房", "--handover", "2028-05-01", "--user", "kefu",
    )  # fmt: skip
    by_role = anju.json("tasks", "--role", "customer_service")
    assert {t["name"] for t in by_role} == {"提交老项目经验教训案例", "编制/修订客户服务规范和标准"}
    assert anju.json("tasks", "--user", "kefu") == by_role
    assert anju.json("tasks", "--user", "sheji") == []
    code, out, _ = anju.run("tasks", "--role", "customer_service")
    assert code == 0
    assert "提交老项目经验教训案例" in out


def test_cli_errors_say_what_is_wrong_and_exit_2(anju: Cli) -> None:
    anju.json(
        "project", "start", "--code", "XM-HY", "--name", "海韵", "--city", "厦门",
        "--product-type", "洋房", "--handover", "2028-05-01", "--user", "kefu",
    )  # fmt: skip
    task = anju.json("tasks", "--role", "customer_service")[0]
    code, _, err = anju.run("complete", task["task_id"], "--user", "kefu", "--data", "{oops")
    assert (code, err.startswith("anju: --data is not valid JSON")) == (2, True)
    code, _, err = anju.run("complete", task["task_id"], "--user", "kefu", "--data", "{}")
    assert code == 2
    assert "is required" in err
    fields = tuple(anju.json("task", task["task_id"])["fields"])
    form = json.dumps(default_form(fields, anju.ctx.now().date()))
    assert anju.run("complete", task["task_id"], "--user", "kefu", "--data", form)[0] == 0
    code, _, err = anju.run("complete", task["task_id"], "--user", "kefu2", "--data", form)
    assert code == 2
    assert "already completed by 王晓燕" in err
    code, _, err = anju.run("deploy", "bpmn/design_stage.bpmn", "--user", "kefu")
    assert code == 2
    assert "admin" in err


def test_deploy_refuses_an_unsafe_file_with_the_element(
    anju: Cli, tmp_path: Path, ctx: AppContext
) -> None:
    text = (Path("bpmn") / "sales_stage.bpmn").read_text(encoding="utf-8")
    bad = tmp_path / "sales_stage.bpmn"
    bad.write_text(text.replace("plastering_done == True", "__import__('os').system('id')"))
    code, _, err = anju.run("deploy", str(bad), "--user", "admin")
    assert code == 2
    assert "flow_plastering_check_to_open_day_merge" in err
    assert len(anju.json("specs")) == 1


def run_anju(env: dict[str, str], *argv: str) -> str:
    done = subprocess.run(
        [ANJU, *argv], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_init_demo_and_tasks_from_a_real_shell(tmp_path: Path) -> None:
    env = {**os.environ, "ANJU_DATABASE_URL": f"sqlite:///{tmp_path / 'anju.sqlite3'}"}
    assert "deployed new version" in run_anju(env, "init")
    assert "process unchanged" in run_anju(env, "init")
    assert "6 projects" in run_anju(env, "demo", "--if-empty")
    assert "already loaded" in run_anju(env, "demo", "--if-empty")
    found = json.loads(run_anju(env, "cases", "search", "渗水", "--json"))
    assert found["total"] >= 3  # the demo case library is loaded and searchable
    assert all("渗水" in hit["title"] + hit["snippet"] for hit in found["hits"])
    advice = json.loads(run_anju(env, "cases", "recommend", "--project", "HZ-CHYJ", "--json"))
    assert sum(s["in_package"] for s in advice["suggestions"]) == 6  # the demo's design package
    portfolio = json.loads(run_anju(env, "projects", "--json"))
    stages = {p["code"]: p["stage_key"] for p in portfolio}
    assert sorted(stages.values()) == sorted(STAGES)
    waiting = next(p for p in portfolio if p["stage_key"] == "construction_stage")
    handover = datetime.fromisoformat(waiting["planned_handover_date"]).replace(tzinfo=UTC)
    timer = datetime.fromisoformat(waiting["next_timer_at"])
    assert timedelta(days=27) <= handover - timer <= timedelta(days=32)
    ready = json.loads(run_anju(env, "tasks", "--role", "customer_service", "--json"))
    assert ready
    assert {t["role"] for t in ready} == {"customer_service"}
    assert {t["project_code"] for t in ready} <= set(stages)
