"""One-term queries answered by the posting table `case_grams` (1–2 characters on both
databases; on SQLite 3 characters from their own postings and longer terms through their
rarest 3-character gram): pages and counts equal to the documented ranking on SQLite and
PostgreSQL, every write keeps the postings equal to a rebuild from scratch, and migrations
0006 and 0008 backfill the cases already there."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from alembic import command
from sqlalchemy import select

from anju import demo_cases
from anju.db import case_postings
from anju.db.case_tables import CaseGram
from anju.db.migrate import alembic_config, upgrade
from anju.services import cases
from anju.services.context import AppContext
from tests.integration.test_cases import NEW_CASE, expected_ranking

Posting = tuple[str, int, int, int, int]


@pytest.fixture
def library(ctx: AppContext) -> AppContext:
    assert demo_cases.load(ctx) >= 60
    return ctx


def postings(ctx: AppContext) -> list[Posting]:
    with ctx.db.unit_of_work(write=False) as session:
        query = select(
            CaseGram.gram, CaseGram.score, CaseGram.day, CaseGram.case_id, CaseGram.facets
        ).order_by(CaseGram.gram, CaseGram.score, CaseGram.day, CaseGram.case_id)
        return [tuple(row) for row in session.execute(query).tuples()]


def rebuilt(ctx: AppContext) -> list[Posting]:
    """The postings a rebuild from `case_search` writes (the transaction is rolled back)."""
    with ctx.db.unit_of_work() as session:
        case_postings.rebuild(session.connection())
        query = select(
            CaseGram.gram, CaseGram.score, CaseGram.day, CaseGram.case_id, CaseGram.facets
        ).order_by(CaseGram.gram, CaseGram.score, CaseGram.day, CaseGram.case_id)
        found = [tuple(row) for row in session.execute(query).tuples()]
        session.rollback()
    return found


@pytest.mark.parametrize("query", ["水", "渗水", "卫", "卫生间", "业主投诉", "业主反映"])
def test_short_query_pages_add_up_to_the_documented_ranking(
    library: AppContext, query: str
) -> None:
    expected = expected_ranking(library, query)
    assert len(expected) > 3
    pages, offset = [], 0
    while True:
        page = cases.search_cases(library, query, "sheji", limit=3, offset=offset)
        assert page.total == len(expected)
        if not page.hits:
            break
        pages += [(hit.id, hit.score) for hit in page.hits]
        offset += 3
    assert pages == expected


def test_short_query_filters_by_date_window_and_every_filter(library: AppContext) -> None:
    every = cases.search_cases(library, "水", "sheji", limit=200).hits
    today = library.now().date()
    for filters in [
        cases.CaseFilters(date_from=today - timedelta(days=600)),
        cases.CaseFilters(date_to=today - timedelta(days=300)),
        cases.CaseFilters(stage="handover", category="quality", department="engineering"),
        cases.CaseFilters(source_project="南湖壹号", date_to=today),
    ]:
        found = cases.search_cases(library, "水", "sheji", filters, limit=200)

        def keep(hit: cases.SearchHit, f: cases.CaseFilters = filters) -> bool:
            day = hit.occurred_on
            return all(
                [
                    f.stage in (None, hit.stage),
                    f.category in (None, hit.category),
                    f.department in (None, hit.department),
                    f.source_project in (None, hit.source_project),
                    f.date_from is None or (day is not None and day >= f.date_from),
                    f.date_to is None or (day is not None and day <= f.date_to),
                ]
            )

        assert [h.id for h in found.hits] == [h.id for h in every if keep(h)], filters
        assert found.total == len(found.hits)


def test_postings_follow_every_write_and_equal_a_rebuild(ctx: AppContext) -> None:
    created = cases.create_case(
        ctx, "kefu", **{**NEW_CASE, "description": "顶棚水水水滴落,地漏反味。"}
    )
    assert postings(ctx) == rebuilt(ctx)
    assert (
        cases.search_cases(ctx, "水水", "kefu", cases.CaseFilters(statuses=("draft",)))
        .hits[0]
        .score
        == 1
    )  # non-overlapping, as the general search counts
    published = cases.publish_case(ctx, created.id, "kefu")
    assert postings(ctx) == rebuilt(ctx)
    assert [h.id for h in cases.search_cases(ctx, "滴", "sheji").hits] == [created.id]
    edited = cases.edit_case(
        ctx,
        created.id,
        "kefu",
        published.version,
        description="卫生间顶棚漏水。",
        occurred_on=date(2024, 5, 1),
    )
    assert postings(ctx) == rebuilt(ctx)
    hits = cases.search_cases(ctx, "漏", "sheji").hits
    assert [(h.id, h.score) for h in hits] == [(created.id, 2 * 1 + 2)]  # title, title + text
    assert cases.search_cases(ctx, "滴", "sheji").total == 0  # the old text is gone
    cases.edit_case(ctx, created.id, "kefu", edited.version, stage="occupancy")
    assert postings(ctx) == rebuilt(ctx)
    assert cases.search_cases(ctx, "漏", "sheji", cases.CaseFilters(stage="handover")).total == 0
    cases.retire_case(ctx, created.id, "kefu")
    assert postings(ctx) == rebuilt(ctx)
    assert cases.search_cases(ctx, "漏", "sheji").total == 0


@pytest.mark.parametrize("chunk", [1, 32])
def test_a_long_term_ranks_exactly_where_its_grams_mislead(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Texts full of the term's 3-character grams but holding the term itself rarely (or not
    at all) come first in the grams' postings; the page must still follow the term's score.
    Walked one posting at a time (where stopping early matters) and in the usual chunks."""
    monkeypatch.setattr(case_postings, "WALK_CHUNK", chunk)
    texts = [
        "渗水严格检查。" * 4 + "雨水严重。" * 3,  # both grams often, the term never
        "渗水严重。" + "渗水严格检查。" * 3,
        "渗水严重,渗水严重。",
        "渗水严重。" + "雨水严重。" * 4,
        "顶棚渗水严重。",
        "渗水严重" * 3,
        "外墙渗水严重。",
    ]
    for number, description in enumerate(texts):
        created = cases.create_case(
            ctx,
            "kefu",
            **{**NEW_CASE, "title": f"案例{number}", "description": description},
            occurred_on=date(2024, 1, 1) + timedelta(days=number % 3),
        )
        cases.publish_case(ctx, created.id, "kefu")
    expected = expected_ranking(ctx, "渗水严重")
    assert len(expected) == len(texts) - 1
    assert [score for _, score in expected][:3] == [3, 2, 1]  # the second text (bound 4) is 1
    pages, offset = [], 0
    while page := cases.search_cases(ctx, "渗水严重", "sheji", limit=2, offset=offset).hits:
        pages += [(hit.id, hit.score) for hit in page]
        offset += 2
    assert pages == expected
    assert cases.search_cases(ctx, "渗水严重", "sheji", limit=2).total == len(expected)
    assert cases.search_cases(ctx, "雨水严重渗", "sheji").total == 0


@pytest.mark.parametrize("query", ['"', "%", "_", "\\", "'", "水'", "%水"])
def test_short_hostile_terms_are_literal(library: AppContext, query: str) -> None:
    result = cases.search_cases(library, query, "sheji", limit=200)
    if result.terms:
        assert [(h.id, h.score) for h in result.hits] == expected_ranking(library, query)
    assert cases.search_cases(library, "水", "sheji").total > 0


def test_migration_backfills_the_cases_already_there(library: AppContext) -> None:
    before = postings(library)
    assert len(before) > 1000
    dialect = library.db.engine.dialect.name
    assert {len(gram) for gram, *_ in before} == ({1, 2, 3} if dialect == "sqlite" else {1, 2})
    config = alembic_config(library.db.engine)
    try:
        with library.db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0005_case_links")
    finally:
        upgrade(library.db.engine)
    assert postings(library) == before
    assert cases.search_cases(library, "水", "sheji").total == len(expected_ranking(library, "水"))
