"""`anju` commands of the hand-over (交房), registered into the main parser by `anju.cli`.

Owns: parsing and printing for appointments, defects and their rectification, re-inspection
bookings, joint inspections, unit outcomes and the defects export. Each command calls one
service function of `anju.services.handover`, `handover_units`, `inspection` or
`defect_exports`; must not import SQLAlchemy, openpyxl or Streamlit.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from anju.cli_output import emit
from anju.localtime import local_text
from anju.services import defect_exports, handover, handover_units, inspection
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError

AddCommand = Callable[..., argparse.ArgumentParser]


def register(sub: Any, add: AddCommand) -> None:
    """Add `anju defects`, `anju export-defects`, `anju defect …` (incl. re-inspection
    bookings) and `anju unit …` (incl. the joint inspection)."""
    cmd = add("defects", cmd_defects, "a project's defects and their rectification", True)
    cmd.add_argument("--project", required=True)
    cmd.add_argument("--user", required=True)
    cmd.add_argument("--open", action="store_true", help="leave out closed rectifications")
    cmd.add_argument("--overdue", action="store_true", help="only overdue, earliest due first")
    cmd = add("export-defects", cmd_export_defects, "export a project's defects to .xlsx")
    cmd.add_argument("--project", required=True)
    cmd.add_argument("--user", required=True)
    cmd.add_argument("-o", "--output", required=True, help="where to write the .xlsx")
    cmd.add_argument("--open", action="store_true", help="leave out closed rectifications")
    _register_defect(sub)
    _register_unit(sub)


def _group(sub: Any, name: str, help_text: str) -> Callable[..., Any]:
    group = sub.add_parser(name, help=help_text)
    group_sub = group.add_subparsers(dest=f"{name}_command", required=True)

    def command(cmd_name: str, handler: Callable[..., None], cmd_help: str) -> Any:
        cmd = group_sub.add_parser(cmd_name, help=cmd_help)
        cmd.set_defaults(handler=handler)
        cmd.add_argument("--json", action="store_true", help="print JSON")
        cmd.add_argument("--user", required=True)
        return cmd

    return command


def _register_defect(sub: Any) -> None:
    command = _group(sub, "defect", "hand-over defects and their rectification (整改)")
    cmd = command("add", cmd_defect_add, "record a defect; engineering rectifies it by --due")
    cmd.add_argument("--project", required=True)
    cmd.add_argument("--room", required=True, help="e.g. 1栋1单元101 (or 101 when unique)")
    cmd.add_argument("--space", required=True, help="房间, e.g. 卫生间")
    cmd.add_argument("--part", required=True, help="部位, e.g. 墙面")
    cmd.add_argument("--category", required=True, help="e.g. 渗漏, 空鼓, 开裂")
    cmd.add_argument("--description", required=True)
    cmd.add_argument("--severity", default="minor", help="minor|major|critical (一般|较重|严重)")
    cmd.add_argument("--due", required=True, type=_day, help="rectification due date YYYY-MM-DD")
    cmd = command("ready", cmd_defect_ready, "engineering: rectified, ready for re-inspection")
    cmd.add_argument("defect", type=int)
    cmd.add_argument("--version", type=int, help="the version you saw (refused when stale)")
    cmd.add_argument("--note", default="")
    cmd = command("reinspect", cmd_defect_reinspect, "customer service: accept or reject")
    cmd.add_argument("defect", type=int)
    verdict = cmd.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--accept", action="store_true")
    verdict.add_argument("--reject", action="store_true")
    cmd.add_argument("--reason", default="", help="required with --reject")
    cmd.add_argument("--version", type=int, help="the version you saw (refused when stale)")
    cmd = command("history", cmd_defect_history, "every transition: who, when, why")
    cmd.add_argument("defect", type=int)
    cmd = command("book", cmd_defect_book, "customer service: book the re-inspection slot")
    cmd.add_argument("defect", type=int)
    cmd.add_argument("--date", required=True, type=_day, help="YYYY-MM-DD")
    cmd.add_argument("--slot", required=True, help="e.g. 14:00-15:00")
    cmd.add_argument("--with-owner", action="store_true", help="the owner asked to attend")
    cmd = command("bookings", cmd_defect_bookings, "a project's re-inspection slots")
    cmd.add_argument("--project", required=True)
    cmd.add_argument("--date", type=_day, help="only this day")


def _register_unit(sub: Any) -> None:
    command = _group(sub, "unit", "a unit's hand-over: appointment and outcome")
    cmd = command("appoint", cmd_unit_appoint, "book the hand-over slot of a room")
    _room_arguments(cmd)
    cmd.add_argument("--date", required=True, type=_day, help="YYYY-MM-DD")
    cmd.add_argument("--slot", required=True, help="e.g. 09:00-10:00")
    cmd = command("handover", cmd_unit_handover, "the owner signs and takes the keys")
    _room_arguments(cmd)
    cmd.add_argument("--no-keys", action="store_true", help="signed, keys not handed yet")
    cmd.add_argument("--note", default="")
    cmd = command("refuse", cmd_unit_refuse, "the owner refuses the unit")
    _room_arguments(cmd)
    cmd.add_argument("--reason", required=True)
    cmd = command("outcomes", cmd_unit_outcomes, "every recorded hand-over outcome")
    cmd.add_argument("--project", required=True)
    cmd = command("checklist", cmd_unit_checklist, "the joint inspection checklist")
    cmd.add_argument("--name", default="standard", help="a checklist of anju/checklists/")
    cmd = command("inspect", cmd_unit_inspect, "record the joint inspection of a room")
    _room_arguments(cmd)
    cmd.add_argument(
        "--results",
        required=True,
        type=Path,
        help="JSON list of {space, item, result: pass|defect|na, note, defect: {part, category, "
        "description, severity, due}}; start from `anju unit checklist --json`",
    )
    cmd.add_argument("--name", default="standard", help="the checklist used")
    cmd = command("inspection", cmd_unit_inspection, "a room's latest joint inspection")
    _room_arguments(cmd)


def _room_arguments(cmd: Any) -> None:
    cmd.add_argument("--project", required=True)
    cmd.add_argument("--room", required=True, help="e.g. 1栋1单元101 (or 101 when unique)")
    cmd.add_argument("--owner", type=int, help="owner id (see `anju owners --json`)")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from exc


def _defect_line(row: handover.DefectView) -> str:
    late = "  逾期 OVERDUE" if row.overdue else ""
    return (
        f"#{row.defect_id} {row.state} v{row.version}  {row.location} {row.space}/{row.part}  "
        f"{row.category} {row.severity}  due {row.due_date}{late}  {row.description}"
    )


def _show_defect(args: argparse.Namespace, row: handover.DefectView) -> None:
    emit(args, row, lambda: _defect_line(row))


def cmd_defects(ctx: AppContext, args: argparse.Namespace) -> None:
    if args.overdue:
        rows = handover.overdue_rectifications(ctx, args.project, args.user)
    else:
        rows = handover.list_defects(ctx, args.project, args.user, open_only=args.open)
    emit(args, rows, lambda: "\n".join(_defect_line(row) for row in rows))


def cmd_export_defects(ctx: AppContext, args: argparse.Namespace) -> None:
    content = defect_exports.export_defects(ctx, args.project, args.user, open_only=args.open)
    path = Path(args.output)
    path.write_bytes(content)
    which = "open defects" if args.open else "defects"
    print(f"{args.project} {which} written to {path} (personal data masked; export logged)")


def cmd_defect_add(ctx: AppContext, args: argparse.Namespace) -> None:
    row = handover.add_defect(
        ctx,
        args.project,
        args.room,
        args.user,
        space=args.space,
        part=args.part,
        category=args.category,
        description=args.description,
        severity=args.severity,
        due=args.due,
    )
    _show_defect(args, row)


def cmd_defect_ready(ctx: AppContext, args: argparse.Namespace) -> None:
    _show_defect(args, handover.mark_ready(ctx, args.defect, args.user, args.version, args.note))


def cmd_defect_reinspect(ctx: AppContext, args: argparse.Namespace) -> None:
    if args.reject and not args.reason.strip():
        raise InvalidInputError("--reject needs --reason (复验不通过必须说明原因)")
    row = handover.reinspect(
        ctx, args.defect, args.user, accept=args.accept, reason=args.reason, version=args.version
    )
    _show_defect(args, row)


def cmd_defect_history(ctx: AppContext, args: argparse.Namespace) -> None:
    rows = handover.defect_history(ctx, args.defect, args.user)
    emit(args, rows, lambda: "\n".join(map(_transition_line, rows)))


def _transition_line(row: handover.TransitionView) -> str:
    why = f"  {row.reason}" if row.reason else ""
    return (
        f"{local_text(row.at)} {row.username} {row.action}: {row.from_state or '-'}"
        f" → {row.to_state}{why}"
    )


def cmd_unit_appoint(ctx: AppContext, args: argparse.Namespace) -> None:
    row = handover_units.book_appointment(
        ctx, args.project, args.room, args.user, args.date, args.slot, args.owner
    )
    emit(args, row, lambda: f"#{row.appointment_id} {row.location} {row.day} {row.slot}")


def _outcome_line(row: handover_units.OutcomeView) -> str:
    keys = "keys handed" if row.keys_handed else "no keys"
    why = f"  {row.reason}" if row.reason else ""
    return f"{row.location} {row.outcome} ({keys}, open defects {row.open_defects}){why}"


def _show_outcome(args: argparse.Namespace, row: handover_units.OutcomeView) -> None:
    emit(args, row, lambda: _outcome_line(row))


def cmd_unit_handover(ctx: AppContext, args: argparse.Namespace) -> None:
    row = handover_units.hand_over(
        ctx, args.project, args.room, args.user, args.owner, not args.no_keys, args.note
    )
    _show_outcome(args, row)


def cmd_unit_refuse(ctx: AppContext, args: argparse.Namespace) -> None:
    _show_outcome(
        args,
        handover_units.refuse(ctx, args.project, args.room, args.user, args.reason, args.owner),
    )


def cmd_unit_outcomes(ctx: AppContext, args: argparse.Namespace) -> None:
    rows = handover_units.outcomes(ctx, args.project, args.user)
    emit(args, rows, lambda: "\n".join(map(_outcome_line, rows)))


def cmd_defect_book(ctx: AppContext, args: argparse.Namespace) -> None:
    row = inspection.book_reinspection(
        ctx, args.defect, args.user, args.date, args.slot, args.with_owner
    )
    emit(args, row, lambda: _booking_line(row))


def cmd_defect_bookings(ctx: AppContext, args: argparse.Namespace) -> None:
    rows = inspection.reinspection_bookings(ctx, args.project, args.user, args.date)
    emit(args, rows, lambda: "\n".join(map(_booking_line, rows)))


def _booking_line(row: inspection.BookingView) -> str:
    owner = "  业主到场 with owner" if row.with_owner else ""
    return f"{row.day} {row.slot}  defect #{row.defect_id} {row.location}{owner}"


def cmd_unit_checklist(ctx: AppContext, args: argparse.Namespace) -> None:
    sheet = inspection.checklist(args.name)
    blank = [{"space": i.space, "item": i.item, "result": "", "note": ""} for i in sheet.items]
    emit(
        args,
        blank,
        lambda: "\n".join(
            [sheet.title] + [f"{i.position:3d} {i.space}: {i.item}" for i in sheet.items]
        ),
    )


def cmd_unit_inspect(ctx: AppContext, args: argparse.Namespace) -> None:
    results = _results(args.results)
    row = inspection.record_inspection(ctx, args.project, args.room, args.user, results, args.name)
    emit(args, row, lambda: _inspection_text(row))


def cmd_unit_inspection(ctx: AppContext, args: argparse.Namespace) -> None:
    row = inspection.latest_inspection(ctx, args.project, args.room, args.user)
    emit(args, row, lambda: _inspection_text(row) if row else "尚未查验 (not inspected yet)")


def _inspection_text(row: inspection.InspectionView) -> str:
    head = (
        f"{row.location} {local_text(row.at)} {row.username}: {row.passed} pass, "
        f"{row.defects} defect, {row.not_applicable} n/a"
    )
    lines = [
        f"  {r.space}: {r.item} → {r.result}" + (f" (defect #{r.defect_id})" if r.defect_id else "")
        for r in row.results
        if r.result != "pass"
    ]
    return "\n".join([head, *lines])


def _results(path: Path) -> list[inspection.ItemResult]:
    """The results file: a JSON list; the defect's `due` is YYYY-MM-DD."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"--results {path}: {exc}") from exc
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InvalidInputError(f"--results {path}: a JSON list of objects is needed")
    out = []
    for number, entry in enumerate(entries, start=1):
        found = entry.get("defect")
        try:
            defect = None
            if found:
                due = date.fromisoformat(str(found.get("due", "")))
                defect = handover.DefectFound(
                    space=str(entry.get("space", "")),
                    part=str(found.get("part", "")),
                    category=str(found.get("category", "")),
                    description=str(found.get("description", "")),
                    severity=str(found.get("severity", "minor")),
                    due=due,
                )
        except (AttributeError, ValueError) as exc:
            raise InvalidInputError(f"--results entry {number}: defect: {exc}") from exc
        out.append(
            inspection.ItemResult(
                str(entry.get("space", "")),
                str(entry.get("item", "")),
                str(entry.get("result", "")),
                str(entry.get("note", "")),
                defect,
            )
        )
    return out
