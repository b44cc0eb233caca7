"""HTML of the reports: one Jinja2 environment over `templates/`, StrictUndefined, autoescape.

Owns: the environment (a field a template reads that its context does not have is an error,
never a blank; every value is HTML-escaped), the display filters (Asia/Shanghai times,
Chinese labels of states and outcomes) and `render_html(report)`. Imports Jinja2; nothing of
Anju but the contexts, the configuration and `anju.localtime`.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from anju.config import REPO_ROOT
from anju.localtime import local_date, local_text
from anju.reports.contexts import Report

TEMPLATES = REPO_ROOT / "templates"

LABELS = {  # codes stored in the database → what the report prints
    "open": "待整改",
    "ready_for_review": "待复验",
    "closed": "已关闭",
    "assigned": "派单整改",
    "ready": "整改完成",
    "accepted": "复验通过",
    "not_accepted": "复验不通过",
    "minor": "一般",
    "major": "较重",
    "critical": "严重",
    "handed_over": "已交付",
    "refused": "拒收",
    "pending": "待交付",
}


def label(code: str) -> str:
    """The Chinese label of a state, action, severity or outcome code (the code if unknown)."""
    return LABELS.get(code, code)


def local_time(moment: datetime | None) -> str:
    """`2026-03-02 09:30` in the display time zone (Asia/Shanghai); '' for None."""
    return "" if moment is None else local_text(moment)


def local_day(moment: date | datetime | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return local_date(moment).isoformat()
    return moment.isoformat()


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(label=label, local_time=local_time, local_day=local_day)
    return env


def render_template(name: str, **values: Any) -> str:
    """Render one template of `templates/` with these values (StrictUndefined, escaped)."""
    return environment().get_template(name).render(**values)


def render_html(report: Report) -> str:
    """The report as a whole HTML document; its template is `report.template`, its
    context is `r`."""
    return render_template(report.template, r=report)
