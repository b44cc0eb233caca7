"""`anju report …` commands: the generated reports, registered into the main parser by `anju.cli`.

Owns: parsing `anju report handover` and `anju report bulletin` and writing their files: the
project report, one unit's report, several units' reports as one zip (one file per unit, with
progress on stderr), or a case bulletin. Calls `anju.services.handover_reports` and
`case_bulletin`; must not import SQLAlchemy, Jinja2, WeasyPrint or Streamlit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from anju.services import case_bulletin, handover_reports
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError

AddCommand = Callable[..., argparse.ArgumentParser]


def register(sub: Any, add: AddCommand) -> None:
    """Add `anju report handover` and `anju report bulletin`."""
    group = sub.add_parser("report", help="generated reports (HTML, PDF)")
    group_sub = group.add_subparsers(dest="report_command", required=True)
    cmd = group_sub.add_parser(
        "handover",
        help="交房报告: the project report, or unit reports with --unit",
        description="Without --unit: the project's hand-over report. With one --unit: that "
        "room's report. With --unit all (or several --unit): a zip of one file per room.",
    )
    cmd.set_defaults(handler=cmd_report_handover, json=False)
    cmd.add_argument("--project", required=True)
    cmd.add_argument("--user", required=True)
    cmd.add_argument(
        "--unit",
        action="append",
        default=[],
        help="a room, e.g. 1栋1单元101; repeat or separate with commas; 'all' for every room",
    )
    cmd.add_argument("--format", choices=handover_reports.FORMATS, default="pdf")
    cmd.add_argument("-o", "--output", required=True, type=Path, help="file to write")
    bulletin = group_sub.add_parser(
        "bulletin",
        help="案例通报: chosen cases of the case library, for design and engineering",
        description="The bulletin of the cases given with --case, in that order.",
    )
    bulletin.set_defaults(handler=cmd_report_bulletin, json=False)
    bulletin.add_argument(
        "--case", action="append", required=True, help="a case id; repeat or separate with commas"
    )
    bulletin.add_argument("--user", required=True)
    bulletin.add_argument("--title", default=None, help="通报标题 (default 案例通报)")
    bulletin.add_argument("--format", choices=case_bulletin.FORMATS, default="pdf")
    bulletin.add_argument("-o", "--output", required=True, type=Path, help="file to write")


def cmd_report_bulletin(ctx: AppContext, args: argparse.Namespace) -> None:
    values = [v.strip().lstrip("#") for value in args.case for v in value.split(",") if v.strip()]
    bad = [v for v in values if not v.isdigit()]
    if bad:
        raise InvalidInputError(f"案例编号应为数字 (case ids are numbers): {', '.join(bad)}")
    report = case_bulletin.bulletin(ctx, [int(v) for v in values], args.user, args.title)
    _write(args.output, case_bulletin.render(report, args.format))
    print(f"{args.output} ({len(report.cases)} cases)")


def cmd_report_handover(ctx: AppContext, args: argparse.Namespace) -> None:
    rooms = [name.strip() for value in args.unit for name in value.split(",") if name.strip()]
    output: Path = args.output
    if not rooms:
        project = handover_reports.project_report(ctx, args.project, args.user)
        _write(output, next(handover_reports.render([project], args.format)))
        print(f"{output}")
        return
    every = [name.lower() for name in rooms] == ["all"]
    reports = handover_reports.unit_reports(ctx, args.project, args.user, [] if every else rooms)
    if len(reports) == 1 and not every:
        _write(output, next(handover_reports.render(reports, args.format)))
        print(f"{output}")
        return
    if output.suffix.lower() != ".zip":
        raise InvalidInputError(f"多户报告写入 zip 文件 (several units go into a .zip): {output}")

    def progress(done: int, total: int, room: str) -> None:
        print(f"[{done}/{total}] {room}", file=sys.stderr)

    _write(output, handover_reports.units_zip(reports, args.format, progress))
    print(f"{output} ({len(reports)} units)")


def _write(output: Path, data: bytes) -> None:
    """Write the whole file or nothing: a failed render leaves no half-written report."""
    partial = output.with_name(output.name + ".part")
    partial.write_bytes(data)
    partial.replace(output)
