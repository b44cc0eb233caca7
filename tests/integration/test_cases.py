"""The case library through its services and CLI, on SQLite and PostgreSQL: search of every
query length (exact and ranked), filters, hostile input, versions, status and permissions."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from anju import cli, demo_cases
from anju.services import cases
from anju.services.context import AppContext
from anju.services.errors import ConflictError, NotFoundError, PermissionDeniedError
from casebase.model import CaseContent
from casebase.search import normalise, parse_query, score

NEW_CASE = {
    "title": "卫生间地漏反味",
    "description": "业主反映卫生间地漏异味倒灌。",
    "stage": "handover",
    "category": "quality",
    "department": "engineering",
}


def expected_ranking(ctx: AppContext, query: str) -> list[tuple[int, int]]:
    """(id, score) of every published case containing each term, ordered by the documented
    rule, in Python."""
    terms = parse_query(query).terms
    found = cases.search_cases(ctx, "", "kefu", limit=200)  # every published case, by date
    ranked = []
    for hit in found.hits:
        detail = cases.get_case(ctx, hit.id, "kefu").case
        content = CaseContent.build(
            **{name: getattr(detail, name) for name in CaseContent.__dataclass_fields__}
        )
        title, body = content.searchable_parts()
        doc = normalise(title + "\n" + body)
        if all(term in doc for term in terms):
            day = (detail.occurred_on or date.min).toordinal()
            relevance = score(normalise(title), doc, terms)
            ranked.append(((-relevance, -day, -detail.id), (detail.id, relevance)))
    return [hit for _, hit in sorted(ranked)]


@pytest.fixture
def library(ctx: AppContext) -> AppContext:
    assert demo_cases.load(ctx) >= 60
    return ctx


@pytest.mark.parametrize("query", ["水", "漏水", "卫生间", "外墙渗水", "卫生间 漏水"])
def test_queries_of_every_length_find_every_case_containing_them_ranked(
    library: AppContext, query: str
) -> None:
    expected = expected_ranking(library, query)
    assert expected, f"the demo library has cases containing {query}"
    result = cases.search_cases(library, query, "sheji", limit=200)
    assert [(hit.id, hit.score) for hit in result.hits] == expected
    assert result.total == len(expected)
    scores = [hit.score for hit in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert all("【" in hit.snippet or query in normalise(hit.title) for hit in result.hits)


def test_search_matches_characters_exactly_on_both_databases(ctx: AppContext) -> None:
    """SQLite's trigram index once folded final sigma into sigma (and U+FFFF into U+FFFD):
    a search found cases without the term that PostgreSQL did not."""
    ids = {}
    for text in ["xyzσ", "xyzς", "wyzσ", "xyz", "abc\ufffd", "abc\uffff"]:
        created = cases.create_case(ctx, "kefu", **{**NEW_CASE, "description": "门禁" + text})
        cases.publish_case(ctx, created.id, "kefu")
        ids[text] = created.id
    expected = [("xyzσ", "xyzσ", 1), ("xyzς", "xyzς", 1), ("门禁 xyzσ", "xyzσ", 2)]
    for query, found, points in expected:
        result = cases.search_cases(ctx, query, "sheji")
        assert [(h.id, h.score) for h in result.hits] == [(ids[found], points)], query
        assert result.total == 1
    every = cases.search_cases(ctx, "abc\ufffd", "sheji").hits  # one character in index form
    assert {h.id for h in every} == {ids["abc\ufffd"], ids["abc\uffff"]}


def test_one_character_query_ranks_a_title_hit_first(library: AppContext) -> None:
    top = cases.search_cases(library, "水", "sheji", limit=1).hits[0]
    assert "水" in top.title


def test_filters_narrow_the_results(library: AppContext) -> None:
    every = cases.search_cases(library, "水", "sheji", limit=200).hits
    for name, value in [
        ("stage", "occupancy"),
        ("category", "quality"),
        ("department", "engineering"),
        ("source_project", "南湖壹号"),
    ]:
        filtered = cases.search_cases(
            library, "水", "sheji", cases.CaseFilters(**{name: value}), limit=200
        ).hits
        assert filtered, name
        assert [h.id for h in filtered] == [h.id for h in every if getattr(h, name) == value]
    today = library.now().date()
    since, until = today - timedelta(days=30 * 20), today - timedelta(days=30 * 10)
    window = cases.search_cases(
        library, "", "sheji", cases.CaseFilters(date_from=since, date_to=until), limit=200
    ).hits
    assert window
    assert all(h.occurred_on and since <= h.occurred_on <= until for h in window)


@pytest.mark.parametrize(
    "query", ['"', "*", "NEAR", "'; drop table cases; --", '漏水" OR "外墙', "水*", "%", "_", "\\"]
)
def test_hostile_input_never_errors_nor_injects(library: AppContext, query: str) -> None:
    result = cases.search_cases(library, query, "sheji", limit=200)
    if result.terms:
        assert result.total == len(expected_ranking(library, query))
    else:  # only separators: the plain listing of every published case, not an error
        listing = cases.search_cases(library, "", "sheji", limit=200)
        assert [h.id for h in result.hits] == [h.id for h in listing.hits]
    assert cases.search_cases(library, "漏水", "sheji").total > 0  # the table is still there


def test_a_stale_edit_is_refused_and_told_to_reload(ctx: AppContext) -> None:
    created = cases.create_case(ctx, "kefu", **NEW_CASE)
    first = cases.edit_case(ctx, created.id, "kefu", created.version, lesson="采用防返味地漏")
    assert first.version == created.version + 1
    with pytest.raises(ConflictError, match="请刷新"):
        cases.edit_case(ctx, created.id, "kefu2", created.version, lesson="另一位编辑的修改")
    history = cases.get_case(ctx, created.id, "kefu").history
    assert [(r.action, r.actor) for r in history] == [("created", "kefu"), ("edited", "kefu")]
    assert history[-1].changes == {"lesson": ["", "采用防返味地漏"]}


def test_edits_are_searchable_at_once(ctx: AppContext) -> None:
    created = cases.create_case(ctx, "kefu", **NEW_CASE)
    cases.publish_case(ctx, created.id, "kefu")
    cases.edit_case(ctx, created.id, "kefu", created.version + 1, title="卫生间存水弯高度不足")
    assert [h.id for h in cases.search_cases(ctx, "存水弯", "sheji").hits] == [created.id]
    assert cases.search_cases(ctx, "反味地", "sheji").total == 0


def test_status_moves_draft_published_retired_and_no_other_way(ctx: AppContext) -> None:
    created = cases.create_case(ctx, "kefu", **NEW_CASE)
    assert cases.search_cases(ctx, "地漏", "sheji").total == 0  # drafts are not for readers
    assert (
        cases.search_cases(ctx, "地漏", "kefu", cases.CaseFilters(statuses=("draft",))).total == 1
    )
    with pytest.raises(ConflictError, match="草稿"):
        cases.retire_case(ctx, created.id, "kefu")
    cases.publish_case(ctx, created.id, "kefu")
    assert cases.search_cases(ctx, "地漏", "sheji").total == 1
    with pytest.raises(ConflictError, match="已发布"):
        cases.publish_case(ctx, created.id, "kefu")
    retired = cases.retire_case(ctx, created.id, "admin")
    assert retired.status == "retired"
    assert cases.search_cases(ctx, "地漏", "sheji").total == 0
    with pytest.raises(ConflictError, match="不能修改"):
        cases.edit_case(ctx, created.id, "kefu", retired.version, title="改")


def test_only_customer_service_and_admins_write_and_readers_see_published_only(
    ctx: AppContext,
) -> None:
    with pytest.raises(PermissionDeniedError):
        cases.create_case(ctx, "sheji", **NEW_CASE)
    created = cases.create_case(ctx, "admin", **NEW_CASE)
    for action in (cases.publish_case, cases.retire_case):
        with pytest.raises(PermissionDeniedError):
            action(ctx, created.id, "gongcheng")
    with pytest.raises(NotFoundError):
        cases.get_case(ctx, created.id, "sheji")
    cases.publish_case(ctx, created.id, "kefu")
    assert cases.get_case(ctx, created.id, "sheji").case.title == NEW_CASE["title"]


def test_cli_searches_with_filters_and_json(
    library: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["cases", "search", "漏水", "--stage", "occupancy", "--category", "quality", "--json"]
    assert cli.main(argv, ctx=library) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["total"] == len(result["hits"]) > 0
    assert all(h["stage"] == "occupancy" and h["category"] == "quality" for h in result["hits"])
    assert cli.main(["cases", "search", "外墙渗水"], ctx=library) == 0
    assert "【外墙渗水】" in capsys.readouterr().out
    assert cli.main(["cases", "show", "999", "--user", "sheji"], ctx=library) == 2


def test_snippets_show_the_original_full_width_punctuation(library: AppContext) -> None:
    hits = cases.search_cases(library, "漏水", "sheji", limit=200).hits
    assert hits
    assert any("，" in hit.snippet for hit in hits)
    assert not any("," in hit.snippet or ";" in hit.snippet for hit in hits)


def test_search_follows_status_and_filter_changes(ctx: AppContext) -> None:
    """case_search carries copies of the filter columns; every write keeps them in step."""
    created = cases.create_case(ctx, "kefu", **NEW_CASE)
    assert cases.search_cases(ctx, "地漏", "sheji").total == 0  # a draft is not published
    cases.publish_case(ctx, created.id, "kefu")
    by_stage = cases.CaseFilters(stage="handover")
    assert [h.id for h in cases.search_cases(ctx, "地漏", "sheji", by_stage).hits] == [created.id]
    cases.edit_case(ctx, created.id, "kefu", created.version + 1, stage="occupancy")
    assert cases.search_cases(ctx, "地漏", "sheji", by_stage).total == 0
    moved = cases.search_cases(ctx, "地漏", "sheji", cases.CaseFilters(stage="occupancy"))
    assert [h.id for h in moved.hits] == [created.id]
    cases.retire_case(ctx, created.id, "kefu")
    assert cases.search_cases(ctx, "地漏", "sheji").total == 0
