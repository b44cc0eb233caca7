"""How well the case library works: per project and across projects.

Owns: the effectiveness figures. For each project with case-input packages: the cases handed
over, verified, avoided, not avoided (with their reasons), not applicable and still unverified;
the avoided rate = avoided / (avoided + not avoided) — not-applicable and unverified cases do
not count either way; None when nothing was judged yet. Recurrences are problems that appeared
in a later project despite a published case, counted two ways (see `casebase.recurrence` for
the rule): (1) a case recorded in an Anju project (its 来源项目 is the project's name) that
repeats an earlier published case of another project; (2) a package item verified as
not avoided. Counts are aggregated in SQL; the text rule runs in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from anju.db import case_effectiveness_repository as figures_repo
from anju.services.context import AppContext
from anju.services.errors import NotFoundError
from casebase.recurrence import RECURRENCE_SHARE, Lesson, Occurrence, recurrences

ALL_PROJECTS = "*"


@dataclass(frozen=True)
class ProjectFigures:
    project_code: str
    """The project's code, or "*" for the total across projects."""
    project_name: str
    packages: int
    handed_over: int
    verified: int
    avoided: int
    not_avoided: int
    not_applicable: int
    unverified: int
    avoided_rate: float | None
    """avoided / (avoided + not_avoided); None when no case was judged yet."""
    recurrences: int
    """Later cases of this project that repeat an earlier published case (rule 1)."""


@dataclass(frozen=True)
class NotAvoidedView:
    project_code: str
    stage: str
    item_id: int
    case_id: int
    case_title: str
    reason: str
    evidence: str
    verified_by: str
    verified_at: datetime | None


@dataclass(frozen=True)
class RecurrenceView:
    project_code: str
    case_id: int
    title: str
    happened_on: date
    earlier_case_id: int
    earlier_title: str
    earlier_project: str
    published_on: date
    similarity: float


@dataclass(frozen=True)
class Effectiveness:
    projects: tuple[ProjectFigures, ...]
    total: ProjectFigures
    not_avoided: tuple[NotAvoidedView, ...]
    recurrences: tuple[RecurrenceView, ...]
    rule: str
    """The recurrence rule in words, for the report."""


RULE = (
    f"复发：同类别、文本相似（后案标题的字符二元组至少 {RECURRENCE_SHARE:.0%} 出现在前案中，"
    "近义词归一）的案例，来源于另一项目，且发生在前案发布之后；另计规避确认为「未规避」的条目"
)


def _rate(avoided: int, not_avoided: int) -> float | None:
    judged = avoided + not_avoided
    return round(avoided / judged, 4) if judged else None


def effectiveness(ctx: AppContext, project_code: str | None = None) -> Effectiveness:
    """The figures of one project (by code) or of every project, with the total."""
    with ctx.db.unit_of_work(write=False) as session:
        chosen = figures_repo.projects(session, project_code)
        if project_code is not None and not chosen:
            raise NotFoundError(f"项目 '{project_code}' 不存在")
        ids = [pid for pid, _, _ in chosen] if project_code is not None else None
        counts = {c.project_code: c for c in figures_repo.verification_counts(session, ids)}
        missed = figures_repo.not_avoided(session, ids)
        code_of = {name: code for _, code, name in chosen}
        later = figures_repo.project_cases(session, list(code_of))
        lessons = figures_repo.published_lessons(session, [row[2] for row in later])
    found = recurrences(
        [
            Lesson(i, title, doc, category, source, published.date())
            for i, title, doc, category, source, published in lessons
        ],
        [
            Occurrence(
                i,
                title,
                category,
                source,
                occurred if isinstance(occurred, date) else created.date(),
            )
            for i, title, category, source, occurred, created in later
        ],
    )
    repeats = [
        RecurrenceView(
            code_of[r.source_project],
            r.case_id,
            r.title,
            r.happened_on,
            r.earlier_case_id,
            r.earlier_title,
            r.earlier_project,
            r.published_on,
            r.share,
        )
        for r in found
    ]
    per_project = []
    for _, code, name in chosen:
        c = counts.get(code)
        repeated = sum(r.project_code == code for r in repeats)
        if c is None and not repeated and project_code is None:
            continue
        numbers = (
            (c.packages, c.handed_over, c.verified, c.avoided, c.not_avoided, c.not_applicable)
            if c
            else (0, 0, 0, 0, 0, 0)
        )
        per_project.append(_figures(code, name, *numbers, repeated=repeated))
    sums = [sum(getattr(p, name) for p in per_project) for name in _COUNTED]
    total = _figures(ALL_PROJECTS, "全部项目", *sums, repeated=len(repeats))
    return Effectiveness(
        projects=tuple(per_project),
        total=total,
        not_avoided=tuple(NotAvoidedView(**vars(row)) for row in missed),
        recurrences=tuple(repeats),
        rule=RULE,
    )


_COUNTED = ("packages", "handed_over", "verified", "avoided", "not_avoided", "not_applicable")


def _figures(code: str, name: str, *counts: int, repeated: int) -> ProjectFigures:
    packages, handed_over, verified, avoided, not_avoided, not_applicable = counts
    return ProjectFigures(
        project_code=code,
        project_name=name,
        packages=packages,
        handed_over=handed_over,
        verified=verified,
        avoided=avoided,
        not_avoided=not_avoided,
        not_applicable=not_applicable,
        unverified=handed_over - verified,
        avoided_rate=_rate(avoided, not_avoided),
        recurrences=repeated,
    )
