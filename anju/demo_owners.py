"""Demo owner records for 栖霞雅苑 (NJ-QXYY, in hand-over), loaded through the real import.

Owns: inventing a believable owners sheet (names, Nanjing addresses and checksum-valid but
fake ID numbers, all made up here) and importing it as sales would send it. Deterministic:
the same owners every time, so loading twice changes nothing. Writes the sheet through
`anju.importers` and imports it through `anju.services.owners`; imports no SQLAlchemy.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from anju.importers import xlsx_writer
from anju.importers.identity import id_check_char
from anju.importers.owner_schema import COLUMNS
from anju.services import owners
from anju.services.context import AppContext

PROJECT = "NJ-QXYY"
IMPORTED_BY = "xiaoshou"
FILE_NAME = "栖霞雅苑业主信息-销售部.xlsx"
FIELDS = (
    "phase",
    "building",
    "unit",
    "room",
    "name",
    "phone",
    "id_number",
    "mailing_address",
    "contract_date",
    "planned_delivery_date",
    "tier",
    "notes",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = (
    "子涵",
    "雨桐",
    "建国",
    "秀兰",
    "志强",
    "海燕",
    "文博",
    "思远",
    "静怡",
    "国平",
    "晓东",
    "丽娟",
    "明辉",
    "佳琪",
    "永福",
    "淑珍",
    "俊杰",
    "欣然",
    "德华",
    "春梅",
)
DISTRICTS = (  # (area code of the ID number, where the owner lives now)
    ("320113", "南京市栖霞区"),
    ("320102", "南京市玄武区"),
    ("320104", "南京市秦淮区"),
    ("320106", "南京市鼓楼区"),
    ("320115", "南京市江宁区"),
    ("340104", "合肥市蜀山区"),
)
ROADS = ("仙林大道", "学海路", "文苑路", "马群街", "中山东路", "汉中路", "龙蟠中路", "双龙大道")
NOTES = ("", "", "", "", "希望周末交房", "委托家属办理", "需开具装修许可")


def owners_sheet() -> bytes:
    """The owners sheet of 栖霞雅苑 (叠墅: 8 buildings × 2 units × 3 floors × 2 homes)."""
    rng = random.Random(20261125)
    rows: list[list[object]] = []
    for building in range(1, 9):
        for unit in (1, 2):
            for floor in (1, 2, 3):
                for door in (1, 2):
                    rows.append(_owner_row(rng, building, unit, floor * 100 + door))
    rows[5][FIELDS.index("mailing_address")] = ""  # two owners sales has no address for:
    rows[41][FIELDS.index("mailing_address")] = ""  # `anju owners-missing` lists them
    rows[12][FIELDS.index("phone")] = f"{rows[12][FIELDS.index('phone')]}/025-85431234"
    header = [COLUMNS[name][0] for name in FIELDS]
    return xlsx_writer.table_bytes("业主信息", header, rows)


def load(ctx: AppContext) -> int:
    """Import the demo owners of NJ-QXYY; the number of owners created (0 the second time)."""
    report = owners.commit_import(ctx, PROJECT, owners_sheet(), IMPORTED_BY, FILE_NAME)
    if not report.committed:  # the sheet is ours: a rejected row is a bug here
        raise RuntimeError(f"demo owners rejected: {report.rejected[:3]}")
    return report.new


def _owner_row(rng: random.Random, building: int, unit: int, room: int) -> list[object]:
    code, district = rng.choice(DISTRICTS)
    born = date(1958, 1, 1) + timedelta(days=rng.randrange(13000))
    first17 = f"{code}{born:%Y%m%d}{rng.randrange(1000):03d}"
    contract = date(2024, 9, 1) + timedelta(days=rng.randrange(300))
    return [
        "一期" if building <= 4 else "二期",
        f"{building}栋",
        f"{unit}单元",
        str(room),
        rng.choice(SURNAMES) + rng.choice(GIVEN),
        f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
        first17 + id_check_char(first17),
        f"{district}{rng.choice(ROADS)}{rng.randrange(1, 400)}号{rng.randrange(1, 30)}栋"
        f"{rng.randrange(1, 6)}0{rng.randrange(1, 4)}室",
        contract,
        date(2026, 6, 30),
        "VIP" if rng.random() < 0.1 else "普通",
        rng.choice(NOTES),
    ]
