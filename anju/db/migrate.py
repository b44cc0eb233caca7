"""Schema migrations: bring a database to the newest Alembic revision.

Owns: the Alembic configuration (built in code: no alembic.ini to keep in step).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Migrate the database behind `engine` to `revision` (every branch head by default).

    Each area (engine, cases, owners) may branch its migrations from the engine's first
    revision; "heads" applies every branch.
    """
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
