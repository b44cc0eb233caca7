"""Fixtures of the AppTest suite: a database with demo users who can sign in, one project,
and sessions signed in as a given user (AppTest has no cookies: the token goes into the
session state, from the same service the sign-in route uses)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from anju.config import REPO_ROOT
from anju.services import auth
from anju.services.context import AppContext, system_clock
from tests.conftest import Driver

PASSWORD = "secret-pass-1"


@pytest.fixture
def app_env(driver: Driver, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Driver:
    monkeypatch.setenv("ANJU_DATABASE_URL", database_url)
    monkeypatch.setenv("ANJU_DATA_DIR", str(driver.ctx.data_dir))  # the same file store
    monkeypatch.setenv("ANJU_LANGUAGE", "zh")
    for username in ("kefu", "kefu2", "lingdao", "zongjingli", "admin", "sheji"):
        auth.set_password(driver.ctx, username, PASSWORD)
    driver.start_project(name="云栖花园")
    return driver


def app() -> AppTest:
    return AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)


def page(path: str) -> AppTest:
    return AppTest.from_file(str(REPO_ROOT / path), default_timeout=60)


def token_for(driver: Driver, username: str) -> str:
    server_time = AppContext(db=driver.ctx.db, clock=system_clock)  # the app's own clock
    return auth.login(server_time, username, PASSWORD)


def signed_in(driver: Driver, username: str) -> AppTest:
    """A session signed in as `username`. In a browser the token comes from the HttpOnly cookie
    set by POST /session/login (tests/e2e); AppTest has no cookies, so it gets the token from
    the same service into the session state."""
    at = app()
    at.session_state["anju_token"] = token_for(driver, username)
    at.run()
    assert not at.exception, at.exception
    return at
