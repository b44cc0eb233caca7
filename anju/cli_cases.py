"""`anju cases …` commands (case library), registered into the main parser by `anju.cli`.

Owns: parsing the case commands' arguments and printing their results; every command calls one
service function of `anju.services.cases`, `case_inputs` (recommend, package, acknowledge,
verify), `case_imports`/`case_exports` (.xlsx import, export, template), `case_effectiveness`,
`case_drafts` and `case_vectors` (reindex-vectors).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from anju.cli_output import emit, json_object, print_json, refuse_invalid
from anju.services import (
    case_drafts,
    case_effectiveness,
    case_exports,
    case_imports,
    case_inputs,
    case_vectors,
    cases,
)
from anju.services.context import AppContext
from anju.services.errors import InvalidInputError
from casebase.model import Category, Stage

AddCommand = Callable[..., argparse.ArgumentParser]


def _date(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInputError(f"{name}: expected YYYY-MM-DD, got '{text}'") from exc


def cmd_search(ctx: AppContext, args: argparse.Namespace) -> None:
    filters = cases.CaseFilters(
        statuses=tuple(args.status or ["published"]),
        stage=args.stage,
        category=args.category,
        department=args.department,
        source_project=args.project,
        date_from=_date(args.since, "--since"),
        date_to=_date(args.until, "--until"),
    )
    result = cases.search_cases(ctx, args.query, args.user, filters, limit=args.limit)

    def text() -> str:
        lines = [f"{result.total} 个案例匹配「{result.query}」"]
        for hit in result.hits:
            stage = Stage(hit.stage).label
            category = Category(hit.category).label
            lines.append(f"#{hit.id} [{stage}/{category}] {hit.title}  ({hit.source_project})")
            lines.append(f"    {hit.snippet}")
        return "\n".join(lines)

    emit(args, result, text)


def cmd_show(ctx: AppContext, args: argparse.Namespace) -> None:
    detail = cases.get_case(ctx, args.case_id, args.user)

    def text() -> str:
        case = detail.case
        lines = [
            f"#{case.id} {case.title}  [{case.status}, 第 {case.version} 版]",
            f"阶段:{case.stage_label}  类别:{case.category_label}  责任部门:{case.department}",
            f"来源:{case.source_project} {case.location}  发生日期:{case.occurred_on or '-'}",
            f"问题描述:{case.description}",
            f"原因分析:{case.cause or '-'}",
            f"经验教训:{case.lesson or '-'}",
            "历史:",
        ]
        lines += [
            f"  v{r.version} {r.at:%Y-%m-%d %H:%M} {r.actor} {r.action}" for r in detail.history
        ]
        return "\n".join(lines)

    emit(args, detail, text)


def _load_json(data: str) -> dict[str, Any]:
    values = json_object(data)
    if "occurred_on" in values and values["occurred_on"] is not None:
        values["occurred_on"] = _date(str(values["occurred_on"]), "occurred_on")
    return values


def cmd_create(ctx: AppContext, args: argparse.Namespace) -> None:
    view = cases.create_case(ctx, args.user, **_load_json(args.data))
    emit(args, view, lambda: f"created draft case #{view.id}")


def cmd_edit(ctx: AppContext, args: argparse.Namespace) -> None:
    changes = _load_json(args.data)
    view = cases.edit_case(ctx, args.case_id, args.user, args.version, **changes)
    emit(args, view, lambda: f"case #{view.id} is now version {view.version}")


def cmd_publish(ctx: AppContext, args: argparse.Namespace) -> None:
    view = cases.publish_case(ctx, args.case_id, args.user)
    emit(args, view, lambda: f"case #{view.id} published")


def cmd_retire(ctx: AppContext, args: argparse.Namespace) -> None:
    view = cases.retire_case(ctx, args.case_id, args.user)
    emit(args, view, lambda: f"case #{view.id} retired")


def cmd_recommend(ctx: AppContext, args: argparse.Namespace) -> None:
    found = case_inputs.recommend(ctx, args.project, args.stage, args.text, args.limit)

    def text() -> str:
        lines = [
            f"项目 {found.project_code}「{found.stage_label}」阶段推荐案例"
            f"(接收部门:{found.department}),共 {len(found.suggestions)} 个"
        ]
        for s in found.suggestions:
            mark = "  [已在案例包中]" if s.in_package else ""
            lines.append(f"#{s.case_id} {s.title}  得分 {s.score:.2f}{mark}")
            lines.append(f"    理由:{';'.join(s.reasons)}")
        return "\n".join(lines)

    emit(args, found, text)


def _package_text(package: case_inputs.PackageView) -> str:
    signed = (
        f"{package.acknowledged_by} 于 {package.acknowledged_at:%Y-%m-%d %H:%M} 签收"
        if package.acknowledged_at
        else "待签收"
    )
    lines = [
        f"案例包 #{package.id} 项目 {package.project_code}「{package.stage_label}」"
        f"→ {package.department}({signed})"
    ]
    lines += [
        f"  条目 {i.id}: 案例 #{i.case_id} {i.case_title}  [{i.result_label}]"
        for i in package.items
    ]
    return "\n".join(lines)


def cmd_package(ctx: AppContext, args: argparse.Namespace) -> None:
    package = case_inputs.create_package(
        ctx, args.project, args.stage, args.user, args.case, args.department, args.note
    )
    emit(args, package, lambda: _package_text(package))


def cmd_acknowledge(ctx: AppContext, args: argparse.Namespace) -> None:
    package = case_inputs.acknowledge_package(ctx, args.package_id, args.user)
    emit(args, package, lambda: _package_text(package))


def cmd_verify(ctx: AppContext, args: argparse.Namespace) -> None:
    item = case_inputs.verify_item(
        ctx, args.item_id, args.user, args.result, args.reason, args.evidence
    )
    emit(
        args,
        item,
        lambda: f"条目 {item.id}(案例 #{item.case_id} {item.case_title}):{item.result_label}",
    )


def cmd_import(ctx: AppContext, args: argparse.Namespace) -> None:
    run = case_imports.preview_import if args.dry_run else case_imports.commit_import
    report = run(ctx, Path(args.file), args.user)
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
        if report.extra_columns:
            print(f"ignored columns: {', '.join(report.extra_columns)}")
        for step in report.plan:
            if step.action != "unchanged":
                number = f"#{step.case_id}" if step.case_id else "new"
                fields = f" ({', '.join(step.changes)})" if step.changes else ""
                print(f"  row {step.row_number}: {step.action} {number} {step.title}{fields}")
        for row in report.rejected:
            print(f"  row {row.row_number}: {row.reason}")
    refuse_invalid(args, report.invalid, lambda: case_exports.error_report_xlsx(report), "案例")


def cmd_export(ctx: AppContext, args: argparse.Namespace) -> None:
    export = case_exports.export_cases(ctx, args.user, args.stage, args.category)
    Path(args.output).write_bytes(export.content)
    emit(
        args,
        {"cases": export.cases, "file": args.output},
        lambda: f"{export.cases} 个案例已导出到 {args.output}",
    )


def cmd_template(ctx: AppContext, args: argparse.Namespace) -> None:
    Path(args.output).write_bytes(case_exports.template())
    emit(args, {"file": args.output}, lambda: f"template written to {args.output}")


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def cmd_effectiveness(ctx: AppContext, args: argparse.Namespace) -> None:
    report = case_effectiveness.effectiveness(ctx, args.project)

    def text() -> str:
        lines = ["项目  案例包  移交  已确认  已规避  未规避  不适用  待确认  规避率  复发"]
        for f in (*report.projects, report.total):
            lines.append(
                f"{f.project_code} {f.project_name}  {f.packages}  {f.handed_over}  {f.verified}"
                f"  {f.avoided}  {f.not_avoided}  {f.not_applicable}  {f.unverified}"
                f"  {_rate(f.avoided_rate)}  {f.recurrences}"
            )
        if report.not_avoided:
            lines.append("未规避:")
            lines += [
                f"  {m.project_code} 条目 {m.item_id} 案例 #{m.case_id} {m.case_title}:{m.reason}"
                for m in report.not_avoided
            ]
        if report.recurrences:
            lines.append("复发:")
            lines += [
                f"  {r.project_code} #{r.case_id} {r.title}({r.happened_on})"
                f" ← #{r.earlier_case_id} {r.earlier_title}({r.earlier_project},"
                f" {r.published_on} 发布,相似 {r.similarity:.0%})"
                for r in report.recurrences
            ]
        lines.append(report.rule)
        return "\n".join(lines)

    emit(args, report, text)


def cmd_draft_from_defects(ctx: AppContext, args: argparse.Namespace) -> None:
    result = case_drafts.draft_from_defects(ctx, args.project, args.user)

    def text() -> str:
        lines = [
            f"项目 {result.project_code}:{result.defects} 个交房问题,新建草稿案例 "
            f"{len(result.created)} 个,此前已生成 {len(result.already)} 个"
        ]
        lines += [
            f"  #{c.id} {c.title}  [{c.category_label}] {c.location}(问题 #{c.source_record_id})"
            for c in result.created
        ]
        return "\n".join(lines)

    emit(args, result, text)


def cmd_reindex_vectors(ctx: AppContext, args: argparse.Namespace) -> None:
    out = sys.stderr if args.json else sys.stdout

    def progress(step: case_vectors.ReindexProgress) -> None:
        print(f"{step.done}/{step.total} cases embedded ({step.seconds:.1f} s)", file=out)

    result = case_vectors.reindex_vectors(
        ctx, args.user, missing_only=args.missing, batch=args.batch, progress=progress
    )
    emit(
        args,
        result,
        lambda: (
            f"{result.cases} 个案例的含义向量已写入 ({result.model}, {result.dim} 维, "
            f"{result.seconds:.1f} s, {result.embed_ms_per_case:.2f} ms/案例)"
        ),
    )


def register(sub: Any, add: AddCommand) -> None:
    """Add `anju cases …` (the case library) with its own sub-commands, each with --json."""
    group = sub.add_parser("cases", help="the case library (lessons learned)")
    cases_sub = group.add_subparsers(dest="cases_command", required=True)

    def command(name: str, handler: Callable[..., None], help_text: str) -> Any:
        cmd = cases_sub.add_parser(name, help=help_text)
        cmd.set_defaults(handler=handler)
        cmd.add_argument("--json", action="store_true", help="print JSON")
        return cmd

    search = command("search", cmd_search, "search cases (Chinese text, any length)")
    search.add_argument("query", help="e.g. 漏水, 外墙渗水; empty string lists by date")
    search.add_argument("--stage", choices=[s.value for s in Stage])
    search.add_argument("--category", choices=[c.value for c in Category])
    search.add_argument("--department", help="responsible department (role id)")
    search.add_argument("--project", help="source project")
    search.add_argument("--since", help="occurred on or after YYYY-MM-DD")
    search.add_argument("--until", help="occurred on or before YYYY-MM-DD")
    search.add_argument("--status", action="append", choices=["draft", "published", "retired"])
    search.add_argument("--user", help="search as this user (writers also see drafts)")
    search.add_argument("--limit", type=int, default=20)
    show = command("show", cmd_show, "a case with its edit history")
    show.add_argument("case_id", type=int)
    show.add_argument("--user", required=True)
    create = command("create", cmd_create, "write a draft case from JSON fields")
    create.add_argument("--user", required=True)
    create.add_argument("--data", required=True, help='JSON, e.g. \'{"title": "...", ...}\'')
    edit = command("edit", cmd_edit, "change fields of a case (version check)")
    edit.add_argument("case_id", type=int)
    edit.add_argument("--user", required=True)
    edit.add_argument("--version", type=int, required=True, help="the version you edited")
    edit.add_argument("--data", required=True, help="JSON of the changed fields")
    recommend = command("recommend", cmd_recommend, "cases ranked for a project stage, with why")
    recommend.add_argument("--project", required=True, help="project code")
    recommend.add_argument("--stage", choices=[s.value for s in Stage], help="default: current")
    recommend.add_argument("--text", default="", help="what to look for, e.g. 外墙渗水")
    recommend.add_argument("--limit", type=int, default=20)
    package = command("package", cmd_package, "hand cases to a department (case-input package)")
    package.add_argument("--project", required=True, help="project code")
    package.add_argument("--stage", required=True, choices=[s.value for s in Stage])
    package.add_argument("--user", required=True, help="a customer-service user")
    package.add_argument("--case", type=int, action="append", required=True, help="case id")
    package.add_argument("--department", help="receiving role (default: the stage's)")
    package.add_argument("--note", default="")
    acknowledge = command("acknowledge", cmd_acknowledge, "the receiving department signs")
    acknowledge.add_argument("package_id", type=int)
    acknowledge.add_argument("--user", required=True)
    verify = command("verify", cmd_verify, "record whether a packaged case was avoided")
    verify.add_argument("item_id", type=int, help="package item id (see `anju cases package`)")
    verify.add_argument("--user", required=True, help="a customer-service user")
    verify.add_argument(
        "--result", required=True, choices=["avoided", "not_avoided", "not_applicable"]
    )
    verify.add_argument("--reason", default="", help="required unless avoided")
    verify.add_argument("--evidence", default="", help="required when not avoided")
    imports = command("import", cmd_import, "import cases from .xlsx (preview with --dry-run)")
    imports.add_argument("file", help="the cases .xlsx (see `anju cases template`)")
    imports.add_argument("--user", required=True, help="customer service or admin")
    imports.add_argument("--dry-run", action="store_true", help="preview only: write nothing")
    imports.add_argument(
        "--errors-xlsx", metavar="PATH", help="write refused rows (cells + reason) to this .xlsx"
    )
    export = command("export", cmd_export, "export cases to .xlsx (re-importable)")
    export.add_argument("-o", "--output", required=True, help="where to write the .xlsx")
    export.add_argument("--user", required=True, help="writers also export drafts and retired")
    export.add_argument("--stage", choices=[s.value for s in Stage])
    export.add_argument("--category", choices=[c.value for c in Category])
    template = command("template", cmd_template, "write the case import template")
    template.add_argument("-o", "--output", required=True, help="where to write the .xlsx")
    figures = command("effectiveness", cmd_effectiveness, "avoided rate, not avoided, recurrences")
    figures.add_argument("--project", help="project code (default: every project and the total)")
    drafts = command("draft-from-defects", cmd_draft_from_defects, "draft cases from defects")
    drafts.add_argument("--project", required=True, help="project code")
    drafts.add_argument("--user", required=True, help="customer service or admin")
    vectors = command(
        "reindex-vectors", cmd_reindex_vectors, "rebuild the meaning vectors (in batches)"
    )
    vectors.add_argument("--user", required=True, help="customer service or admin")
    vectors.add_argument("--missing", action="store_true", help="only cases without a vector")
    vectors.add_argument("--batch", type=int, default=case_vectors.BATCH, help="cases a commit")
    for name, handler in (("publish", cmd_publish), ("retire", cmd_retire)):
        cmd = command(name, handler, f"{name} a case")
        cmd.add_argument("case_id", type=int)
        cmd.add_argument("--user", required=True)
