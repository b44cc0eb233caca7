"""What every service function receives: the database, the clock, the deployed processes and
the store of uploaded files.

Owns: `AppContext`, the cache of parsed process bundles (one per deployed version) and a small
memo for read-mostly lists that the caller checks against a stamp read from the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from threading import Lock
from typing import TypeVar, cast

from anju.config import Settings
from anju.db import repositories as repo
from anju.db.unit_of_work import Database, Session
from anju.files.store import FileStore
from anju.roles import LANE_ROLES
from workflows.specs import ProcessBundle, load_bundle

T = TypeVar("T")


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class AppContext:
    db: Database
    clock: Callable[[], datetime] = system_clock
    data_dir: Path | None = None
    """Where uploaded files are kept (under `files/`); ANJU_DATA_DIR when not given."""
    _bundles: dict[str, ProcessBundle] = field(default_factory=dict)
    _memo: dict[str, tuple[object, object]] = field(default_factory=dict)
    _lock: Lock = field(default_factory=Lock)

    @property
    def files(self) -> FileStore:
        return FileStore((self.data_dir or Settings.from_env().data_dir) / "files")

    def now(self) -> datetime:
        moment = self.clock()
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def bundle(self, session: Session, version_hash: str) -> ProcessBundle:
        """The parsed bundle of a deployed version, parsed once per process."""
        with self._lock:
            cached = self._bundles.get(version_hash)
        if cached is not None:
            return cached
        row = repo.version(session, version_hash)
        if row is None:
            raise LookupError(f"process version {version_hash[:12]} is not deployed")
        bundle = load_bundle(row.files, roles=LANE_ROLES)
        with self._lock:
            self._bundles[version_hash] = bundle
        return bundle

    def memo(self, key: str, stamp: object, compute: Callable[[], T]) -> T:
        """`compute()`'s value, kept while the caller's `stamp` (read from the database in the
        same transaction) is unchanged; recomputed when it changes. Callers that compute the
        same stamp at once all get the value stored first (one shared object)."""
        with self._lock:
            kept = self._memo.get(key)
        if kept is not None and kept[0] == stamp:
            return cast(T, kept[1])
        value = compute()
        with self._lock:
            kept = self._memo.get(key)
            if kept is not None and kept[0] == stamp:
                return cast(T, kept[1])
            self._memo[key] = (stamp, value)
        return value

    def remember(self, bundle: ProcessBundle) -> None:
        with self._lock:
            self._bundles[bundle.version] = bundle
