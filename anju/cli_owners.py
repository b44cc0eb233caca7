"""`anju` commands of the owners area, registered into the main parser by `anju.cli`.

Owns: parsing and printing for the owner import, the template, owner listings and the CS
completeness check. Each command calls one service function; must not import SQLAlchemy,
openpyxl or Streamlit.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from anju.services import owners
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError

AddCommand = Callable[..., argparse.ArgumentParser]


def register(sub: Any, add: AddCommand) -> None:
    """Add this area's sub-commands. `add(name, handler, help, listing=False)` gives --json."""
    cmd = add("import-owners", cmd_import_owners, "import owners from an .xlsx file", listing=True)
    cmd.add_argument("file", help="the owners .xlsx (see `anju owners-template`)")
    cmd.add_argument("--project", required=True, help="project code")
    cmd.add_argument("--user", required=True)
    cmd.add_argument("--dry-run", action="store_true", help="preview only: write nothing")
    cmd = add("owners-template", cmd_owners_template, "write the owners import template")
    cmd.add_argument("-o", "--output", required=True, help="where to write the .xlsx")
    cmd = add("owners", cmd_owners, "a project's owners (phones and IDs masked)", listing=True)
    cmd.add_argument("--project", required=True)
    cmd.add_argument("--user", required=True)
    cmd.add_argument("--reveal", metavar="REASON", help="unmask, stating why (logged)")
    cmd = add("owners-missing", cmd_owners_missing, "owners without phone or address", True)
    cmd.add_argument("--project", required=True)
    cmd.add_argument("--user", required=True)


def _print_json(value: Any) -> None:
    def plain(item: Any) -> Any:
        if isinstance(item, date | datetime):
            return item.isoformat()
        raise TypeError(f"cannot print {type(item).__name__}")

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    elif isinstance(value, list):
        value = [
            dataclasses.asdict(v) if dataclasses.is_dataclass(v) and not isinstance(v, type) else v
            for v in value
        ]
    print(json.dumps(value, ensure_ascii=False, indent=2, default=plain))


def cmd_import_owners(ctx: AppContext, args: argparse.Namespace) -> None:
    run = owners.preview_import if args.dry_run else owners.commit_import
    report = run(ctx, args.project, Path(args.file), args.user)
    if args.json:
        _print_json(report)
    else:
        state = (
            "预览 (dry run)"
            if args.dry_run
            else ("已导入 (committed)" if report.committed else "未导入 (nothing imported)")
        )
        print(
            f"{report.file_name}: {state}; rows {report.rows}: new {report.new}, "
            f"changed {report.changed}, unchanged {report.unchanged}, invalid {report.invalid}"
        )
        print(
            f"new buildings {len(report.new_buildings)}, units {len(report.new_units)}, "
            f"rooms {len(report.new_rooms)}"
        )
        if report.extra_columns:
            print(f"ignored columns: {', '.join(report.extra_columns)}")
        for row in report.rejected:
            print(f"  row {row.row_number}: {row.reason}")
    if report.invalid and not args.dry_run:
        raise InvalidInputError(
            f"{report.invalid} 行无效，未导入任何数据 ({report.invalid} invalid rows; nothing "
            "was imported — fix them and import again)"
        )


def cmd_owners_template(ctx: AppContext, args: argparse.Namespace) -> None:
    path = Path(args.output)
    path.write_bytes(owners.template())
    print(f"template written to {path}")


def cmd_owners(ctx: AppContext, args: argparse.Namespace) -> None:
    rows = owners.list_owners(ctx, args.project, args.user, reveal_reason=args.reveal)
    if args.json:
        _print_json(rows)
        return
    for row in rows:
        location = " ".join(p for p in (row.phase, row.building, row.unit, row.room) if p)
        print(f"{location}  {row.name}  {'/'.join(row.phones)}  {row.id_number}")


def cmd_owners_missing(ctx: AppContext, args: argparse.Namespace) -> None:
    rows = owners.owners_missing_data(ctx, args.project, args.user)
    if args.json:
        _print_json(rows)
        return
    for row in rows:
        print(f"{row.location}  {row.name}  missing: {', '.join(row.missing)}")
