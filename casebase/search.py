"""Chinese case search, the database-free half: query parsing, ranking rule and snippets.

Owns: how text is normalised for the index (NFKC: full-width → half-width, lower case), how a
typed query becomes literal search terms (quotes, FTS operators and SQL characters are only ever
text: separators are dropped, every term is matched as a plain substring), the relevance rule
that both databases compute the same way, and highlighted snippets. Imports no SQL library.

Relevance of a case for a query = Σ over terms of (TITLE_WEIGHT × occurrences in the title +
occurrences in the whole document); ties go to the newer case, then the higher id.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

TITLE_WEIGHT = 2
"""The title is also part of the document, so a title hit counts TITLE_WEIGHT + 1 times."""
MAX_TERMS = 5
MAX_TERM_LENGTH = 64
SHORT_TERM = 2
"""Terms this long or shorter cannot use a trigram index (they are scanned with LIKE)."""

# Characters that separate terms: quotes, FTS/regex operators, SQL punctuation, CJK punctuation.
_SEPARATORS = re.compile(
    r"[\s\"'`*^()\[\]{}<>:;,.!?|&=+~\\/%_#@$-]+|[，。；：、！？“”‘’《》（）【】…]+"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LIKE_ESCAPE = "\\"


_NONCHARACTERS = str.maketrans({"\ufffe": "\ufffd", "\uffff": "\ufffd"})
"""SQLite's FTS5 reads U+FFFE and U+FFFF as U+FFFD (the replacement character): so does the
index form, or a trigram match would find what `str` comparison does not."""


def normalise(text: str) -> str:
    """Index form of `text`: NFKC (full-width → half-width) and lower case, controls removed."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(_NONCHARACTERS)
    return _CONTROL.sub(" ", folded)


@dataclass(frozen=True)
class Query:
    """A parsed query: distinct literal terms in index form (empty when nothing searchable)."""

    text: str
    terms: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.terms


def parse_query(text: str) -> Query:
    """Split `text` into at most MAX_TERMS literal terms; operators and quotes are separators."""
    parts = _SEPARATORS.split(normalise(text))
    terms = tuple(dict.fromkeys(p[:MAX_TERM_LENGTH] for p in parts if p))[:MAX_TERMS]
    return Query(text=text, terms=terms)


def fts_phrase(term: str) -> str:
    """An FTS5 MATCH string that matches `term` literally (one quoted phrase)."""
    return '"' + term.replace('"', '""') + '"'


def like_pattern(term: str) -> str:
    """A LIKE pattern (escape character LIKE_ESCAPE) that matches `term` as a substring."""
    escaped = (
        term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def occurrences(text: str, term: str) -> int:
    """Non-overlapping occurrences, as `(length(t) - length(replace(t, q, ''))) / length(q)`."""
    return text.count(term) if term else 0


def score(title: str, document: str, terms: tuple[str, ...]) -> int:
    """Relevance of one case (title and document in index form); the rule the SQL computes."""
    return sum(
        TITLE_WEIGHT * occurrences(title, term) + occurrences(document, term) for term in terms
    )


def short_grams(title: str, document: str, longest: int = SHORT_TERM) -> dict[str, int]:
    """Every term of 1 to `longest` characters the document can match, with `score` for it.

    A typed term never contains a separator, so grams holding one are left out. Counts are
    non-overlapping like `occurrences`: a gram that can overlap itself ("aa", "aba", "aaa")
    is counted with `str.count`, any other by how often it starts.
    """
    grams: dict[str, int] = {}
    for text, weight in ((document, 1), (title, TITLE_WEIGHT)):
        for size in range(1, longest + 1):
            counted = Counter([text[i : i + size] for i in range(len(text) - size + 1)])
            for gram, count in counted.items():
                if gram in grams or not _SEPARATORS.search(gram):
                    if size > 1 and _overlaps(gram):
                        count = text.count(gram)
                    grams[gram] = grams.get(gram, 0) + weight * count
    return grams


def _overlaps(gram: str) -> bool:
    """True when a proper prefix of `gram` is also its suffix (two occurrences can overlap)."""
    if len(gram) <= 3:  # a border of 2 of 3 characters means all three are equal
        return gram[0] == gram[-1]
    return any(gram[:k] == gram[-k:] for k in range(1, len(gram)))


def matches(document: str, terms: tuple[str, ...]) -> bool:
    """True when the document (index form) contains every term."""
    return all(term in document for term in terms)


@dataclass(frozen=True)
class Snippet:
    """An excerpt of the original text and the [start, end) spans of the hits inside it."""

    text: str
    spans: tuple[tuple[int, int], ...]

    def marked(self, before: str = "【", after: str = "】") -> str:
        out, last = [], 0
        for start, end in self.spans:
            out += [self.text[last:start], before, self.text[start:end], after]
            last = end
        out.append(self.text[last:])
        return "".join(out)

    def html(self) -> str:
        """The snippet as HTML with <mark> around hits (everything else escaped)."""
        from html import escape

        out, last = [], 0
        for start, end in self.spans:
            out += [
                escape(self.text[last:start]),
                "<mark>",
                escape(self.text[start:end]),
                "</mark>",
            ]
            last = end
        out.append(escape(self.text[last:]))
        return "".join(out)


_char_form = functools.lru_cache(maxsize=65536)(normalise)
"""`normalise` of one character, remembered (a page of snippets reads ~2,000 characters)."""


def _index_map(text: str) -> tuple[str, list[int]]:
    """The index form of `text` and, for each of its characters, the original position."""
    chars: list[str] = []
    origin: list[int] = []
    for position, char in enumerate(text):
        form = _char_form(char)
        chars.append(form)
        origin.extend([position] * len(form))
    return "".join(chars), origin


def hit_spans(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Spans of `text` (original form) where any term occurs, merged and in order."""
    folded, origin = _index_map(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        start = folded.find(term)
        while start >= 0 and term:
            end = start + len(term)
            spans.append((origin[start], origin[end - 1] + 1))
            start = folded.find(term, end)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(text: str, terms: tuple[str, ...], width: int = 60) -> Snippet:
    """About `width` characters of `text` around its first hit, hits highlighted."""
    flat = " ".join(text.split())
    spans = hit_spans(flat, terms)
    if not spans:
        cut = flat[:width]
        return Snippet(cut + ("…" if len(flat) > width else ""), ())
    first = spans[0][0]
    start = max(0, min(first - width // 3, len(flat) - width))
    end = min(len(flat), start + width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    inside = [
        (max(s, start) - start + len(prefix), min(e, end) - start + len(prefix))
        for s, e in spans
        if s < end and e > start
    ]
    return Snippet(prefix + flat[start:end] + suffix, tuple(inside))
