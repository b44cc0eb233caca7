"""Recommendation of cases for a project stage, the database-free half: who is relevant and why.

Owns: the synonym table (so 渗水 ≈ 漏水 ≈ 滴水 and 电梯 ≈ 升降梯 count as the same problem), the
categories and receiving department each stage's package goes to, the relevance rule (stage,
category, responsible department, city, product type, similar text) and the reasons shown with
each suggestion. The rule is applied to every published case: `casebase.match_index` computes
it for the whole library at once and hands `rank` the few that can be among the best. Imports
no SQL library and nothing from `anju`.

Relevance = STAGE_WEIGHT if the case's stage is the package's stage
          + CATEGORY_WEIGHT if its category is one the stage works on
          + DEPARTMENT_WEIGHT if its responsible department receives the package
          + PLACE_WEIGHT for the same city, + PLACE_WEIGHT for the same product type
          + TEXT_WEIGHT × the share of the query's character bigrams (synonyms folded) in the case
          + a little for severity; ties go to the higher case id (the newer case).

Meaning (`rerank_by_meaning`): when the profile has a text, the best MEANING_POOL by the rule
above are ranked again with
          + MEANING_WEIGHT × max(0, cos − MEANING_FLOOR) / (1 − MEANING_FLOOR)
where cos is the cosine of the text's and the case's meaning vectors (`casebase.meaning`), so
a case worded differently ("淋浴房楼板渗漏" for "卫生间顶棚滴水") can pass one that only shares
words. Unrelated Chinese texts score about 0.1–0.4 with this encoder, hence the floor; a case
gains the reason "含义相近 0.62" when its meaning counted, and nothing when it has no vector.
"""

from __future__ import annotations

import functools
import heapq
from dataclasses import dataclass, replace

from casebase.model import Category, Severity, Stage
from casebase.search import normalise, parse_query

STAGE_WEIGHT = 3.0
CATEGORY_WEIGHT = 2.0
DEPARTMENT_WEIGHT = 1.0
PLACE_WEIGHT = 1.0
TEXT_WEIGHT = 4.0
SEVERITY_BONUS = {Severity.CRITICAL: 0.5, Severity.SERIOUS: 0.3}
MEANING_WEIGHT = 4.0
MEANING_FLOOR = 0.3
MEANING_POOL = 200

SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("漏水", "渗水", "滴水", "渗漏", "洇水", "返水"),
    ("电梯", "升降梯", "直梯", "梯控"),
    ("噪音", "噪声", "异响", "响声"),
    ("开裂", "裂缝", "裂纹"),
    ("异味", "反味", "臭味", "返味"),
    ("发霉", "霉变", "返潮", "霉斑"),
    ("空鼓", "起鼓", "脱层"),
    ("卫生间", "洗手间", "厕所", "浴室"),
    ("车库", "停车场", "车位"),
    ("积水", "排水不畅", "排水慢"),
    ("插座", "电源点位", "电源插座"),
)
"""Groups of words that name the same problem; the first word of a group is its canonical form."""

_CANONICAL = {word: group[0] for group in SYNONYMS for word in group}
_BY_LENGTH = sorted(_CANONICAL, key=len, reverse=True)
_REPLACEMENTS = tuple((word, _CANONICAL[word]) for word in _BY_LENGTH if word != _CANONICAL[word])

STAGE_CATEGORIES: dict[Stage, frozenset[Category]] = {
    Stage.DESIGN: frozenset(
        {Category.PLANNING, Category.BUILDING, Category.LIVING, Category.QUALITY}
    ),
    Stage.SALES: frozenset({Category.SERVICE, Category.PLANNING}),
    Stage.CONSTRUCTION: frozenset({Category.QUALITY, Category.BUILDING, Category.LIVING}),
    Stage.HANDOVER: frozenset({Category.QUALITY, Category.SERVICE}),
    Stage.OCCUPANCY: frozenset({Category.SERVICE, Category.QUALITY}),
}
"""The categories a stage's work can prevent (design: SPEC §2.1 ①–④; construction: quality)."""

