"""The room label used everywhere a room is named: owners, defects, cases, reports and pages.

Owns: `room_label` — phase, building, unit and room number run together, e.g. 一期1栋1单元101
(a project without phases: 1栋1单元101). `anju.services.handover.room_of` reads it back. Pure;
imports nothing from Anju.
"""

from __future__ import annotations


def room_label(phase: str, building: str, unit: str, number: str) -> str:
    return f"{phase}{building}{unit}{number}"
