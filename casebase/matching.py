"""Recommendation of cases for a project stage, the database-free half: who is relevant and why.

Owns: the synonym table (so 渗水 ≈ 漏水 ≈ 滴水 and 电梯 ≈ 升降梯 count as the same problem), the
categories and receiving department each stage's package goes to, the relevance rule that ranks
lexical candidates (stage, category, responsible department, city, product type, similar text)
and the reasons shown with each suggestion. Imports no SQL library and nothing from `anju`.

Relevance = STAGE_WEIGHT if the case's stage is the package's stage
          + CATEGORY_WEIGHT if its category is one the stage works on
          + DEPARTMENT_WEIGHT if its responsible department receives the package
          + PLACE_WEIGHT for the same city, + PLACE_WEIGHT for the same product type
          + TEXT_WEIGHT × the share of the query's character bigrams (synonyms folded) in the case
          + a little for severity; ties go to the higher case id (the newer case).
"""

from __future__ import annotations

from dataclasses import dataclass

from casebase.model import Category, Severity, Stage
from casebase.search import normalise, parse_query

STAGE_WEIGHT = 3.0
CATEGORY_WEIGHT = 2.0
DEPARTMENT_WEIGHT = 1.0
PLACE_WEIGHT = 1.0
TEXT_WEIGHT = 4.0
SEVERITY_BONUS = {Severity.CRITICAL: 0.5, Severity.SERIOUS: 0.3}

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
    folded = normalise(text)
    for word in _BY_LENGTH:
        if word in folded and word != _CANONICAL[word]:
            folded = folded.replace(word, _CANONICAL[word])
    return folded


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of each term of `text` (single characters for one-character terms)."""
    grams: set[str] = set()
    for term in parse_query(text).terms if text else ():
        grams.update(term[i : i + 2] for i in range(max(1, len(term) - 1)))
    return frozenset(grams)


def synonym_words(text: str) -> tuple[str, ...]:
    """Every word of the synonym table found in `text`, plus the other words of its group."""
    folded = normalise(text)
    found: dict[str, None] = {}
    for group in SYNONYMS:
        if any(word in folded for word in group):
            found.update(dict.fromkeys(group))
    return tuple(found)


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


def rank(profile: Profile, candidates: list[Candidate], limit: int = 20) -> list[Suggestion]:
    """The candidates ranked for `profile`, best first, each with the reasons for its place."""
    query_grams = bigrams(fold_synonyms(profile.text))
    folded_query = normalise(profile.text)
    categories = STAGE_CATEGORIES[profile.stage]
    city = normalise(profile.city).strip()
    products = _product_words(profile.product_type)
    scored: list[tuple[float, int, Suggestion]] = []
    for case in candidates:
        score = 0.0
        reasons: list[str] = []
        if case.stage is profile.stage:
            score += STAGE_WEIGHT
            reasons.append(f"阶段相符:{case.stage.label}")
        if case.category in categories:
            score += CATEGORY_WEIGHT
            reasons.append(f"类别:{case.category.label}")
        if case.department == profile.department:
            score += DEPARTMENT_WEIGHT
            reasons.append(f"责任部门即接收部门:{case.department}")
        if city and (normalise(case.source_city) == city or city in case.doc):
            score += PLACE_WEIGHT
            reasons.append(f"同城市:{profile.city}")
        if products and (
            normalise(case.source_product_type).strip() in products
            or any(word in case.doc for word in products)
        ):
            score += PLACE_WEIGHT
            reasons.append(f"同产品类型:{profile.product_type}")
        if query_grams:
            folded_doc = fold_synonyms(case.doc)
            shared = frozenset(gram for gram in query_grams if gram in folded_doc)
            if shared:
                share = len(shared) / len(query_grams)
                score += TEXT_WEIGHT * share
                similar = _text_reasons(folded_query, case.doc)
                words = "、".join(sorted(shared)[:6])
                reasons.append(
                    f"文本相似 {share:.0%}(共有:{words})"
                    + (f";近义:{'、'.join(similar)}" if similar else "")
                )
        score += SEVERITY_BONUS.get(case.severity, 0.0)
        if case.severity in SEVERITY_BONUS:
            reasons.append(f"严重程度:{case.severity.label}")
        if score > 0:
            score = round(score, 4)
            scored.append((score, case.id, Suggestion(case.id, case.title, score, tuple(reasons))))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    return [suggestion for _, _, suggestion in scored[:limit]]
