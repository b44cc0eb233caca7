"""casebase: the case model's status rules and validation, and the database-free search half."""

from __future__ import annotations

import pytest

from casebase.model import (
    CaseContent,
    CaseError,
    IllegalTransitionError,
    Stage,
    Status,
    check_editable,
    check_transition,
)
from casebase.search import fts_phrase, like_pattern, normalise, parse_query, score, snippet


def test_full_width_text_is_normalised_to_half_width_lower_case() -> None:
    assert normalise("ＡＢＣ１２３　漏水") == "abc123 漏水"
    assert parse_query("ＷＣ　漏水").terms == ("wc", "漏水")


@pytest.mark.parametrize(
    ("typed", "terms"),
    [
        ('"漏水"', ("漏水",)),
        ("外墙 NEAR 渗水*", ("外墙", "near", "渗水")),
        ("'; drop table cases; --", ("drop", "table", "cases")),
        ('"', ()),
        ("*", ()),
        ("卫生间,漏水;卫生间", ("卫生间", "漏水")),
        ("  ", ()),
    ],
)
def test_quotes_operators_and_sql_punctuation_only_separate_literal_terms(
    typed: str, terms: tuple[str, ...]
) -> None:
    assert parse_query(typed).terms == terms


def test_fts_phrase_and_like_pattern_keep_every_character_literal() -> None:
    assert fts_phrase('a"b') == '"a""b"'
    assert like_pattern("50%_\\") == "%50\\%\\_\\\\%"


def test_score_counts_title_hits_more_than_body_hits() -> None:
    assert score("卫生间漏水", "卫生间漏水\n楼下漏水", ("漏水",)) == 2 * 1 + 2
    assert score("外墙", "外墙\n漏水", ("漏水", "外墙")) == 1 + 2 + 1


def test_snippet_highlights_every_hit_in_the_original_text() -> None:
    excerpt = snippet("业主反映ＷＣ漏水，楼下也漏水。", ("漏水", "wc"))
    assert excerpt.marked() == "业主反映【ＷＣ漏水】，楼下也【漏水】。"
    assert excerpt.html() == "业主反映<mark>ＷＣ漏水</mark>，楼下也<mark>漏水</mark>。"


def test_snippet_of_a_long_text_is_cut_around_the_first_hit() -> None:
    text = "甲" * 100 + "外墙渗水" + "乙" * 100
    excerpt = snippet(text, ("外墙渗水",), width=30)
    assert excerpt.text.startswith("…")
    assert excerpt.text.endswith("…")
    assert "【外墙渗水】" in excerpt.marked()


def test_status_goes_draft_then_published_then_retired_only() -> None:
    assert check_transition("draft", "published") is Status.PUBLISHED
    assert check_transition(Status.PUBLISHED, Status.RETIRED) is Status.RETIRED
    for current, target in [("draft", "retired"), ("retired", "published"), ("published", "draft")]:
        with pytest.raises(IllegalTransitionError, match="草稿 → 已发布 → 已停用"):
            check_transition(current, target)
    with pytest.raises(CaseError, match="不能修改"):
        check_editable("retired")


def test_case_content_is_parsed_and_validated_with_reasons() -> None:
    content = CaseContent.build(
        title=" 外墙渗水 ", description="雨季渗水", stage="construction",
        category="quality", department="engineering", tags="外墙, 渗水,外墙",
    )  # fmt: skip
    assert content.title == "外墙渗水"
    assert content.stage is Stage.CONSTRUCTION
    assert content.tags == ("外墙", "渗水")
    with pytest.raises(CaseError, match="stage 'nowhere'"):
        CaseContent.build(title="x", description="y", stage="nowhere", category="quality",
                          department="design")  # fmt: skip
    with pytest.raises(CaseError, match="标题不能为空"):
        CaseContent.build(title=" ", description="y", stage="design", category="quality",
                          department="design")  # fmt: skip


def test_short_grams_score_every_short_term_as_the_search_rule_does() -> None:
    from casebase.search import short_grams

    title = normalise("卫生间漏水")
    doc = normalise("卫生间漏水\n水水水滴落，漏水 AB-12 “引号”")
    grams = short_grams(title, doc)
    every = {doc[i : i + n] for n in (1, 2) for i in range(len(doc) - n + 1)}
    typed = {g for g in every if parse_query(g).terms == (g,)}
    assert set(grams) == typed  # every gram a query can hold, none with a separator
    for gram, value in grams.items():
        assert value == score(title, doc, (gram,)), gram
    assert grams["水水"] == 1  # non-overlapping, as replace() counts in SQL


def test_three_character_grams_count_as_the_search_rule_does() -> None:
    from casebase.search import short_grams

    title = normalise("水漏水漏水")
    doc = normalise("水漏水漏水\n水水水水,漏水漏水 卫生间")
    grams = short_grams(title, doc, 3)
    every = {doc[i : i + n] for n in (1, 2, 3) for i in range(len(doc) - n + 1)}
    assert set(grams) == {g for g in every if parse_query(g).terms == (g,)}
    for gram, value in grams.items():
        assert value == score(title, doc, (gram,)), gram
    assert (grams["水水水"], grams["水漏水"]) == (1, 2 * 1 + 2)  # overlapping ones counted once


def test_meaning_counts_only_above_the_floor_and_says_so() -> None:
    from casebase.matching import (
        MEANING_FLOOR,
        MEANING_WEIGHT,
        Suggestion,
        meaning_bonus,
        rerank_by_meaning,
    )

    assert meaning_bonus(MEANING_FLOOR) == 0 == meaning_bonus(-0.5)
    assert meaning_bonus(1.0) == MEANING_WEIGHT
    ranked = [Suggestion(1, "a", 6.0, ("x",)), Suggestion(2, "b", 5.0, ("y",))]
    again = rerank_by_meaning(ranked, {2: 0.72, 1: 0.2}, limit=5)
    assert [s.case_id for s in again] == [2, 1]
    assert again[0].reasons == ("y", "含义相近 0.72")
    assert again[1] == ranked[0]  # below the floor: unchanged, no reason
