"""Meaning vectors with the real encoder, on SQLite and PostgreSQL: every save stores the case's
vector, recommendation ranks a case worded differently above one that only shares words (and
says so), and `anju cases reindex-vectors` rebuilds them in batches with progress."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import delete, select

from anju import cli
from anju.db.case_tables import CaseVector
from anju.services import case_inputs, cases
from anju.services.context import AppContext
from casebase import meaning
from casebase.matching import MEANING_FLOOR, Candidate, Profile, rank
from casebase.model import Category, Severity, Stage
from casebase.search import normalise
from tests.conftest import Driver

COMMON = {"stage": "design", "category": "building", "department": "design"}
SHOWER = {"title": "淋浴房楼板渗漏", "description": "楼上淋浴房防水层失效,楼下顶板潮湿。", **COMMON}
SOCKET = {"title": "卫生间插座位置不合理", "description": "插座高度偏低,吹风机用着不便。", **COMMON}
ASKED = "卫生间顶棚滴水"


def stored(ctx: AppContext) -> dict[int, tuple[str, int, bytes]]:
    with ctx.db.unit_of_work(write=False) as session:
        query = select(CaseVector.case_id, CaseVector.model, CaseVector.dim, CaseVector.vector)
        return {i: (m, d, bytes(v)) for i, m, d, v in session.execute(query).tuples()}


def publish(ctx: AppContext, values: dict[str, str]) -> int:
    created = cases.create_case(ctx, "kefu", **values)
    cases.publish_case(ctx, created.id, "kefu")
    return created.id


@pytest.fixture
def two_cases(ctx: AppContext, driver: Driver) -> tuple[int, int]:
    driver.start_project()
    return publish(ctx, SHOWER), publish(ctx, SOCKET)


def test_every_save_stores_the_vector_of_the_current_text(ctx: AppContext) -> None:
    created = cases.create_case(ctx, "kefu", **SHOWER)
    model, dim, blob = stored(ctx)[created.id]
    assert (model, dim, len(blob)) == (meaning.MODEL, 512, 512 * 4)
    vector = meaning.from_bytes(blob)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4
    text = meaning.case_text(SHOWER["title"], SHOWER["description"])
    assert meaning.cosine(vector, meaning.embed_one(text)) > 0.999
    cases.edit_case(ctx, created.id, "kefu", created.version, description="电梯等候时间太长。")
    edited = meaning.from_bytes(stored(ctx)[created.id][2])
    assert meaning.cosine(edited, vector) < 0.99  # the new text, not the old one


def test_a_case_worded_differently_ranks_above_one_that_only_shares_words(
    ctx: AppContext, two_cases: tuple[int, int]
) -> None:
    shower, socket = two_cases
    # Words alone put the socket first: it shares 卫生间 with the text, the shower only 漏水.
    candidates = [
        Candidate(i, v["title"], normalise(v["title"] + "\n" + v["description"]), Stage.DESIGN,
                  Category.BUILDING, "design", Severity.GENERAL)
        for i, v in ((shower, SHOWER), (socket, SOCKET))
    ]  # fmt: skip
    by_words = rank(Profile(Stage.DESIGN, text=ASKED), candidates)
    assert [s.case_id for s in by_words] == [socket, shower]

    found = case_inputs.recommend(ctx, "P1", "design", text=ASKED)
    assert [s.case_id for s in found.suggestions] == [shower, socket]
    first = found.suggestions[0]
    said = [r for r in first.reasons if r.startswith("含义相近 ")]
    assert len(said) == 1
    shower_cos = float(said[0].split()[1])
    assert shower_cos > MEANING_FLOOR
    second = found.suggestions[1]
    socket_cos = [float(r.split()[1]) for r in second.reasons if r.startswith("含义相近 ")]
    assert all(cos < shower_cos for cos in socket_cos)
    assert first.score > second.score


def test_a_case_without_a_vector_is_ranked_by_its_words(
    ctx: AppContext, two_cases: tuple[int, int]
) -> None:
    shower, socket = two_cases
    with ctx.db.unit_of_work() as session:
        session.execute(delete(CaseVector).where(CaseVector.case_id == shower))
    found = case_inputs.recommend(ctx, "P1", "design", text=ASKED)
    assert [s.case_id for s in found.suggestions] == [socket, shower]
    assert not any(r.startswith("含义相近") for r in found.suggestions[1].reasons)


def test_reindex_vectors_rebuilds_in_batches_with_progress(
    ctx: AppContext, two_cases: tuple[int, int], capsys: pytest.CaptureFixture[str]
) -> None:
    third = publish(ctx, {**SHOWER, "title": "阳台地漏返水"})
    before = stored(ctx)
    with ctx.db.unit_of_work() as session:
        session.execute(delete(CaseVector))
    argv = ["cases", "reindex-vectors", "--user", "kefu", "--batch", "2", "--json"]
    assert cli.main(argv, ctx=ctx) == 0
    out = capsys.readouterr()
    result = json.loads(out.out)
    assert (result["cases"], result["total"], result["model"]) == (3, 3, meaning.MODEL)
    progress = out.err.splitlines()  # on stderr with --json, so stdout stays JSON
    assert [line.split(" (")[0] for line in progress] == [
        "2/3 cases embedded",
        "3/3 cases embedded",
    ]
    after = stored(ctx)
    assert sorted(after) == sorted(before) == sorted([*two_cases, third])
    for case_id, (_, _, blob) in before.items():
        again = meaning.from_bytes(after[case_id][2])
        assert meaning.cosine(again, meaning.from_bytes(blob)) > 0.999

    with ctx.db.unit_of_work() as session:
        session.execute(delete(CaseVector).where(CaseVector.case_id == third))
    assert cli.main(["cases", "reindex-vectors", "--user", "kefu", "--missing"], ctx=ctx) == 0
    assert "1/3 cases embedded" in capsys.readouterr().out
    assert sorted(stored(ctx)) == sorted(before)
    assert cli.main(["cases", "reindex-vectors", "--user", "sheji"], ctx=ctx) == 2
