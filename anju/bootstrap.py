"""Composition root: build the application context from settings.

Owns: wiring the database, the clock and the deployed processes together, and `init`
(migrate the schema, deploy the repository's BPMN files if they changed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from anju.config import Settings
from anju.db.migrate import upgrade
from anju.db.unit_of_work import Database
from anju.services.context import AppContext, system_clock
from anju.services.processes import DeployResult, deploy_directory


def build_context(
    settings: Settings | None = None, clock: Callable[[], datetime] = system_clock
) -> AppContext:
    settings = settings or Settings.from_env()
    if settings.database_url.startswith("sqlite:///"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return AppContext(db=Database(settings.database_url), clock=clock, data_dir=settings.data_dir)


def init(ctx: AppContext, settings: Settings | None = None) -> DeployResult:
    """Create or migrate the schema, then deploy the BPMN folder (a no-op when unchanged)."""
    settings = settings or Settings.from_env()
    upgrade(ctx.db.engine)
    return deploy_directory(ctx, settings.bpmn_dir, actor="system")
