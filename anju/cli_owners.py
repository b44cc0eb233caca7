"""`anju` commands of the owners area, registered into the main parser by `anju.cli`.

Owns: parsing and printing for the owner import, the template, owner listings and the CS
completeness check. Each command calls one service function; must not import SQLAlchemy,
openpyxl or Streamlit.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from anju.cli_output import json_object, print_json, refuse_invalid
from anju.services import owner_changes, owner_exports, owners
from anju.services.context import AppContext

AddCommand = Callable[..., argparse.ArgumentParser]


def register(sub: Any, add: AddCommand) -> None:
    """Add this area's sub-commands. `add(name, handler, help, listing=False)` gives --json."""
    cmd = add("import-owners", cmd_import_owners, "import owners from an .xlsx file", listing=True)
    cmd.add_argument("file", help="the owners .xlsx (see `anju owners-template`)")
    cmd.add_argument("--project", required=True, help="project code")
    cmd.add_argument("--user", required=True)
    cmd.add_argument("--dry-run", action="store_true", help="preview only: write nothing")
    cmd.add_argument(
        "--errors-xlsx",
        metavar="PATH",
        help="when rows are rejected, write them (original cells + reason) to this .xlsx",
    )
    cmd = add("owners-template", cmd_owners_template, "write the owners import template")
    cmd.add_argument("-o", "--output", required=True, help="where to write the .xlsx")
    cmd = add("owners", cmd_owners, "a project's owners (phones and IDs masked)", listing=True)
    cmd.add_argument("--project", required=True)
    cmd.add_argument("--user", required=True)
    cmd.add_argument("--reveal", metavar="REASON", help="unmask, stating why (logged)")
    cmd = add("export-owners", cmd_export_owners, "export a project's owners to .xlsx")
    cmd.add_argument("--project", required=True)
    cmd.add_argument("--user", required=True)
    cmd.add_argument("-o", "--output", required=True, help="where to write the .xlsx")
    cmd.add_argument("--reveal", metavar="REASON", help="unmasked, stating why (logged)")
    cmd = add("owners-missing", cmd_owners_missing, "owners without phone or address", True)
    cmd.add_argument("--project", required=True)
    cmd.add_argument("--user", required=True)
    _register_changes(sub)


def _register_changes(sub: Any) -> None:
    """`anju owner-change …`: change requests applied after identity verification."""
    group = sub.add_parser("owner-change", help="owner change requests (客户信息变更)")
    changes_sub = group.add_subparsers(dest="owner_change_command", required=True)

    def command(name: str, handler: Callable[..., None], help_text: str) -> Any:
        cmd = changes_sub.add_parser(name, help=help_text)
        cmd.set_defaults(handler=handler)
        cmd.add_argument("--json", action="store_true", help="print JSON")
        cmd.add_argument("--user", required=True)
        return cmd

    cmd = command("request", cmd_change_request, "register a change form (pending verification)")
    cmd.add_argument("--project", required=True)
    cmd.add_argument("--owner", type=int, required=True, help="owner id (see `anju owners --json`)")
    cmd.add_argument("--data", required=True, help='new values, e.g. \'{"phones": ["139…"]}\'')
    cmd.add_argument("--reason", required=True, help="why the owner asks for the change")
    cmd = command("verify", cmd_change_verify, "verify identity; apply when all three match")
    cmd.add_argument("request", type=int, help="change request id")
    cmd.add_argument("--id-number", required=True)
    cmd.add_argument("--phone", required=True)
    cmd.add_argument("--room", required=True, help="room number, e.g. 101 or 1栋1单元101")
    cmd = command("reject", cmd_change_reject, "close a pending request without applying it")
    cmd.add_argument("request", type=int)
    cmd.add_argument("--reason", required=True)
    cmd = command("list", cmd_change_list, "a project's change requests")
    cmd.add_argument("--project", required=True)
    cmd.add_argument("--status", choices=["pending", "applied", "rejected"])
    cmd = command("history", cmd_change_history, "every change of one owner's record")
    cmd.add_argument("owner", type=int)
    cmd.add_argument("--project", required=True)
    cmd = command("alerts", cmd_change_alerts, "alerts for CS management (locked records)")
    cmd.add_argument("--project", required=True)


