"""casebase.match_index: the whole library ranked at once gives exactly what `rank` gives over
every case, and stays so as cases are added, edited and removed."""

from __future__ import annotations

import random

import pytest

from casebase.match_index import CaseRow, MatchIndex
from casebase.matching import Candidate, Profile, ask, rank
from casebase.model import Category, Severity, Stage
from casebase.search import normalise

PLACES = ["卫生间", "厨房", "外墙", "地下车库", "电梯厅", "屋面", "阳台", "苏州花园"]
PROBLEMS = [
    "渗水",
    "漏水",
    "滴水",
    "空鼓",
    "开裂",
    "裂缝",
    "噪声",
    "异响",
    "升降梯停运",
    "车位偏小",
]
SOURCES = {"东湖一期": ("苏州", "高层住宅"), "西岭": ("杭州", "洋房"), "南苑": ("苏州", "洋房")}
DEPARTMENTS = ["design", "engineering", "sales", "property", "customer_service"]
PROFILES = [
    Profile(Stage.DESIGN),
    Profile(Stage.DESIGN, "苏州", "高层住宅", "外墙渗水 电梯"),
    Profile(Stage.CONSTRUCTION, "杭州", "洋房", "卫生间顶棚滴水"),
    Profile(Stage.HANDOVER, "", "", "车位"),
    Profile(Stage.OCCUPANCY, "苏州", "", "水"),
    Profile(Stage.SALES, "", "高层住宅", "开裂 噪音 屋面"),
]


def row(case_id: int, rng: random.Random) -> CaseRow:
    title = rng.choice(PLACES) + rng.choice(PROBLEMS)
    doc = normalise(
        f"{title}\n{rng.choice(PLACES)}也有{rng.choice(PROBLEMS)},{rng.randint(1, 9)}栋"
    )
    return (
        case_id,
        title,
        doc,
        rng.choice(list(Stage)).value,
        rng.choice(list(Category)).value,
        rng.choice(DEPARTMENTS),
        rng.choice(list(Severity)).value,
        rng.choice([*SOURCES, "外部项目"]),
    )


def candidate(r: CaseRow) -> Candidate:
    city, product = SOURCES.get(r[7], ("", ""))
    return Candidate(r[0], r[1], r[2], Stage(r[3]), Category(r[4]), r[5], Severity(r[6]), city,
                     product)  # fmt: skip


def ranked_by_index(index: MatchIndex, profile: Profile, limit: int) -> list[tuple[int, float]]:
    found = rank(profile, index.best(ask(profile), SOURCES, limit), limit)
    return [(s.case_id, s.score) for s in found]


def ranked_over_all(rows: dict[int, CaseRow], profile: Profile, limit: int) -> list[object]:
    found = rank(profile, [candidate(r) for r in rows.values()], limit)
    return [(s.case_id, s.score) for s in found]


@pytest.mark.parametrize("limit", [1, 20, 200])
def test_the_index_ranks_exactly_as_scoring_every_case(limit: int) -> None:
    rng = random.Random(limit)
    rows = {i: row(i, rng) for i in range(1, 3001)}
    index = MatchIndex()
    index.put(rows.values())
    for profile in PROFILES:
        expected = ranked_over_all(rows, profile, limit)
        assert len(expected) == limit  # many ties at the last place: the newest win
        assert ranked_by_index(index, profile, limit) == expected, profile
        assert len(index.best(ask(profile), SOURCES, limit)) <= limit + 20


def test_edits_additions_and_removals_are_ranked_as_they_now_are() -> None:
    rng = random.Random(3)
    rows = {i: row(i, rng) for i in range(1, 2001)}
    index = MatchIndex()
    index.put(rows.values())
    for profile in PROFILES:  # masks of the asked words exist before the changes
        ranked_by_index(index, profile, 20)
    for step in range(6000):  # enough dead slots to be reclaimed more than once
        case_id = rng.randint(1, 2600)
        if rng.random() < 0.2:
            rows.pop(case_id, None)
            index.drop([case_id])
        else:
            rows[case_id] = row(case_id, rng)
            index.put([rows[case_id]])
        if step in (300, 1000, 2500, 4000):  # before and after dead slots are reclaimed
            for profile in PROFILES:
                assert ranked_by_index(index, profile, 20) == ranked_over_all(rows, profile, 20)
    assert len(index) == len(rows)
    for profile in PROFILES:
        assert ranked_by_index(index, profile, 50) == ranked_over_all(rows, profile, 50)


def test_a_case_edited_to_mention_the_text_climbs_and_a_dropped_one_is_gone() -> None:
    index = MatchIndex()
    plain = (1, "墙面开裂", "墙面开裂", "design", "building", "design", "general", "")
    index.put([plain, *((i, "地面空鼓", "地面空鼓", *plain[3:]) for i in range(2, 60))])
    profile = Profile(Stage.DESIGN, text="卫生间渗水")
    assert [i for i, _ in ranked_by_index(index, profile, 1)] == [59]  # a tie: the newest
    index.put([(1, "卫生间滴水", "卫生间滴水", *plain[3:])])  # after the text's words were asked
    assert ranked_by_index(index, profile, 1) == [(1, 10.0)]
    slots = len(index._ids)
    index.put([(1, "卫生间滴水", "卫生间滴水", *plain[3:])])  # read again, unchanged
    assert len(index._ids) == slots
    with pytest.raises(ValueError, match="no-such-stage"):
        index.put([(3, "x", "x", "no-such-stage", *plain[4:])])
    assert len(index._ids) == slots
    assert ranked_by_index(index, profile, 1) == [(1, 10.0)]
    index.drop([1, 99])
    assert [i for i, _ in ranked_by_index(index, profile, 2)] == [59, 58]
    assert index.best(ask(profile), {}, 0) == []
    assert MatchIndex().best(ask(profile), {}, 5) == []
