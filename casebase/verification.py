"""Verification (规避确认) of a case handed over in a package: was the problem avoided?

Owns: the three results and what each needs (avoided: nothing more; not avoided: a reason and
evidence; not applicable: a reason), with their Chinese labels. Imports no SQL or UI library.
"""

from __future__ import annotations

from enum import StrEnum

from casebase.model import CaseError

MAX_TEXT = 2_000


class Result(StrEnum):
    AVOIDED = "avoided"
    NOT_AVOIDED = "not_avoided"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Result.AVOIDED: "已规避",
    Result.NOT_AVOIDED: "未规避",
    Result.NOT_APPLICABLE: "不适用",
}


def check_verification(result: str, reason: str, evidence: str) -> Result:
    """The parsed result, or CaseError naming what is missing."""
    try:
        parsed = Result(result)
    except ValueError:
        choices = ", ".join(f"{r.value}({r.label})" for r in Result)
        raise CaseError(f"规避确认结果 '{result}' 无效,可选:{choices}") from None
    problems: list[str] = []
    if parsed is not Result.AVOIDED and not reason.strip():
        problems.append(f"「{parsed.label}」必须写明原因")
    if parsed is Result.NOT_AVOIDED and not evidence.strip():
        problems.append("「未规避」必须附上证据(图纸页码、照片或检查记录)")
    if len(reason) > MAX_TEXT or len(evidence) > MAX_TEXT:
        problems.append(f"原因和证据各不超过 {MAX_TEXT} 个字符")
    if problems:
        raise CaseError(";".join(problems))
    return parsed
