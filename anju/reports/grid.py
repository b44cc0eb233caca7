"""The building × floor × unit grid of the project report, coloured by open defects.

Owns: laying rooms out as one table per building: floors as rows (top floor first), columns
by unit and door (the room number without its floor digits), so rooms stacked above each other
— one riser — share a column and a leak down a riser shows as a vertical stripe.
Pure functions; imports nothing from Anju but the report contexts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from anju.reports.contexts import BuildingGrid, GridCell, GridRow


@dataclass(frozen=True)
class GridRoom:
    phase: str
    building: str
    unit: str
    floor: int | None
    number: str
    open_defects: int


def door(floor: int | None, number: str) -> str:
    """The room's position on its floor: `1203` on floor 12 → `03`; else the number itself."""
    prefix = "" if floor is None else str(floor)
    if prefix and number.startswith(prefix) and len(number) > len(prefix):
        return number[len(prefix) :]
    return number


def level(open_defects: int) -> int:
    return min(open_defects, 3)


def building_grids(rooms: Iterable[GridRoom]) -> tuple[BuildingGrid, ...]:
    by_building: dict[tuple[str, str], list[GridRoom]] = defaultdict(list)
    for room in rooms:
        by_building[(room.phase, room.building)].append(room)
    return tuple(
        _grid(phase + building, by_building[(phase, building)])
        for phase, building in sorted(by_building, key=_natural_pair)
    )


def _grid(name: str, rooms: list[GridRoom]) -> BuildingGrid:
    columns = sorted({(r.unit, door(r.floor, r.number)) for r in rooms}, key=_natural_pair)
    position = {column: index for index, column in enumerate(columns)}
    floors = sorted({r.floor for r in rooms}, key=lambda f: (f is None, -(f or 0)))
    cells: dict[int | None, list[GridCell | None]] = {f: [None] * len(columns) for f in floors}
    for r in rooms:
        cell = GridCell(r.number, r.open_defects, level(r.open_defects))
        cells[r.floor][position[(r.unit, door(r.floor, r.number))]] = cell
    heads = tuple(f"{unit}-{place}" if unit else place for unit, place in columns)
    return BuildingGrid(name, heads, tuple(GridRow(f, tuple(cells[f])) for f in floors))


def _natural(text: str) -> tuple[int, str]:
    digits = "".join(c for c in text if c.isdigit())
    return (int(digits) if digits else 0, text)


def _natural_pair(pair: tuple[str, str]) -> tuple[tuple[int, str], tuple[int, str]]:
    return (_natural(pair[0]), _natural(pair[1]))
