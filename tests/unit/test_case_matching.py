"""casebase.matching and casebase.verification: ranking with reasons, synonyms, result rules."""

from __future__ import annotations

import random

import pytest

from casebase.matching import Candidate, Profile, bigrams, fold_synonyms, rank
from casebase.model import CaseError, Category, Severity, Stage
from casebase.search import normalise
from casebase.verification import Result, check_verification


def case(case_id: int, text: str, stage: Stage = Stage.DESIGN, **extra: object) -> Candidate:
    values: dict[str, object] = {
        "category": Category.BUILDING,
        "department": "design",
        "severity": Severity.GENERAL,
        **extra,
    }
    return Candidate(case_id, text[:10], normalise(text), stage, **values)  # type: ignore[arg-type]


def test_synonyms_fold_to_one_word() -> None:
    assert fold_synonyms("外墙渗水") == fold_synonyms("外墙漏水") == fold_synonyms("外墙滴水")
    assert fold_synonyms("升降梯噪声") == "电梯噪音"
    assert bigrams("外墙漏水") == {"外墙", "墙漏", "漏水"}


def test_a_synonym_counts_as_similar_text_and_says_so() -> None:
    leak = case(1, "卫生间楼板滴水,楼下天花板发黄")
    unrelated = case(2, "车库坡道转弯半径偏小")
    lift = case(3, "升降梯候梯时间长")
    found = rank(Profile(Stage.DESIGN, text="卫生间渗水 电梯"), [unrelated, leak, lift])
    assert [s.case_id for s in found][:2] == [1, 3]
    top = found[0]
    assert any("渗水≈滴水" in reason for reason in top.reasons), top.reasons
    assert any("电梯≈升降梯" in reason for reason in found[1].reasons), found[1].reasons
    assert not any("文本相似" in reason for reason in found[2].reasons)


def test_stage_category_department_city_and_product_type_each_count_with_a_reason() -> None:
    best = case(1, "苏州项目高层住宅入户门开启冲突", source_city="苏州")
    other_stage = case(2, "入户门开启冲突", Stage.OCCUPANCY, category=Category.SERVICE,
                       department="property")  # fmt: skip
    found = rank(Profile(Stage.DESIGN, "苏州", "高层住宅"), [other_stage, best])
    assert [s.case_id for s in found] == [1]
    assert found[0].reasons == (
        "阶段相符:设计",
        f"类别:{Category.BUILDING.label}",
        "责任部门即接收部门:design",
        "同城市:苏州",
        "同产品类型:高层住宅",
    )


def test_ties_go_to_the_newer_case_and_the_limit_holds() -> None:
    found = rank(Profile(Stage.DESIGN), [case(i, "同样的问题") for i in range(1, 6)], limit=3)
    assert [s.case_id for s in found] == [5, 4, 3]


def test_verification_needs_a_reason_and_evidence_where_the_rule_says() -> None:
    assert check_verification("avoided", "", "") is Result.AVOIDED
    assert check_verification("not_applicable", "本项目无地下室", "") is Result.NOT_APPLICABLE
    with pytest.raises(CaseError, match="必须写明原因"):
        check_verification("not_applicable", " ", "")
    with pytest.raises(CaseError, match="证据"):
        check_verification("not_avoided", "工期原因", "")
    with pytest.raises(CaseError, match="无效"):
        check_verification("maybe", "", "")


@pytest.mark.parametrize("text", ["卫生间顶棚滴水", "外墙渗水 电梯", "", "车位"])
def test_ranking_skips_no_case_that_belongs_in_the_top(text: str) -> None:
    """`rank` stops scoring text early; the result equals scoring every case one by one."""
    rng = random.Random(3)
    words = ["卫生间", "漏水", "渗水", "外墙", "电梯", "噪音", "车位", "顶棚", "滴水"]
    words += ["杭州", "洋房"]
    candidates = [
        Candidate(
            id=i,
            title=f"案例{i}",
            doc=normalise("".join(rng.sample(words, rng.randint(0, 4)))),
            stage=rng.choice(list(Stage)),
            category=rng.choice(list(Category)),
            department=rng.choice(["design", "engineering", "sales", "property"]),
            severity=rng.choice(list(Severity)),
        )
        for i in range(1, 600)
    ]
    profile = Profile(Stage.DESIGN, city="杭州", product_type="洋房", text=text)
    one_by_one = [s for c in candidates for s in rank(profile, [c], 1)]
    expected = sorted(one_by_one, key=lambda s: (-s.score, -s.case_id))
    for limit in (1, 20, 200, 1000):
        assert rank(profile, candidates, limit) == expected[:limit]
