"""The recurrence rule, without a database."""

from __future__ import annotations

from datetime import date

from casebase.recurrence import Lesson, Occurrence, recurrences, similarity

LEAK = Lesson(
    1, "外墙渗水", "外墙渗水\n窗框周边渗水,雨后墙面返潮", "quality", "甲项目", date(2025, 1, 1)
)


def later(title: str, **changes: object) -> Occurrence:
    values: dict[str, object] = {
        "id": 9,
        "title": title,
        "category": "quality",
        "source_project": "乙项目",
        "happened_on": date(2025, 6, 1),
    }
    values.update(changes)
    return Occurrence(**values)  # type: ignore[arg-type]


def test_synonyms_make_texts_similar() -> None:
    assert similarity("外墙漏水", LEAK.doc) == 1.0
    assert similarity("门把手松动", LEAK.doc) == 0.0


def test_only_later_other_project_same_category_similar_cases_recur() -> None:
    assert [r.earlier_case_id for r in recurrences([LEAK], [later("外墙漏水")])] == [1]
    assert recurrences([LEAK], [later("外墙漏水", happened_on=date(2024, 12, 1))]) == []
    assert recurrences([LEAK], [later("外墙漏水", source_project="甲项目")]) == []
    assert recurrences([LEAK], [later("外墙漏水", category="service")]) == []
    assert recurrences([LEAK], [later("入户门松动")]) == []


def test_each_later_case_counts_once_against_its_closest_lesson() -> None:
    other = Lesson(2, "外墙", "外墙面砖", "quality", "丙项目", date(2025, 2, 1))
    found = recurrences([other, LEAK], [later("外墙漏水")])
    assert [(r.case_id, r.earlier_case_id) for r in found] == [(9, 1)]
