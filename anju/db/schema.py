"""The whole schema: every table module imported, so `metadata` knows every table.

Owns: the one `MetaData` that Alembic and the test fixtures use.
"""

from __future__ import annotations

from anju.db import attachment_tables, auth_tables, case_tables, owner_tables, tables
from anju.db import handover_tables as handover_tables
from anju.db import ui_tables as ui_tables

metadata = tables.Base.metadata
__all__ = ["attachment_tables", "auth_tables", "case_tables", "metadata", "owner_tables", "tables"]