RECEIVING_DEPARTMENT: dict[Stage, str] = {
    Stage.DESIGN: "design",
    Stage.SALES: "sales",
    Stage.CONSTRUCTION: "engineering",
    Stage.HANDOVER: "engineering",
    Stage.OCCUPANCY: "property",
}
"""The department (role id) a stage's case-input package is handed to."""


def fold_synonyms(text: str) -> str:
    """`text` in index form with every synonym replaced by its group's canonical word."""
    return _fold(normalise(text))


def fold_index_form(folded: str) -> str:
    """`fold_synonyms` of a text already in index form (a case's `doc`)."""
    for word, canonical in _REPLACEMENTS:
        if word in folded:
            folded = folded.replace(word, canonical)
    return folded


_fold = functools.lru_cache(maxsize=4096)(fold_index_form)
"""`fold_index_form`, remembered for the last texts ranked (the best of each recommendation
are mostly the same cases each time)."""


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of each term of `text` (single characters for one-character terms)."""
    grams: set[str] = set()
    for term in parse_query(text).terms if text else ():
        grams.update(term[i : i + 2] for i in range(max(1, len(term) - 1)))
    return frozenset(grams)


@dataclass(frozen=True)
class Profile:
    """What a recommendation is for: the stage, the project's city and product type, a text."""

    stage: Stage
    city: str = ""
    product_type: str = ""
    text: str = ""

    @property
    def department(self) -> str:
        return RECEIVING_DEPARTMENT[self.stage]


@dataclass(frozen=True)
class Candidate:
    """A published case as matching sees it; `doc` is its whole text in index form."""

    id: int
    title: str
    doc: str
    stage: Stage
    category: Category
    department: str
    severity: Severity
    source_city: str = ""
    source_product_type: str = ""


@dataclass(frozen=True)
class Suggestion:
    case_id: int
    title: str
    score: float
    reasons: tuple[str, ...]


def _product_words(product_type: str) -> tuple[str, ...]:
    word = normalise(product_type).strip()
    short = word.removesuffix("住宅").removesuffix("公寓").strip()
    return tuple(w for w in dict.fromkeys((word, short)) if w)


def _text_reasons(folded_query: str, doc: str) -> list[str]:
    """'渗水≈漏水' for each (normalised) query word met in the case only through a synonym."""
    reasons: list[str] = []
    for group in SYNONYMS:
        asked = [w for w in group if w in folded_query]
        if not asked or any(w in doc for w in asked):
            continue
        met = [w for w in group if w in doc]
        if met:
            reasons.append(f"{asked[0]}≈{met[0]}")
    return reasons


@dataclass(frozen=True)
class Asked:
    """What ranking works out once per profile (`ask`)."""

    profile: Profile
    query_grams: frozenset[str]
    folded_query: str
    categories: frozenset[Category]
    city: str
    products: tuple[str, ...]


def ask(profile: Profile) -> Asked:
    return Asked(
        profile=profile,
        query_grams=bigrams(fold_synonyms(profile.text)),
        folded_query=normalise(profile.text),
        categories=STAGE_CATEGORIES[profile.stage],
        city=normalise(profile.city).strip(),
        products=_product_words(profile.product_type),
    )


def _assess(asked: Asked, case: Candidate, reasons: list[str] | None) -> float:
    """The case's score; its reasons are appended to `reasons` when given (the top only)."""
    profile = asked.profile
    score = 0.0
    if case.stage is profile.stage:
        score += STAGE_WEIGHT
        if reasons is not None:
            reasons.append(f"阶段相符:{case.stage.label}")
    if case.category in asked.categories:
        score += CATEGORY_WEIGHT
        if reasons is not None:
            reasons.append(f"类别:{case.category.label}")
    if case.department == profile.department:
        score += DEPARTMENT_WEIGHT
        if reasons is not None:
            reasons.append(f"责任部门即接收部门:{case.department}")
    city = asked.city
    if city and (place_form(case.source_city) == city or city in case.doc):
        score += PLACE_WEIGHT
        if reasons is not None:
            reasons.append(f"同城市:{profile.city}")
    products = asked.products
    if products and (
        place_form(case.source_product_type).strip() in products
        or any(word in case.doc for word in products)
    ):
        score += PLACE_WEIGHT
        if reasons is not None:
            reasons.append(f"同产品类型:{profile.product_type}")
    if asked.query_grams:
        folded_doc = _fold(case.doc)
        shared = frozenset(gram for gram in asked.query_grams if gram in folded_doc)
        if shared:
            share = len(shared) / len(asked.query_grams)
            score += TEXT_WEIGHT * share
            if reasons is not None:
                similar = _text_reasons(asked.folded_query, case.doc)
                words = "、".join(sorted(shared)[:6])
                reasons.append(
                    f"文本相似 {share:.0%}(共有:{words})"
                    + (f";近义:{'、'.join(similar)}" if similar else "")
                )
    score += SEVERITY_BONUS.get(case.severity, 0.0)
    if case.severity in SEVERITY_BONUS and reasons is not None:
        reasons.append(f"严重程度:{case.severity.label}")
    return round(score, 4)


