"""UI benchmark: click → settled page in headless Chromium, and each page's service calls.

Seeds a SQLite portfolio through the real services (`--projects` projects advanced to spread
stages, then more started until `--open-tasks` tasks are ready — the lifecycle keeps one or two
tasks of a project ready at a time, so 20,000 open tasks need ~10,000 running instances), starts
`streamlit run app.py` on it, signs in and times, for My tasks, Approvals and a project page, the
time from the click to `data-test-script-state="notRunning"` with the page's own heading shown.
Server-side time of the same pages' service calls is timed in this process.

Run: `python -m bench.ui_bench` (≈ 3 min seeding; `--db PATH` keeps the seeded database for the
next run). Figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, sync_playwright
from sqlalchemy import create_engine

from anju.db.migrate import upgrade
from anju.db.unit_of_work import Database
from anju.demo import DEMO_USERS
from anju.services import approvals, auth, diagram, projects, task_lists, tasks
from anju.services.context import AppContext
from bench.engine_bench import first_stage_step, fresh_context, pct
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, SETTLED, streamlit_server

PASSWORD = "bench-pass-123"


def seed(ctx: AppContext, portfolio: int, open_tasks: int) -> dict[str, int]:
    for username, _, _ in DEMO_USERS:
        auth.set_password(ctx, username, PASSWORD)
    rng = random.Random(7)
    started = time.perf_counter()
    for i in range(portfolio):
        code = f"P{i:05d}"
        projects.start_project(
            ctx, code, f"基准项目{i}", rng.choice(["苏州", "杭州", "南京"]), "洋房",
            date(2028, 1 + i % 12, 28), "kefu",
        )  # fmt: skip
        for _ in range(rng.randrange(0, 26)):  # spread over stages; some wait at gates
            step = first_stage_step(ctx, code)
            if step is None:
                break
            step()
        if i % 100 == 99:
            print(f"  seeded {i + 1} projects ({time.perf_counter() - started:.0f} s)", flush=True)
    count = len(tasks.list_tasks(ctx))
    extra = 0
    while count < open_tasks:
        projects.start_project(
            ctx, f"X{extra:05d}", f"在建项目{extra}", "苏州", "高层", date(2029, 6, 30), "kefu"
        )
        extra += 1
        count += 2  # a started lifecycle has two ready tasks (checked below)
    return {
        "projects": projects.project_count(ctx),
        "open_tasks": len(tasks.list_tasks(ctx)),
        "pending_approvals": len(tasks.list_tasks(ctx, username="lingdao", approvals_only=True)),
    }


def service_times(ctx: AppContext, rounds: int) -> dict[str, list[float]]:
    """Server-side time of the calls each page makes (as the pages make them)."""
    code = "P00003"

    def my_tasks() -> None:  # anju/ui/app.py (badge) and pages/my_tasks.py
        task_lists.new_task_count(ctx, "kefu")
        task_lists.saved_filters(ctx, "kefu")
        projects.project_names(ctx)  # the project filter's choices
        task_lists.stages(ctx)
        page = task_lists.my_tasks(ctx, "kefu")
        task_lists.mark_seen(ctx, "kefu")
        tasks.task_detail(ctx, page.rows[0].task_id)

    def approvals_page() -> None:  # pages/approvals.py: a page of gates, each with its summary
        page = task_lists.my_tasks(ctx, "lingdao", page_size=10, approvals=True)
        for row in page.rows:
            approvals.stage_summary(ctx, row.project_code, row.stage_key, "lingdao")

    def project_page() -> None:
        projects.project_page(ctx)
        projects.get_project(ctx, code)
        diagram.project_diagrams(ctx, code)
        projects.history(ctx, code)

    calls: dict[str, Callable[[], None]] = {
        "my_tasks": my_tasks,
        "approvals": approvals_page,
        "project_page": project_page,
    }
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            t0 = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - t0)
    return times


def clicked(page: Page, click: Callable[[], None], heading: str | re.Pattern[str]) -> float:
    """Seconds from the click until the page's heading is shown and the script has finished."""
    t0 = time.perf_counter()
    click()
    page.get_by_role("heading", name=heading).first.wait_for(state="visible", timeout=60_000)
    page.wait_for_selector(SETTLED, state="attached", timeout=60_000)
    return time.perf_counter() - t0


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base)
    page.wait_for_selector(SETTLED, state="attached")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_text("退出登录").wait_for(state="visible")
    page.wait_for_selector(SETTLED, state="attached")


def nav(page: Page, label: str) -> Callable[[], None]:
    link = page.get_by_role("link", name=re.compile(f"^{label}"))
    return lambda: link.first.click()


def browser_times(base: str, rounds: int, portfolio: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"my_tasks": [], "approvals": [], "project_page": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        sign_in(page, base, "lingdao")  # a leader: has approvals and sees projects
        for i in range(rounds + 1):  # the first round warms the server's caches; not counted
            sample = {
                "approvals": clicked(page, nav(page, "审批"), "审批"),
                "my_tasks": clicked(page, nav(page, "我的任务"), re.compile("^我的任务")),
            }
            clicked(page, nav(page, "项目"), "项目")
            code = f"P{(i * 7) % min(50, portfolio):05d}"  # on the first page of the portfolio
            picker = page.get_by_label("查看项目")

            def pick(code: str = code, picker: Locator = picker) -> None:
                picker.click()
                page.keyboard.type(code)
                page.keyboard.press("Enter")

            sample["project_page"] = clicked(page, pick, re.compile(f"^基准项目{int(code[1:])}（"))
            if i:
                for name, value in sample.items():
                    times[name].append(value)
        browser.close()
    return times


def report(title: str, times: dict[str, list[float]]) -> None:
    print(title)
    for name, values in times.items():
        print(
            f"  {name:13s} p50 {pct(values, 0.5) * 1000:7.1f} ms  "
            f"p95 {pct(values, 0.95) * 1000:7.1f} ms  (n={len(values)})"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--open-tasks", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--db", type=Path, help="keep the seeded SQLite database here")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="anju-ui-bench-"))
    path = args.db or work / "anju.sqlite3"
    url = f"sqlite:///{path}"
    machine = f"{platform.platform()}, {os.cpu_count()} cores"
    print(f"machine: {machine}, Python {platform.python_version()}")
    if path.exists():
        upgrade(create_engine(url))  # a kept database may predate the latest migrations
        ctx = AppContext(db=Database(url))
        counts: dict[str, Any] = {
            "projects": projects.project_count(ctx),
            "open_tasks": len(tasks.list_tasks(ctx)),
        }
    else:
        ctx = fresh_context(url)
        counts = seed(ctx, args.projects, args.open_tasks)
    print(f"portfolio: {counts}")
    report("service calls per page (server side):", service_times(ctx, args.rounds * 5))
    with streamlit_server(url, work) as server:
        report(
            "click → settled page (Chromium):",
            browser_times(server.url, args.rounds, args.projects),
        )
    ctx.db.dispose()


if __name__ == "__main__":
    main()
