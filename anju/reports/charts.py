"""Horizontal bar charts drawn as inline SVG by the templates (no JavaScript).

Owns: the geometry of a bar chart (bar lengths scaled to the longest, row positions, the SVG
height), computed here so the template only draws. Pure functions; imports nothing from Anju.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LABEL_WIDTH = 120  # px of the label column
BAR_SPACE = 300  # px for the longest bar
ROW_HEIGHT = 22


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int  # top of the row
    length: int  # px, at least 1 for a non-zero value


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    label_width: int
    width: int
    height: int

    @property
    def empty(self) -> bool:
        return not self.bars


def bar_chart(title: str, items: Iterable[tuple[str, int]], limit: int = 12) -> BarChart:
    """The chart of `items` (label, value) in the order given, at most `limit` bars; the rest
    summed into one bar 其他."""
    pairs = list(items)
    if len(pairs) > limit:
        pairs = [*pairs[: limit - 1], ("其他", sum(value for _, value in pairs[limit - 1 :]))]
    top = max((value for _, value in pairs), default=0)
    bars = tuple(
        Bar(label, value, index * ROW_HEIGHT, _length(value, top))
        for index, (label, value) in enumerate(pairs)
    )
    width = LABEL_WIDTH + BAR_SPACE + 40  # room for the value after the longest bar
    return BarChart(title, bars, LABEL_WIDTH, width, max(ROW_HEIGHT, len(bars) * ROW_HEIGHT))


def _length(value: int, top: int) -> int:
    return max(1, round(BAR_SPACE * value / top)) if value > 0 else 0
