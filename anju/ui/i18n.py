"""The message catalogue: every visible string of the UI, in Simplified Chinese and English.

Owns: message keys and their texts, and `t()` to look one up in the current language.
A test fails when a key is missing in either language.
"""

from __future__ import annotations

from typing import Any

DEFAULT_LANGUAGE = "zh"
LANGUAGES = {"zh": "中文", "en": "English"}

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "app.title": "安居 · 客户服务流程",
        "login.title": "登录",
        "login.username": "用户名",
        "login.password": "密码",
        "login.submit": "登录",
        "login.failed": "用户名或密码错误。",
        "logout": "退出登录",
        "language": "语言",
        "signed_in_as": "当前用户：{name}（{roles}）",
        "page.my_tasks": "我的任务",
        "page.approvals": "审批",
        "page.projects": "项目",
        "tasks.none": "目前没有待办任务。",
        "tasks.count": "共 {count} 项待办任务",
        "tasks.pick": "选择任务",
        "tasks.project": "项目",
        "tasks.stage": "阶段",
        "tasks.name": "任务",
        "tasks.role": "部门",
        "tasks.due": "截止",
        "tasks.overdue": "逾期",
        "tasks.comment": "备注",
        "tasks.complete": "完成任务",
        "tasks.completed": "已完成“{name}”。",
        "tasks.sent_back": "被退回：{by} 于 {at} 退回，理由：{comment}",
        "approvals.none": "目前没有待审批事项。",
        "approvals.comment": "审批意见（驳回时必填）",
        "approvals.approve": "通过",
        "approvals.reject": "驳回",
        "approvals.approved": "已通过“{name}”。",
        "approvals.rejected": "已驳回“{name}”，已退回阶段。",
        "projects.code": "编号",
        "projects.name": "项目",
        "projects.city": "城市",
        "projects.stage": "当前阶段",
        "projects.progress": "进度",
        "projects.ready": "待办",
        "projects.overdue": "逾期",
        "projects.handover": "计划交房",
        "projects.done": "已完成",
        "forbidden": "您的角色无权查看此页面。",
        "error.generic": "操作未完成：{message}",
    },
    "en": {
        "app.title": "Anju · Customer-service process",
        "login.title": "Sign in",
        "login.username": "User name",
        "login.password": "Password",
        "login.submit": "Sign in",
        "login.failed": "Wrong user name or password.",
        "logout": "Sign out",
        "language": "Language",
        "signed_in_as": "Signed in as {name} ({roles})",
        "page.my_tasks": "My tasks",
        "page.approvals": "Approvals",
        "page.projects": "Projects",
        "tasks.none": "Nothing to do right now.",
        "tasks.count": "{count} open tasks",
        "tasks.pick": "Choose a task",
        "tasks.project": "Project",
        "tasks.stage": "Stage",
        "tasks.name": "Task",
        "tasks.role": "Department",
        "tasks.due": "Due",
        "tasks.overdue": "Overdue",
        "tasks.comment": "Comment",
        "tasks.complete": "Complete task",
        "tasks.completed": "Completed '{name}'.",
        "tasks.sent_back": "Sent back by {by} at {at}: {comment}",
        "approvals.none": "Nothing waits for your approval.",
        "approvals.comment": "Comment (required to reject)",
        "approvals.approve": "Approve",
        "approvals.reject": "Reject",
        "approvals.approved": "Approved '{name}'.",
        "approvals.rejected": "Rejected '{name}'; the stage goes back.",
        "projects.code": "Code",
        "projects.name": "Project",
        "projects.city": "City",
        "projects.stage": "Stage",
        "projects.progress": "Progress",
        "projects.ready": "Open",
        "projects.overdue": "Overdue",
        "projects.handover": "Planned hand-over",
        "projects.done": "Completed",
        "forbidden": "Your roles may not see this page.",
        "error.generic": "Not done: {message}",
    },
}


def translate(language: str, key: str, **values: Any) -> str:
    """The text of `key` in `language` (falling back to Chinese), with `values` filled in."""
    catalogue = MESSAGES.get(language, MESSAGES[DEFAULT_LANGUAGE])
    return catalogue[key].format(**values) if values else catalogue[key]
