"""Shared by the hand-over tests: a started project with the clean owners' file imported, the
local day, and `run_cli` for the hand-over commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from anju import cli_handover
from anju.services import owners
from anju.services.context import AppContext
from anju.services.errors import AnjuError
from tests.conftest import Driver, TestClock
from tests.owner_sheets import clean_rows, write_xlsx

ROOM = "1栋1单元101"


@pytest.fixture
def project(driver: Driver, ctx: AppContext, tmp_path: Path) -> str:
    driver.start_project()
    owners.commit_import(ctx, driver.code, write_xlsx(tmp_path / "o.xlsx", clean_rows()), "kefu")
    return driver.code


def today(clock: TestClock) -> date:
    return clock.moment.astimezone(ZoneInfo("Asia/Shanghai")).date()


def run_cli(ctx: AppContext, argv: list[str]) -> int:
    """Run `anju <argv>` through cli_handover's commands as `anju.cli` registers them."""
    parser = argparse.ArgumentParser(prog="anju")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Callable[..., None], help_text: str, listing: bool = False) -> Any:
        cmd = sub.add_parser(name, help=help_text)
        cmd.set_defaults(handler=handler)
        cmd.add_argument("--json", action="store_true")
        return cmd

    cli_handover.register(sub, add)
    args = parser.parse_args(argv)
    try:
        args.handler(ctx, args)
    except AnjuError as exc:
        print(f"anju: {exc}", file=sys.stderr)
        return 2
    return 0
