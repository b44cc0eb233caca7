"""The matching index of the case library, kept in step with the database.

Owns: one `casebase.match_index.MatchIndex` per `AppContext` (so one per app process), loaded
on first use — every published case, about 1.5 s for 50,000 — and brought up to date at the
start of each recommendation, in its read transaction, from a stamp: the newest case revision
and the newest indexed case. Every change to a case (create, edit, publish, retire, import,
drafts) writes a revision in the same transaction, so the cases revised since the last look are
read again: put back when published, dropped otherwise. Changes made by other processes (the
CLI, another app server) are seen the same way. On PostgreSQL a transaction can commit after
one that took a later revision id, so the stamp also holds the horizon (the oldest transaction
still running on the server, read before anything else) and a catch-up also reads the
revisions written by any transaction from the last horizon on. The horizon moves when the
oldest transaction finishes; when an unrelated one holds it, a catch-up runs at least every
RECHECK_SECONDS (counted from the last one that read, not from the last call).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from threading import Lock

from anju.db import case_package_repository as packages_repo
from anju.db.unit_of_work import Session
from anju.services.context import AppContext
from casebase.match_index import MatchIndex
from casebase.matching import Candidate, Profile, ask

RECHECK_SECONDS = 10.0


@dataclass
class _Kept:
    index: MatchIndex = field(default_factory=MatchIndex)
    lock: Lock = field(default_factory=Lock)
    stamp: tuple[int, int, int | None] | None = None
    checked_at: float = 0.0


def best(ctx: AppContext, session: Session, profile: Profile, limit: int) -> list[Candidate]:
    """The published cases that can be among the `limit` best for `profile`, from the index.

    `casebase.matching.rank` over them gives what it would give over every published case.
    """
    kept = ctx.memo("case_match_index", None, _Kept)
    with kept.lock:
        _catch_up(kept, session)
        places = packages_repo.project_places(session, kept.index.sources())
        return kept.index.best(ask(profile), places, limit)


def _catch_up(kept: _Kept, session: Session) -> None:
    horizon = packages_repo.horizon(session)  # before reading: older transactions are visible
    stamp = (*packages_repo.match_stamp(session), horizon)
    now = time.monotonic()
    if kept.stamp is None:
        kept.index = MatchIndex()
        kept.index.put(packages_repo.published_rows(session))
        kept.checked_at = now
    elif stamp != kept.stamp or now - kept.checked_at > RECHECK_SECONDS:
        last_revision, last_case, last_horizon = kept.stamp
        changed = packages_repo.cases_changed_after(session, last_revision, last_case, last_horizon)
        rows = packages_repo.published_rows(session, sorted(changed))
        kept.index.drop(changed - {row[0] for row in rows})
        kept.index.put(rows)
        kept.checked_at = now  # only a look that read the changes counts for RECHECK_SECONDS
    kept.stamp = stamp
