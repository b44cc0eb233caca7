"""Demo hand-over data (交房) for 栖霞雅苑 (NJ-QXYY): appointments, inspection defects, their
rectification and each room's outcome, made through the real hand-over services.

Owns: inventing a believable hand-over (deterministic: the same rooms, defects and outcomes
every time; loading twice changes nothing). A leak down one riser (x01 rooms of 3栋1单元), a
few refusals with reasons, rectifications closed after a few days or still overdue. The
services run on a clock that walks from three weeks before now, so found → closed times vary.
Also used by `bench/handover_report_bench.py` for its 1,000 units. Imports no SQLAlchemy.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from anju.localtime import local_date
from anju.services import handover, handover_units
from anju.services.context import AppContext

PROJECT = "NJ-QXYY"
CS, CS2, ENGINEER = "kefu", "kefu2", "gongcheng"
DEFECTS = (  # (space, part, category, description)
    ("卫生间", "墙面", "渗漏", "淋浴区墙面返潮，瓷砖缝发黑"),
    ("卫生间", "地面", "渗漏", "地漏周边积水，排水坡度不足"),
    ("客厅", "地面", "空鼓", "地砖敲击空鼓三块"),
    ("主卧", "墙面", "开裂", "窗角墙面斜向裂缝约 30 厘米"),
    ("主卧", "门窗", "门窗", "窗扇关闭不严，密封条脱落"),
    ("厨房", "墙面", "空鼓", "橱柜后墙砖空鼓"),
    ("阳台", "顶棚", "渗漏", "雨后顶棚滴水"),
    ("次卧", "墙面", "污染", "乳胶漆表面污渍"),
    ("入户门", "门窗", "五金", "门锁转动卡滞"),
    ("客厅", "墙面", "开裂", "梁下墙面水平裂缝"),
)
REFUSALS = (
    "卫生间渗漏未整改完成，拒绝收房",
    "实测面积与合同不符，要求核对",
    "阳台顶棚滴水，要求修复后再交付",
)


class _WalkingClock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


def load(ctx: AppContext) -> int:
    """The hand-over of NJ-QXYY; the number of defects recorded (0 when already loaded)."""
    if handover.list_defects(ctx, PROJECT, CS):
        return 0
    rooms = [
        f"{building}栋{unit}单元{floor}0{door}"
        for building in range(1, 9)
        for unit in (1, 2)
        for floor in (1, 2, 3)
        for door in (1, 2)
    ]
    riser = {f"3栋1单元{floor}01" for floor in (1, 2, 3)}
    return simulate(ctx, PROJECT, rooms, seed=20260601, leaking=riser)


def simulate(
    ctx: AppContext,
    project: str,
    rooms: Sequence[str],
    seed: int,
    leaking: frozenset[str] | set[str] = frozenset(),
    days: int = 21,
) -> int:
    """Inspect `rooms` of `project` over `days` ending now: defects (a leak in every room of
    `leaking`), rectifications and outcomes. Returns the number of defects recorded."""
    rng = random.Random(seed)
    clock = _WalkingClock(ctx.now() - timedelta(days=days))
    walking = replace(ctx, clock=clock)
    step = timedelta(days=days) / max(1, len(rooms))
    recorded = 0
    for room in rooms:
        clock.moment += step
        today = local_date(clock.moment)
        handover_units.book_appointment(
            walking, project, room, CS, today, rng.choice(("09:00-10:00", "14:00-15:00"))
        )
        picks = rng.sample(DEFECTS, rng.choice((0, 1, 2, 2, 3, 4)))
        if room in leaking:
            picks = [DEFECTS[6], *[d for d in picks if d is not DEFECTS[6]]]
        found = [
            handover.add_defect(
                walking,
                project,
                room,
                CS,
                space=space,
                part=part,
                category=category,
                description=description,
                severity=rng.choice(("minor", "minor", "major", "critical")),
                due=today + timedelta(days=rng.choice((3, 7, 10))),
            ).defect_id
            for space, part, category, description in picks
        ]
        recorded += len(found)
        _rectify(walking, clock, found, rng, room in leaking, ctx.now())
        _outcome(walking, project, room, rng, open_left=room in leaking)
    return recorded


def _rectify(
    ctx: AppContext,
    clock: _WalkingClock,
    defects: list[int],
    rng: random.Random,
    leaking: bool,
    limit: datetime,
) -> None:
    start = clock.moment
    for defect_id in defects:
        if leaking or rng.random() < 0.35:
            continue  # still open (some of them overdue by now)
        clock.moment = min(start + timedelta(hours=rng.randrange(20, 24 * 12)), limit)
        handover.mark_ready(ctx, defect_id, ENGINEER, note="已按规范整改")
        if rng.random() < 0.2:
            handover.reinspect(ctx, defect_id, CS2, accept=False, reason="复验仍有问题，需返工")
            continue
        handover.reinspect(ctx, defect_id, CS, accept=True)
    clock.moment = start


def _outcome(ctx: AppContext, project: str, room: str, rng: random.Random, open_left: bool) -> None:
    chance = rng.random()
    if open_left or chance < 0.08:
        handover_units.refuse(ctx, project, room, CS, rng.choice(REFUSALS))
    elif chance < 0.75:
        handover_units.hand_over(ctx, project, room, CS, keys_handed=rng.random() > 0.05)
