"""Recurrences: a problem that came back in a later project although a case about it was
already published. The database-free half of the effectiveness figures.

Owns: the recurrence rule. A later case B is a recurrence of a published case A when
- B comes from another project than A (both source projects named, and different),
- B happened after A was published (B's occurred_on, else the day B was recorded, is later
  than the day A was published),
- A and B have the same category, and
- their text is similar: at least RECURRENCE_SHARE of the character bigrams of B's title
  (synonyms folded, so 渗水 ≈ 漏水) occur in A's whole text (synonyms folded).
Each later case counts once, against its most similar earlier case (ties: the earlier id).
Imports nothing from `anju` and no SQL library.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from casebase.matching import bigrams, fold_synonyms

RECURRENCE_SHARE = 0.6


@dataclass(frozen=True)
class Lesson:
    """A published case as the rule sees it; `doc` is its whole text (any form)."""

    id: int
    title: str
    doc: str
    category: str
    source_project: str
    published_on: date


@dataclass(frozen=True)
class Occurrence:
    """A case recorded in a project: the problem that happened there."""

    id: int
    title: str
    category: str
    source_project: str
    happened_on: date


@dataclass(frozen=True)
class Recurrence:
    case_id: int
    title: str
    source_project: str
    happened_on: date
    earlier_case_id: int
    earlier_title: str
    earlier_project: str
    published_on: date
    share: float


def similarity(later_title: str, earlier_doc: str) -> float:
    """Share of the later title's bigrams (synonyms folded) found in the earlier text."""
    return _share(bigrams(fold_synonyms(later_title)), fold_synonyms(earlier_doc))


def _share(grams: frozenset[str], folded_doc: str) -> float:
    return sum(gram in folded_doc for gram in grams) / len(grams) if grams else 0.0


def recurrences(lessons: Iterable[Lesson], occurrences: Iterable[Occurrence]) -> list[Recurrence]:
    """Every occurrence that repeats an earlier published lesson, by the rule above."""
    by_category: dict[str, list[Lesson]] = {}
    for lesson in lessons:
        by_category.setdefault(lesson.category, []).append(lesson)
    folded: dict[int, str] = {}
    found: list[Recurrence] = []
    for case in occurrences:
        if not case.source_project:
            continue
        grams = bigrams(fold_synonyms(case.title))
        best: tuple[float, int, Lesson] | None = None
        for lesson in by_category.get(case.category, ()):
            if (
                lesson.id == case.id
                or not lesson.source_project
                or lesson.source_project == case.source_project
                or lesson.published_on >= case.happened_on
            ):
                continue
            doc = folded.get(lesson.id)
            if doc is None:
                doc = folded[lesson.id] = fold_synonyms(lesson.doc)
            share = _share(grams, doc)
            if share >= RECURRENCE_SHARE and (best is None or (share, -lesson.id) > best[:2]):
                best = (share, -lesson.id, lesson)
        if best is not None:
            share, _, lesson = best
            found.append(
                Recurrence(
                    case_id=case.id,
                    title=case.title,
                    source_project=case.source_project,
                    happened_on=case.happened_on,
                    earlier_case_id=lesson.id,
                    earlier_title=lesson.title,
                    earlier_project=lesson.source_project,
                    published_on=lesson.published_on,
                    share=round(share, 4),
                )
            )
    return found
