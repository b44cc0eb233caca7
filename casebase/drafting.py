"""Draft cases from what the summary stage collected: the database-free half.

Owns: how a hand-over defect becomes a draft case — title 「空间+部位+问题」, the defect's own
description, stage 施工交验 (construction: where a quality defect is prevented), responsible
department engineering, category mapped from the defect's category (see DEFECT_CATEGORIES;
anything else is 工程质量), severity mapped (major → serious), source 交房缺陷, the location
(room, space, part) and tags. Imports nothing from `anju` and no SQL library.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from casebase.model import LIMITS, Category, Severity, SourceKind, Stage

DEFECT_CATEGORIES: tuple[tuple[tuple[str, ...], Category], ...] = (
    (("插座", "开关", "点位", "采光", "通风", "噪音", "噪声", "异味"), Category.LIVING),
    (("尺寸", "布局", "户型", "净高", "设计"), Category.BUILDING),
    (("景观", "绿化", "道路", "公共设施", "车库"), Category.PLANNING),
    (("服务", "态度", "资料", "钥匙"), Category.SERVICE),
)
"""Words of a defect's category (渗漏, 空鼓, 插座缺失 …) → the case category; first match wins."""
DEFECT_SEVERITY = {
    "minor": Severity.MINOR,
    "major": Severity.SERIOUS,
    "critical": Severity.CRITICAL,
}


@dataclass(frozen=True)
class DefectFacts:
    """What the hand-over recorded about one defect."""

    room: str
    space: str
    part: str
    category: str
    description: str
    severity: str
    found_on: date
    project_name: str


def case_category(defect_category: str) -> Category:
    for words, category in DEFECT_CATEGORIES:
        if any(word in defect_category for word in words):
            return category
    return Category.QUALITY


def draft_values(defect: DefectFacts) -> dict[str, object]:
    """Keyword values for `CaseContent.build` of the draft case."""
    title = f"{defect.space}{defect.part}{defect.category}".strip() or defect.description[:40]
    location = " ".join(p for p in (defect.room, defect.space, defect.part) if p)
    return {
        "title": title[: LIMITS["title"]],
        "description": defect.description,
        "stage": Stage.CONSTRUCTION.value,
        "category": case_category(defect.category).value,
        "department": "engineering",
        "severity": DEFECT_SEVERITY.get(defect.severity, Severity.GENERAL).value,
        "source_kind": SourceKind.HANDOVER_DEFECT.value,
        "source_project": defect.project_name[: LIMITS["source_project"]],
        "location": location[: LIMITS["location"]],
        "tags": [t for t in (defect.category, defect.space, defect.part) if t],
        "occurred_on": defect.found_on,
    }
