"""Reading ANJU_ALLOWED_HOSTS (the served behaviour is tested in tests/e2e)."""

from __future__ import annotations

import os
import subprocess
import tomllib

import pytest

from anju.config import REPO_ROOT
from anju.ui.host_guard import LOCAL_HOSTS, allowed_hosts


def test_unset_or_empty_means_this_machine_only() -> None:
    assert allowed_hosts({}) == list(LOCAL_HOSTS)
    assert allowed_hosts({"ANJU_ALLOWED_HOSTS": " , "}) == list(LOCAL_HOSTS)


def test_a_list_of_host_names_replaces_the_default() -> None:
    given = {"ANJU_ALLOWED_HOSTS": "Anju.Example.com, *.example.org,*"}
    assert allowed_hosts(given) == ["anju.example.com", "*.example.org", "*"]


def test_a_port_in_the_list_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match=r"'anju\.example\.com:8501' has a port"):
        allowed_hosts({"ANJU_ALLOWED_HOSTS": "anju.example.com:8501"})


def test_the_cookie_secret_comes_from_the_environment_not_the_repository() -> None:
    shipped = tomllib.loads((REPO_ROOT / ".streamlit/config.toml").read_text())
    assert "cookieSecret" not in shipped.get("server", {})
    shown = subprocess.run(
        [str(REPO_ROOT / ".venv/bin/streamlit"), "config", "show"],
        cwd=REPO_ROOT,
        env={**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": "fixed-secret-from-env"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert 'cookieSecret = "fixed-secret-from-env"' in shown