_NORMALISED: dict[str, str] = {}


def place_form(text: str) -> str:
    """`normalise` of a source project's city or product type (few values: remembered)."""
    found = _NORMALISED.get(text)
    if found is None:
        found = normalise(text)
        if len(_NORMALISED) < 10_000:
            _NORMALISED[text] = found
    return found


def _best(asked: Asked, candidates: list[Candidate], limit: int) -> list[tuple[float, Candidate]]:
    """The `limit` best (score, case), best first, score > 0; ties to the higher id.

    With a text, candidates are taken in order of their score without the text part, and the
    rest are skipped once even TEXT_WEIGHT more could not reach the current `limit`-th: the
    result is exactly that of scoring every candidate, with most text comparisons saved.
    """
    if limit < 1:
        return []
    heap: list[tuple[float, int, Candidate]] = []  # the best so far, worst at heap[0]
    if asked.query_grams:
        wordless = replace(asked, query_grams=frozenset())
        ordered = sorted(
            ((_assess(wordless, case, None), case) for case in candidates),
            key=lambda item: -item[0],
        )
    else:
        ordered = [(_assess(asked, case, None), case) for case in candidates]
    for partial, case in ordered:
        if asked.query_grams:
            if len(heap) == limit and partial + TEXT_WEIGHT + 0.001 < heap[0][0]:
                break
            score = _assess(asked, case, None)
        else:
            score = partial
        if score <= 0:
            continue
        entry = (score, case.id, case)
        if len(heap) < limit:
            heapq.heappush(heap, entry)
        elif entry[:2] > heap[0][:2]:
            heapq.heapreplace(heap, entry)
    return [(score, case) for score, _, case in sorted(heap, key=lambda e: (-e[0], -e[1]))]


def rank(profile: Profile, candidates: list[Candidate], limit: int = 20) -> list[Suggestion]:
    """The candidates ranked for `profile`, best first, each with the reasons for its place.

    Only the `limit` best (`_best`) are asked for their reasons, by the same `_assess`, so the
    score shown is the score ranked.
    """
    asked = ask(profile)
    best = _best(asked, candidates, limit)
    suggestions = []
    for score, case in best:
        reasons: list[str] = []
        _assess(asked, case, reasons)
        suggestions.append(Suggestion(case.id, case.title, score, tuple(reasons)))
    return suggestions


def meaning_bonus(similarity: float) -> float:
    """What a cosine adds to the score (0 at or below MEANING_FLOOR, MEANING_WEIGHT at 1)."""
    return MEANING_WEIGHT * max(0.0, similarity - MEANING_FLOOR) / (1.0 - MEANING_FLOOR)


def rerank_by_meaning(
    ranked: list[Suggestion], similarity: dict[int, float], limit: int = 20
) -> list[Suggestion]:
    """`ranked` (from `rank`) with each case's meaning bonus added, best first again."""
    scored: list[tuple[float, int, Suggestion]] = []
    for suggestion in ranked:
        cos = similarity.get(suggestion.case_id)
        bonus = meaning_bonus(cos) if cos is not None else 0.0
        if bonus > 0 and cos is not None:
            suggestion = Suggestion(
                suggestion.case_id,
                suggestion.title,
                round(suggestion.score + bonus, 4),
                (*suggestion.reasons, f"含义相近 {cos:.2f}"),
            )
        scored.append((suggestion.score, suggestion.case_id, suggestion))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    return [suggestion for _, _, suggestion in scored[:limit]]