def cmd_import_owners(ctx: AppContext, args: argparse.Namespace) -> None:
    run = owners.preview_import if args.dry_run else owners.commit_import
    report = run(ctx, args.project, Path(args.file), args.user)
    if args.json:
        print_json(report)
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
    refuse_invalid(args, report.invalid, lambda: owner_exports.error_report_xlsx(report), "数据")


def cmd_export_owners(ctx: AppContext, args: argparse.Namespace) -> None:
    export = owner_exports.export_owners(ctx, args.project, args.user, reveal_reason=args.reveal)
    path = Path(args.output)
    path.write_bytes(export.content)
    state = "masked" if export.masked else "UNMASKED (logged)"
    print(f"{export.owners} owners written to {path} ({state})")


def cmd_owners_template(ctx: AppContext, args: argparse.Namespace) -> None:
    path = Path(args.output)
    path.write_bytes(owners.template())
    print(f"template written to {path}")


def cmd_owners(ctx: AppContext, args: argparse.Namespace) -> None:
    rows = owners.list_owners(ctx, args.project, args.user, reveal_reason=args.reveal)
    if args.json:
        print_json(rows)
        return
    for row in rows:
        location = " ".join(p for p in (row.phase, row.building, row.unit, row.room) if p)
        print(f"{location}  {row.name}  {'/'.join(row.phones)}  {row.id_number}")


def cmd_owners_missing(ctx: AppContext, args: argparse.Namespace) -> None:
    rows = owners.owners_missing_data(ctx, args.project, args.user)
    if args.json:
        print_json(rows)
        return
    for row in rows:
        print(f"{row.location}  {row.name}  missing: {', '.join(row.missing)}")


def _print_request(args: argparse.Namespace, view: owner_changes.ChangeRequestView) -> None:
    if args.json:
        print_json(view)
        return
    fields = json.dumps(view.changes, ensure_ascii=False)
    print(f"#{view.request_id} {view.status}  {view.location} {view.owner_name}  {fields}")


def cmd_change_request(ctx: AppContext, args: argparse.Namespace) -> None:
    data = json_object(args.data)
    view = owner_changes.request_change(ctx, args.project, args.owner, args.user, data, args.reason)
    _print_request(args, view)


def cmd_change_verify(ctx: AppContext, args: argparse.Namespace) -> None:
    view = owner_changes.verify_and_apply(
        ctx, args.request, args.user, args.id_number, args.phone, args.room
    )
    _print_request(args, view)


def cmd_change_reject(ctx: AppContext, args: argparse.Namespace) -> None:
    _print_request(args, owner_changes.reject_change(ctx, args.request, args.user, args.reason))


def cmd_change_list(ctx: AppContext, args: argparse.Namespace) -> None:
    views = owner_changes.change_requests(ctx, args.project, args.user, args.status)
    if args.json:
        print_json(views)
        return
    for view in views:
        _print_request(args, view)


def cmd_change_history(ctx: AppContext, args: argparse.Namespace) -> None:
    changes = owner_changes.owner_history(ctx, args.project, args.owner, args.user)
    if args.json:
        print_json(changes)
        return
    for change in changes:
        after = json.dumps(change.after, ensure_ascii=False)
        print(f"{change.changed_at.isoformat()}  {change.changed_by}  {change.source}  {after}")


def cmd_change_alerts(ctx: AppContext, args: argparse.Namespace) -> None:
    alerts = owner_changes.owner_alerts(ctx, args.project, args.user)
    if args.json:
        print_json(alerts)
        return
    for alert in alerts:
        print(f"{alert.at.isoformat()}  {alert.kind}  {alert.message}")
