"""Every ANJU_* setting, declared once.

Owns: reading configuration from the environment. Imports nothing else from Anju.

| variable | default | meaning |
| --- | --- | --- |
| ANJU_DATABASE_URL | sqlite:///./data/anju.sqlite3 | SQLAlchemy URL of the database |
| ANJU_DATA_DIR | ./data | where the SQLite file, uploads and generated reports live |
| ANJU_BPMN_DIR | ./bpmn (the repository's) | the BPMN files deployed by `anju init` |
| ANJU_TIMEZONE | Asia/Shanghai | the time zone dates are shown in (stored in UTC) |
| ANJU_LANGUAGE | zh | default language of the UI and messages (zh or en) |
| ANJU_ALLOWED_HOSTS | localhost,127.0.0.1,::1 | host names served (see `anju/ui/host_guard.py`) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    bpmn_dir: Path
    timezone: str = "Asia/Shanghai"
    language: str = "zh"

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = Path(os.environ.get("ANJU_DATA_DIR", REPO_ROOT / "data"))
        default_db = f"sqlite:///{data_dir / 'anju.sqlite3'}"
        return cls(
            database_url=os.environ.get("ANJU_DATABASE_URL", default_db),
            data_dir=data_dir,
            bpmn_dir=Path(os.environ.get("ANJU_BPMN_DIR", REPO_ROOT / "bpmn")),
            timezone=os.environ.get("ANJU_TIMEZONE", "Asia/Shanghai"),
            language=os.environ.get("ANJU_LANGUAGE", "zh"),
        )
