"""The time zone people read dates in (ANJU_TIMEZONE, default Asia/Shanghai); stored times are UTC.

Owns: turning a stored UTC moment into the local date or the local "YYYY-MM-DD HH:MM" text
shown by the CLI, the UI, messages and reports.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from anju.config import Settings


@cache
def zone() -> ZoneInfo:
    return ZoneInfo(Settings.from_env().timezone)


def local_date(moment: datetime) -> date:
    return moment.astimezone(zone()).date()


def local_text(moment: datetime) -> str:
    return moment.astimezone(zone()).strftime("%Y-%m-%d %H:%M")
