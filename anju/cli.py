"""The `anju` command: every use case from a terminal, with `--json` on every listing.

Owns: argument parsing and printing. Each command calls one service function; errors a user
can cause are printed as one line on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from anju import bootstrap, cli_cases, cli_handover, cli_owners, cli_report, demo
from anju.cli_output import emit, json_object, plain
from anju.config import Settings
from anju.localtime import local_text
from anju.services import approvals, incidents, processes, projects, tasks, timers, users
from anju.services.context import AppContext
from anju.services.errors import AnjuError


def _when(value: datetime | None) -> str:
    if value is None:
        return "-"
    return local_text(value)


def _table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]

    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)

    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        lines.append("  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


def _parse_now(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ------------------------------------------------------------------------------ commands


def cmd_init(ctx: AppContext, args: argparse.Namespace) -> None:
    result = bootstrap.init(ctx)
    state = "deployed new version" if result.created else "process unchanged, version"
    print(f"database ready; {state} {result.version[:12]}")


def cmd_demo(ctx: AppContext, args: argparse.Namespace) -> None:
    if args.if_empty and projects.project_count(ctx) > 0:
        print("demo portfolio already loaded")
        return
    created = demo.load(ctx)
    print(f"demo portfolio loaded: {len(created)} projects; demo users:")
    for user in users.list_users(ctx):
        print(f"  {user.username:<10} {user.display_name}  {', '.join(user.roles)}")


def cmd_project_start(ctx: AppContext, args: argparse.Namespace) -> None:
    summary = projects.start_project(
        ctx,
        args.code,
        args.name,
        args.city,
        args.product_type,
        date.fromisoformat(args.handover),
        args.user,
    )
    emit(args, summary, lambda: f"started {summary.code} {summary.name}: {summary.stage_name}")


def cmd_projects(ctx: AppContext, args: argparse.Namespace) -> None:
    rows = projects.list_projects(ctx)
    emit(
        args,
        rows,
        lambda: _table(
            [
                (
                    p.code,
                    p.name,
                    p.city,
                    p.stage_name or ("已完成" if p.status == "completed" else "-"),
                    f"{p.progress}%",
                    p.ready_tasks,
                    p.overdue_tasks,
                    p.planned_handover_date,
                )
                for p in rows
            ],
            ["code", "name", "city", "stage", "progress", "tasks", "overdue", "hand-over"],
        ),
    )


def cmd_tasks(ctx: AppContext, args: argparse.Namespace) -> None:
    rows = tasks.list_tasks(ctx, role=args.role, username=args.user, project=args.project)
    emit(
        args,
        rows,
        lambda: _table(
            [
                (
                    t.task_id,
                    t.project_code,
                    t.stage_key or "-",
                    t.name + (" [审批]" if t.approval else ""),
                    t.role,
                    t.assignee or "-",
                    _when(t.due_at) + (" 逾期" if t.overdue else ""),
                )
                for t in rows
            ],
            ["task", "project", "stage", "name", "role", "assignee", "due"],
        ),
    )


def cmd_task(ctx: AppContext, args: argparse.Namespace) -> None:
    detail = tasks.task_detail(ctx, args.task)

    def text() -> str:
        row = detail.row
        lines = [
            f"{row.name} ({row.bpmn_id}) - {row.project_code}, {row.stage_key or '-'}",
            f"role: {row.role}; assignee: {row.assignee or '-'}; due: {_when(row.due_at)}",
            "",
            detail.documentation,
            "",
        ]
        if row.approval:
            lines.append("approval: use `anju approve` or `anju reject --comment`")
        for field in detail.fields:
            need = "required" if field["required"] else "optional"
            lines.append(f"  {field['name']:<28} {field['type']:<6} {need:<8} {field['label']}")
        if row.context.get("last_rejection"):
            lines.append(f"sent back: {row.context['last_rejection']}")
        return "\n".join(lines)

    emit(args, detail, text)


def cmd_claim(ctx: AppContext, args: argparse.Namespace) -> None:
    row = tasks.claim(ctx, args.task, args.user)
    print(f"claimed '{row.name}' for {args.user}")


def cmd_release(ctx: AppContext, args: argparse.Namespace) -> None:
    row = tasks.release(ctx, args.task, args.user)
    print(f"released '{row.name}'")


def _print_result(args: argparse.Namespace, result: tasks.ActionResult, verb: str) -> None:
    emit(
        args,
        result,
        lambda: (
            f"{verb} '{result.task_name}' ({result.project_code}); now ready: "
            + (", ".join(result.next_tasks) or "nothing")
        ),
    )


def cmd_complete(ctx: AppContext, args: argparse.Namespace) -> None:
    data = json_object(args.data)
    _print_result(args, tasks.complete(ctx, args.task, args.user, data), "completed")


def cmd_approve(ctx: AppContext, args: argparse.Namespace) -> None:
    _print_result(args, approvals.approve(ctx, args.task, args.user, args.comment), "approved")


def cmd_reject(ctx: AppContext, args: argparse.Namespace) -> None:
    _print_result(args, approvals.reject(ctx, args.task, args.user, args.comment), "rejected")


def cmd_history(ctx: AppContext, args: argparse.Namespace) -> None:
    rows = projects.history(ctx, args.project)
    emit(
        args,
        rows,
        lambda: _table(
            [
                (
                    _when(h.at),
                    h.actor_name,
                    h.event,
                    h.task_name or "-",
                    h.decision or "",
                    h.comment or "",
                )
                for h in rows
            ],
            ["when", "who", "event", "task", "decision", "comment"],
        ),
    )


def cmd_worker(ctx: AppContext, args: argparse.Namespace) -> None:
    now = _parse_now(args.now)
    try:
        while True:
            fired = timers.fire_due_timers(ctx, now)
            if args.json:
                print(json.dumps(plain(fired), ensure_ascii=False))
            for timer in [] if args.json else fired:
                print(f"fired '{timer.timer}' (due {_when(timer.due_at)}) for {timer.project_code}")
            if args.once:
                return
            sys.stdout.flush()
            time.sleep(args.interval)
    except KeyboardInterrupt:
        print("worker stopped", file=sys.stderr)


def cmd_specs(ctx: AppContext, args: argparse.Namespace) -> None:
    rows = processes.list_versions(ctx)
    emit(
        args,
        rows,
        lambda: _table(
            [
                (
                    ("* " if v.is_current else "  ") + v.version[:12],
                    _when(v.deployed_at),
                    v.deployed_by,
                    len(v.files),
                    v.instances,
                )
                for v in rows
            ],
            ["version", "deployed", "by", "files", "instances"],
        ),
    )


def cmd_deploy(ctx: AppContext, args: argparse.Namespace) -> None:
    result = processes.deploy_file(ctx, Path(args.file), args.user)
    verb = "deployed new version" if result.created else "already deployed:"
    print(f"{verb} {result.version[:12]} (changed: {', '.join(result.changed_files) or 'none'})")


def cmd_users(ctx: AppContext, args: argparse.Namespace) -> None:
    rows = users.list_users(ctx)
    emit(
        args,
        rows,
        lambda: _table(
            [(u.username, u.display_name, ", ".join(u.roles)) for u in rows],
            ["user", "name", "roles"],
        ),
    )


def cmd_incidents(ctx: AppContext, args: argparse.Namespace) -> None:
    rows = incidents.open_incidents(ctx)
    emit(
        args,
        rows,
        lambda: _table(
            [
                (i.id, _when(i.at), i.project_code or "-", i.task_name or "-", i.actor, i.error)
                for i in rows
            ],
            ["#", "when", "project", "task", "by", "error"],
        ),
    )


def cmd_user_add(ctx: AppContext, args: argparse.Namespace) -> None:
    user = users.add_user(ctx, args.username, args.name, args.role)
    print(f"added {user.username} ({', '.join(user.roles)})")


# ------------------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anju", description="Anju customer-service process engine"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Callable[..., None], help_text: str, listing: bool = False) -> Any:
        cmd = sub.add_parser(name, help=help_text)
        cmd.set_defaults(handler=handler)
        cmd.add_argument(
            "--json", action="store_true", help="print JSON" if listing else argparse.SUPPRESS
        )
        return cmd

    add("init", cmd_init, "create/migrate the database and deploy bpmn/")
    demo_cmd = add("demo", cmd_demo, "load the demo portfolio and demo users")
    demo_cmd.add_argument("--if-empty", action="store_true", help="only when no project exists")

    project = sub.add_parser("project", help="project commands")
    project_sub = project.add_subparsers(dest="project_command", required=True)
    start = project_sub.add_parser("start", help="register a project and start its lifecycle")
    start.set_defaults(handler=cmd_project_start)
    start.add_argument("--json", action="store_true")
    start.add_argument("--code", required=True)
    start.add_argument("--name", required=True)
    start.add_argument("--city", required=True)
    start.add_argument("--product-type", required=True, help="e.g. 高层住宅, 洋房, 别墅")
    start.add_argument("--handover", required=True, help="planned hand-over date YYYY-MM-DD")
    start.add_argument("--user", required=True)

    add("projects", cmd_projects, "the portfolio", listing=True)
    listing = add("tasks", cmd_tasks, "ready tasks", listing=True)
    listing.add_argument("--role")
    listing.add_argument("--user", help="tasks of this user's roles and claimed by them")
    listing.add_argument("--project", help="project code")
    show = add("task", cmd_task, "a ready task: documentation and form fields", listing=True)
    show.add_argument("task")

    for name, handler, help_text in (
        ("claim", cmd_claim, "claim a task"),
        ("release", cmd_release, "release a claimed task"),
    ):
        cmd = add(name, handler, help_text)
        cmd.add_argument("task")
        cmd.add_argument("--user", required=True)
    complete = add("complete", cmd_complete, "complete a task with form data", listing=True)
    complete.add_argument("task")
    complete.add_argument("--user", required=True)
    complete.add_argument("--data", help='form data as JSON, e.g. \'{"opinions": "..."}\'')
    for name, handler in (("approve", cmd_approve), ("reject", cmd_reject)):
        cmd = add(name, handler, f"{name} an approval task", listing=True)
        cmd.add_argument("task")
        cmd.add_argument("--user", required=True)
        cmd.add_argument("--comment", required=name == "reject", default="")

    hist = add("history", cmd_history, "a project's audit trail", listing=True)
    hist.add_argument("project")
    worker = add("worker", cmd_worker, "fire due timers (loop, or --once)", listing=True)
    worker.add_argument("--once", action="store_true")
    worker.add_argument("--now", help="ISO 8601 time to fire timers at (default: now)")
    worker.add_argument("--interval", type=float, default=30.0, help="seconds between rounds")
    add("specs", cmd_specs, "deployed process versions", listing=True)
    deploy = add("deploy", cmd_deploy, "admin: validate and deploy a BPMN file")
    deploy.add_argument("file")
    deploy.add_argument("--user", required=True)
    add("users", cmd_users, "users and roles", listing=True)
    add("incidents", cmd_incidents, "failed task runs (rolled back) for admins", listing=True)
    cli_cases.register(sub, add)
    cli_owners.register(sub, add)
    cli_handover.register(sub, add)
    cli_report.register(sub, add)
    user = sub.add_parser("user", help="user commands")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    user_add = user_sub.add_parser("add", help="add a user")
    user_add.set_defaults(handler=cmd_user_add, json=False)
    user_add.add_argument("username")
    user_add.add_argument("--name", required=True)
    user_add.add_argument("--role", action="append", required=True)
    return parser


def main(argv: Sequence[str] | None = None, ctx: AppContext | None = None) -> int:
    args = build_parser().parse_args(argv)
    context = ctx or bootstrap.build_context(Settings.from_env())
    try:
        args.handler(context, args)
    except AnjuError as exc:
        print(f"anju: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
