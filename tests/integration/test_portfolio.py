"""The portfolio a page at a time: search by code or name, counts for the page's projects."""

from __future__ import annotations

from datetime import date

from anju.services import projects
from anju.services.context import AppContext


def start(ctx: AppContext, code: str, name: str) -> None:
    projects.start_project(ctx, code, name, "苏州", "洋房", date(2028, 6, 30), "kefu")


def test_the_portfolio_pages_and_searches_by_code_or_name(ctx: AppContext) -> None:
    for code, name in [
        ("SZ-01", "翠湖花园"),
        ("SZ-02", "翠湖二期"),
        ("HZ-01", "西溪里"),
        ("X_1", "百分之百"),
    ]:
        start(ctx, code, name)
    first = projects.project_page(ctx, page_size=3)
    assert (first.total, first.pages, [p.code for p in first.rows]) == (
        4,
        2,
        ["HZ-01", "SZ-01", "SZ-02"],
    )
    assert first.rows[0].ready_tasks == 2  # the design stage's two CS tasks, counted per page
    assert [p.code for p in projects.project_page(ctx, page=2, page_size=3).rows] == ["X_1"]
    assert [p.code for p in projects.project_page(ctx, page=9, page_size=3).rows] == ["X_1"]

    assert [p.code for p in projects.project_page(ctx, "翠湖").rows] == ["SZ-01", "SZ-02"]
    assert [p.code for p in projects.project_page(ctx, "sz-0").rows] == ["SZ-01", "SZ-02"]
    assert [p.code for p in projects.project_page(ctx, "_").rows] == ["X_1"]  # literal, no wildcard
    assert projects.project_page(ctx, "%").total == 0
    assert projects.project_names(ctx)["HZ-01"] == "西溪里"


def test_the_project_picker_sees_a_project_started_after_it_was_read(ctx: AppContext) -> None:
    start(ctx, "NJ-01", "玄武湖畔")
    assert dict(projects.project_names(ctx)) == {"NJ-01": "玄武湖畔"}
    start(ctx, "NJ-02", "紫金山庄")  # the names are kept between calls, until projects change
    assert dict(projects.project_names(ctx)) == {"NJ-01": "玄武湖畔", "NJ-02": "紫金山庄"}
