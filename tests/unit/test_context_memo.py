"""`AppContext.memo`: what the app keeps per process (the matching index, project summaries)."""

from __future__ import annotations

import threading
from pathlib import Path

from anju.db.unit_of_work import Database
from anju.services.context import AppContext


def test_callers_computing_the_same_stamp_at_once_share_one_value(tmp_path: Path) -> None:
    """Two first recommendations at once must not each load a matching index of their own."""
    db = Database(f"sqlite:///{tmp_path / 'anju.sqlite3'}")
    ctx = AppContext(db=db)
    both_computing = threading.Barrier(2, timeout=10)

    def compute() -> object:
        both_computing.wait()  # neither has stored its value yet
        return object()

    found: list[object] = []
    threads = [
        threading.Thread(target=lambda: found.append(ctx.memo("k", 1, compute))) for _ in "ab"
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 2
    assert found[0] is found[1]
    assert ctx.memo("k", 1, object) is found[0]  # kept while the stamp holds
    assert ctx.memo("k", 2, object) is not found[0]  # a new stamp computes again
    db.dispose()
