"""The engine's notion of "now", injectable so tests and `anju worker --now` can move time.

Owns: the clock SpiffWorkflow's timer events compare against. SpiffWorkflow's timer module
calls `datetime.now(timezone.utc)` directly; we give that module a `datetime` subclass whose
`now()` reads the clock set by `frozen_now()` for the duration of one engine call, and real
time otherwise. Nothing else in SpiffWorkflow is touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

_NOW: ContextVar[datetime | None] = ContextVar("anju_engine_now", default=None)


class _ClockedDatetime(datetime):
    """`datetime` whose `now()` honours the engine clock (used only by Spiff's timer module)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _ClockedDatetime:
        fixed = _NOW.get()
        moment = fixed if fixed is not None else datetime.now(UTC)
        moment = moment.astimezone(tz) if tz is not None else moment.astimezone(UTC)
        return cls.fromisoformat(moment.isoformat())


_spiff_timer.datetime = _ClockedDatetime


def utc(moment: datetime) -> datetime:
    """An aware UTC datetime (naive input is taken as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@contextmanager
def frozen_now(moment: datetime) -> Iterator[datetime]:
    """Within the block, every timer sees `moment` as the current time."""
    token = _NOW.set(utc(moment))
    try:
        yield utc(moment)
    finally:
        _NOW.reset(token)
