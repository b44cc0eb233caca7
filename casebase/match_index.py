"""Every published case's matching features in memory, so a whole library is ranked at once.

Owns: `MatchIndex`. For each published case it keeps the stage, category, department,
severity, source project, index-form document and synonym-folded document in flat arrays.
`best` computes `casebase.matching`'s relevance rule for every case in one vectorised pass —
the same terms, weights and order as `matching._assess` — and returns as `Candidate`s only the
cases that can be among the best; `rank` then scores those exactly and gives their reasons, so
`_assess` stays the rule's one authority. Which cases contain a query gram, a city or a product
type is a byte mask over the cases, made by one regex scan of the documents the first time the
word is asked for and kept (up to MAX_MASKS words) and extended as cases are added. Cases are added,
replaced (`put`) and removed (`drop`) one at a time: a replaced or removed case leaves a dead
slot, reclaimed when dead slots pass a quarter of all. Not thread-safe: the caller holds a
lock. Imports no SQL library and nothing from `anju`.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import numpy.typing as npt

from casebase.matching import (
    CATEGORY_WEIGHT,
    DEPARTMENT_WEIGHT,
    PLACE_WEIGHT,
    SEVERITY_BONUS,
    STAGE_WEIGHT,
    TEXT_WEIGHT,
    Asked,
    Candidate,
    fold_index_form,
    place_form,
)
from casebase.model import Category, Severity, Stage

CaseRow = tuple[int, str, str, str, str, str, str, str]
"""(id, title, doc, stage, category, department, severity, source project) of a published
case; `doc` is its whole text in index form (`casebase.search.normalise`)."""

_STAGES = list(Stage)
_CATEGORIES = list(Category)
_SEVERITIES = list(Severity)
_SEVERITY_BONUS = np.array([SEVERITY_BONUS.get(s, 0.0) for s in _SEVERITIES])
_TIE = 1e-6
_SPARE = 20
"""Scores this close to the last place count as tied with it (rounding); of the tied, the
newest are returned, with _SPARE more than the places left."""
MAX_MASKS = 256
"""Words whose mask is kept (one byte a case: 12.8 MB at 50,000 cases when all are kept)."""


class MatchIndex:
    def __init__(self) -> None:
        self._slot_of: dict[int, int] = {}
        self._ids = array("q")
        self._stage = array("b")
        self._category = array("b")
        self._severity = array("b")
        self._department = array("i")
        self._source = array("i")
        self._alive = bytearray()
        self._titles: list[str] = []
        self._docs: list[str] = []
        self._folded: list[str] = []  # `fold_index_form(doc)`
        self._codes: dict[str, int] = {}  # department and source names → code
        self._names: list[str] = []
        self._sources: dict[str, None] = {}
        self._masks: dict[tuple[str, bool], bytearray] = {}  # (word, folded): word in doc
        self._joins: dict[bool, tuple[str, npt.NDArray[np.int64]]] = {}  # see _joined

    def __len__(self) -> int:
        return len(self._slot_of)

    def sources(self) -> list[str]:
        """Every source project a case held has named (for the caller to look up its place;
        kept as cases are put, not gathered from every case on each recommendation)."""
        return list(self._sources)

    def put(self, rows: Iterable[CaseRow]) -> None:
        """Add each case, or replace the one held with the same id."""
        for row in rows:
            self._put(row)
        self._compact_if_sparse()

    def drop(self, case_ids: Iterable[int]) -> None:
        """Forget the cases (ids not held are ignored)."""
        for case_id in case_ids:
            slot = self._slot_of.pop(case_id, None)
            if slot is not None:
                self._alive[slot] = 0
        self._compact_if_sparse()

    def _code(self, name: str) -> int:
        code = self._codes.get(name)
        if code is None:
            code = self._codes[name] = len(self._names)
            self._names.append(name)
        return code

    def _put(self, row: CaseRow) -> None:
        case_id, title, doc, stage, category, department, severity, source = row
        old = self._slot_of.get(case_id)
        if old is not None and self._row(old) == tuple(row):
            return  # unchanged (a catch-up reads some cases again): keep its slot
        codes = (  # every value checked before anything is appended
            _STAGES.index(Stage(stage)),
            _CATEGORIES.index(Category(category)),
            _SEVERITIES.index(Severity(severity)),
        )
        if old is not None:
            self._alive[old] = 0
        slot = len(self._ids)
        self._slot_of[case_id] = slot
        self._ids.append(case_id)
        self._stage.append(codes[0])
        self._category.append(codes[1])
        self._severity.append(codes[2])
        self._department.append(self._code(department))
        self._source.append(self._code(source))
        self._sources[source] = None
        self._alive.append(1)
        self._titles.append(title)
        self._docs.append(doc)
        folded = fold_index_form(doc)
        self._folded.append(folded)
        for (word, in_folded), mask in self._masks.items():
            mask.append(word in (folded if in_folded else doc))

    def _compact_if_sparse(self) -> None:
        dead = len(self._ids) - len(self._slot_of)
        if dead > 1000 and dead * 4 > len(self._ids):
            live = [self._row(slot) for slot in sorted(self._slot_of.values())]
            self.__init__()  # type: ignore[misc]
            self.put(live)

    def _row(self, slot: int) -> CaseRow:
        return (
            self._ids[slot],
            self._titles[slot],
            self._docs[slot],
            _STAGES[self._stage[slot]].value,
            _CATEGORIES[self._category[slot]].value,
            self._names[self._department[slot]],
            _SEVERITIES[self._severity[slot]].value,
            self._names[self._source[slot]],
        )

    def _contains(self, word: str, folded: bool = False) -> npt.NDArray[np.bool_]:
        """`word in doc` (or in the folded doc) for every slot, remembered for MAX_MASKS words."""
        mask = self._masks.get((word, folded))
        if mask is None:
            if len(self._masks) >= MAX_MASKS:
                self._masks.clear()
            joined, starts = self._joined(folded)
            found = np.zeros(len(self._ids), dtype=np.bool_)
            at = [m.start() for m in re.finditer(re.escape(word), joined)]
            found[np.searchsorted(starts, at, side="right") - 1] = True
            mask = self._masks[word, folded] = bytearray(found.tobytes())
        return np.frombuffer(mask, dtype=np.bool_)

    def _joined(self, folded: bool) -> tuple[str, npt.NDArray[np.int64]]:
        """Every document in one string (NUL between them; no word holds one) and where each
        starts: one regex scan of it finds a word's cases faster than a test per case."""
        kept = self._joins.get(folded)
        if kept is None or len(kept[1]) != len(self._ids):
            docs = self._folded if folded else self._docs
            starts = np.cumsum([0, *(len(doc) + 1 for doc in docs[:-1])], dtype=np.int64)
            kept = self._joins[folded] = ("\0".join(docs), starts)
        return kept

    def _by_source(
        self,
        test: Callable[[str, str], bool],
        places: Mapping[str, tuple[str, str]],
    ) -> npt.NDArray[np.bool_]:
        """`test(city, product type)` of each name's source project, by name code."""
        return np.array([test(*places.get(name, ("", ""))) for name in self._names], dtype=bool)

    def scores(
        self, asked: Asked, places: Mapping[str, tuple[str, str]]
    ) -> npt.NDArray[np.float64]:
        """`matching._assess`'s score of every slot (dead slots: 0), unrounded."""
        profile = asked.profile
        stage = np.frombuffer(self._stage, dtype=np.int8)
        score: npt.NDArray[np.float64] = np.zeros(len(self._ids))
        score += STAGE_WEIGHT * (stage == _STAGES.index(profile.stage))
        categories = [_CATEGORIES.index(c) for c in asked.categories]
        score += CATEGORY_WEIGHT * np.isin(np.frombuffer(self._category, dtype=np.int8), categories)
        department = self._codes.get(profile.department, -1)
        score += DEPARTMENT_WEIGHT * (np.frombuffer(self._department, dtype=np.int32) == department)
        source = np.frombuffer(self._source, dtype=np.int32)
        if asked.city:  # the source project is in the city, or the text names it
            same = self._by_source(lambda city, _: place_form(city) == asked.city, places)
            score += PLACE_WEIGHT * (same[source] | self._contains(asked.city))
        if asked.products:
            same = self._by_source(
                lambda _, product: place_form(product).strip() in asked.products, places
            )
            matched = same[source]
            for word in asked.products:
                matched = matched | self._contains(word)
            score += PLACE_WEIGHT * matched
        if asked.query_grams:
            shared = np.zeros(len(self._ids), dtype=np.int32)
            for gram in asked.query_grams:
                shared += self._contains(gram, folded=True)
            score += TEXT_WEIGHT * (shared / len(asked.query_grams))
        score += _SEVERITY_BONUS[np.frombuffer(self._severity, dtype=np.int8)]
        score[np.frombuffer(self._alive, dtype=np.bool_) == 0] = 0.0
        return score

    def best(
        self, asked: Asked, places: Mapping[str, tuple[str, str]], limit: int
    ) -> list[Candidate]:
        """The cases that can be among the `limit` best for `asked` (score > 0), as candidates.

        Every case scoring above the `limit`-th best score is returned, and of those tied with
        it the newest (as `rank` breaks ties), so `matching.rank` over them gives what it gives
        over the whole library.
        """
        if limit < 1 or not self._slot_of:
            return []
        score = self.scores(asked, places)
        chosen = np.flatnonzero(score > 0)
        if chosen.size > limit:
            values = score[chosen]
            last = np.partition(values, values.size - limit)[values.size - limit]
            above = chosen[values > last + _TIE]
            tied = chosen[np.abs(values - last) <= _TIE]
            room = limit - above.size + _SPARE
            if tied.size > room:  # ties go to the newer case: keep the highest ids
                ids = np.frombuffer(self._ids, dtype=np.int64)[tied]
                tied = tied[np.argpartition(-ids, room)[:room]]
            chosen = np.concatenate([above, tied])
        return [self._candidate(int(slot), places) for slot in chosen]

    def _candidate(self, slot: int, places: Mapping[str, tuple[str, str]]) -> Candidate:
        city, product = places.get(self._names[self._source[slot]], ("", ""))
        return Candidate(
            id=self._ids[slot],
            title=self._titles[slot],
            doc=self._docs[slot],
            stage=_STAGES[self._stage[slot]],
            category=_CATEGORIES[self._category[slot]],
            department=self._names[self._department[slot]],
            severity=_SEVERITIES[self._severity[slot]],
            source_city=city,
            source_product_type=product,
        )
