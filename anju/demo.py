"""The demo portfolio: six projects of a fictional developer, each driven to a different stage.

Owns: the demo users (one per role) and projects. Everything is built through the real
services on the real BPMN: tasks are completed and gates approved by the demo user of each
lane, with a clock that walks forward from the project's start, so the history reads like a
real one. Names, places and texts are invented for Anju.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from anju import demo_cases, demo_handover, demo_owners
from anju.services import approvals, auth, case_inputs, projects, tasks, timers, users
from anju.services.context import AppContext

DEMO_USERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("kefu", "王晓燕", ("customer_service",)),
    ("kefu2", "刘海波", ("customer_service",)),
    ("kefujingli", "张静", ("cs_manager", "customer_service")),
    ("sheji", "陈立伟", ("design",)),
    ("gongcheng", "赵建国", ("engineering",)),
    ("xiaoshou", "李思琪", ("sales",)),
    ("wuye", "周敏", ("property",)),
    ("lingdao", "孙志强", ("leader",)),
    ("zongjingli", "郑国华", ("gm",)),
    ("admin", "系统管理员", ("admin", "customer_service")),
)
DEMO_PASSWORD = "anju-demo"  # noqa: S105 - every demo user's password; documented in the README
ROLE_USER = {roles[0]: username for username, _, roles in DEMO_USERS if username != "kefu2"}
ROLE_USER["customer_service"] = "kefu"

_TEXTS = {
    "opinions": "地下车库坡道转弯半径偏小；两梯四户户型的卫生间排气道位置需与案例 #12 对照调整。",
    "summary": "本阶段任务均已按期完成，遗留事项已列入下一阶段跟踪清单。",
}


@dataclass(frozen=True)
class DemoProject:
    code: str
    name: str
    city: str
    product_type: str
    handover_in_days: int
    started_days_ago: int
    step_days: float
    until_stage: str
    tasks_into_stage: int


PORTFOLIO: tuple[DemoProject, ...] = (
    DemoProject("HZ-CHYJ", "翠湖云境", "杭州", "高层住宅", 1100, 6, 2, "design_stage", 0),
    DemoProject("CD-JLF", "锦澜府", "成都", "洋房", 520, 300, 6, "sales_stage", 2),
    DemoProject("WH-JPCX", "江畔春晓", "武汉", "高层住宅", 40, 700, 10, "construction_stage", 99),
    DemoProject("NJ-QXYY", "栖霞雅苑", "南京", "叠墅", -12, 760, 10, "handover_stage", 3),
    DemoProject("GZ-GYSF", "桂语山房", "广州", "高层住宅", -75, 820, 10, "occupancy_stage", 2),
    DemoProject("QD-HTW", "海棠湾一期", "青岛", "洋房", -260, 1100, 10, "summary_stage", 2),
)


class _WalkingClock:
    def __init__(self, start: datetime, limit: datetime) -> None:
        self.moment = start
        self.limit = limit

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, days: float) -> None:
        self.moment = min(self.moment + timedelta(days=days), self.limit)


def _form(fields: tuple[dict[str, Any], ...], today: date) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in fields:
        kind, name = field["type"], field["name"]
        if kind == "date":
            values[name] = today.isoformat()
        elif kind == "bool":
            values[name] = True
        elif kind == "number":
            values[name] = 0 if "unrectifiable" in name else 12
        else:
            values[name] = _TEXTS.get(name, f"{field['label']}：已按要求完成并归档。")
    return values


def _drive(ctx: AppContext, spec: DemoProject, clock: _WalkingClock) -> None:
    """Complete the project's tasks in due order until it is `tasks_into_stage` into its stage."""
    into_stage = 0
    while True:
        summary = projects.get_project(ctx, spec.code)
        if summary.stage_key == spec.until_stage and into_stage >= spec.tasks_into_stage:
            return
        ready = tasks.list_tasks(ctx, project=spec.code)
        if not ready:
            if summary.next_timer_at is None or summary.next_timer_at > clock.limit:
                return
            clock.moment = max(clock.moment, summary.next_timer_at + timedelta(hours=1))
            timers.fire_due_timers(ctx)
            continue
        task = ready[0]
        user = ROLE_USER[task.role or "customer_service"]
        if task.approval:
            approvals.approve(ctx, task.task_id, user, "同意。")
        else:
            detail = tasks.task_detail(ctx, task.task_id)
            tasks.complete(ctx, task.task_id, user, _form(detail.fields, clock.moment.date()))
        if summary.stage_key == spec.until_stage:
            into_stage += 1
        clock.advance(spec.step_days)


def load(ctx: AppContext) -> list[str]:
    """Create the demo users (if missing), the case library and the demo projects.

    Returns the project codes.
    """
    existing = {user.username for user in users.list_users(ctx)}
    for username, name, roles in DEMO_USERS:
        if username not in existing:
            users.add_user(ctx, username, name, list(roles))
            auth.set_password(ctx, username, DEMO_PASSWORD)
    demo_cases.load(ctx)
    now = ctx.now()
    created = []
    for spec in PORTFOLIO:
        clock = _WalkingClock(now - timedelta(days=spec.started_days_ago), now)
        walking = dataclasses.replace(ctx, clock=clock)
        projects.start_project(
            walking,
            spec.code,
            spec.name,
            spec.city,
            spec.product_type,
            (now + timedelta(days=spec.handover_in_days)).date(),
            "kefu",
        )
        _drive(walking, spec, clock)
        created.append(spec.code)
    _design_case_package(ctx, "HZ-CHYJ")
    demo_owners.load(ctx)  # the owners of 栖霞雅苑, imported from Excel as sales would send them
    demo_handover.load(ctx)  # the hand-over of 栖霞雅苑: defects, rectifications, refusals
    return created


def _design_case_package(ctx: AppContext, code: str) -> None:
    """The design-stage project gets a case-input package that design signed for, half verified."""
    suggested = case_inputs.recommend(ctx, code, "design", limit=6).suggestions
    package = case_inputs.create_package(
        ctx, code, "design", "kefu", [s.case_id for s in suggested], note="方案设计前请逐条对照。"
    )
    case_inputs.acknowledge_package(ctx, package.id, "sheji")
    outcomes = [
        ("avoided", "方案已按案例建议调整。", "方案图第3版"),
        ("not_applicable", "所涉部位本项目不采用，已与设计管理部确认。", ""),
        ("avoided", "已纳入设计任务书。", "设计任务书第4.2条"),
    ]
    for item, (result, reason, evidence) in zip(package.items, outcomes, strict=False):
        case_inputs.verify_item(ctx, item.id, "kefu", result, reason, evidence)
