"""Browser tests: a real Streamlit server on a temporary SQLite database, driven by Debian's
headless Chromium through Playwright (never `playwright install`).

Fixtures: `portfolio` (a migrated database with the BPMN deployed, the demo users with a
password, one project started), `server` (`streamlit run app.py` on a free port, stopped by its
own process group after the test) and `browser`. Screenshots land in `test-artifacts/`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import create_engine

from anju.config import REPO_ROOT
from anju.db.migrate import upgrade
from anju.db.unit_of_work import Database
from anju.demo import DEMO_USERS
from anju.services import auth, processes, users
from anju.services.context import AppContext
from tests.conftest import BPMN_DIR, Driver, TestClock

PASSWORD = "e2e-pass-123"
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SETTLED = '.stApp[data-test-script-state="notRunning"]'
STARTUP_LIMIT = 60.0  # seconds for the server to answer /_stcore/health
expect.set_options(timeout=30_000)


@dataclass
class Server:
    url: str
    log: Path


@pytest.fixture
def portfolio(tmp_path: Path, repo_bundle: object) -> Iterator[Driver]:
    """A fresh SQLite database: schema, deployed BPMN, demo users with PASSWORD, project P1."""
    url = f"sqlite:///{tmp_path / 'anju.sqlite3'}"
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    clock = TestClock(datetime.now(UTC))  # the server runs on the real clock
    ctx = AppContext(db=Database(url), clock=clock, data_dir=tmp_path)  # the server's data dir
    ctx.remember(repo_bundle)
    processes.deploy_directory(ctx, BPMN_DIR)
    for username, name, roles in DEMO_USERS:
        users.add_user(ctx, username, name, list(roles))
        auth.set_password(ctx, username, PASSWORD)
    driver = Driver(ctx, clock)
    driver.start_project(name="云栖花园", city="杭州")
    yield driver
    ctx.db.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.status == 200)
    except urllib.error.HTTPError:
        return True  # it answers (400: 127.0.0.1 is not in the test's ANJU_ALLOWED_HOSTS)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def streamlit_server(database_url: str, data_dir: Path) -> Iterator[Server]:
    """`streamlit run app.py` on a free port against `database_url`, stopped (its whole
    process group) on exit. Used by the `server` fixture and `bench/ui_bench.py`."""
    port = free_port()
    log = data_dir / "streamlit.log"
    env = {
        **os.environ,
        "ANJU_DATABASE_URL": database_url,
        "ANJU_DATA_DIR": str(data_dir),
        "ANJU_LANGUAGE": "zh",
    }
    command = [str(REPO_ROOT / ".venv/bin/streamlit"), "run", "app.py", "--server.port",
               str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped below by its pid
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        while not healthy(url):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"no health answer\n{log.read_text()}"
            time.sleep(0.2)
        yield Server(url, log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def server(portfolio: Driver, tmp_path: Path) -> Iterator[Server]:
    """`streamlit run app.py` on a free port against the portfolio's database."""
    assert portfolio.ctx.data_dir == tmp_path  # one file store for the test and the server
    with streamlit_server(str(portfolio.ctx.db.engine.url), tmp_path) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def settle(page: Page) -> None:
    """Wait until Streamlit has finished running the script for what the page shows."""
    page.wait_for_selector(SETTLED, state="attached")


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    settle(page)
    # tables and iframes draw after the script has finished; a screenshot is for people to
    # look at, so give them a moment (no test outcome depends on it)
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, server: Server, username: str) -> None:
    page.goto(server.url)
    settle(page)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("退出登录")).to_be_visible()
    settle(page)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_label("用户名")).to_be_visible()
    settle(page)
