"""Owner import benchmark: a realistic 100,000-row owners file imported end to end on SQLite,
next to the raw ceiling (the fastest read plus `sqlite3.executemany` of the same rows).

Run: `python -m bench.owner_import_bench [--rows N]`. Figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import io
import random
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import python_calamine
from openpyxl import Workbook

from anju.config import REPO_ROOT
from anju.db.migrate import upgrade
from anju.db.unit_of_work import Database
from anju.demo import DEMO_USERS
from anju.importers.identity import id_check_char
from anju.services import owners, processes, projects, users
from anju.services.context import AppContext

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰建华志国海波晓燕红梅玉兰春雷鹏飞"
DISTRICTS = [
    ("370202", "青岛市市南区"),
    ("370203", "青岛市市北区"),
    ("370212", "青岛市崂山区"),
    ("320506", "苏州市吴中区"),
    ("330106", "杭州市西湖区"),
    ("510107", "成都市武侯区"),
]
ROADS = ["香港中路", "延安三路", "海尔路", "辽宁路", "人民路", "文三路", "天府大道"]
HEADER = [
    "分期",
    "楼栋",
    "单元",
    "房号",
    "业主姓名",
    "联系电话",
    "身份证号",
    "通讯地址",
    "签约日期",
    "计划交付日期",
    "客户等级",
    "备注",
]


def generate(path: Path, count: int) -> None:
    rng = random.Random(2026)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("业主信息")
    sheet.append(HEADER)
    written = 0
    building = 0
    while written < count:
        building += 1
        for unit in range(1, 5):
            for floor in range(1, 34):
                for door in range(1, 7):
                    if written >= count:
                        break
                    code, district = rng.choice(DISTRICTS)
                    born = date(1960, 1, 1) + timedelta(days=rng.randrange(15000))
                    first17 = f"{code}{born:%Y%m%d}{rng.randrange(1000):03d}"
                    sheet.append(
                        [
                            f"{1 + building // 20}期",
                            f"{building}栋",
                            f"{unit}单元",
                            f"{floor}{door:02d}",
                            rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
                            f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                            first17 + id_check_char(first17),
                            f"{district}{rng.choice(ROADS)}{rng.randrange(1, 300)}号",
                            date(2025, 1, 1) + timedelta(days=rng.randrange(365)),
                            date(2027, 6, 30),
                            "VIP" if rng.random() < 0.05 else "普通",
                            "",
                        ]
                    )
                    written += 1
    workbook.save(path)


def raw_ceiling(path: Path, folder: Path) -> float:
    started = time.perf_counter()
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    rows = book.get_sheet_by_index(0).to_python()[1:]
    connection = sqlite3.connect(folder / "raw.sqlite3")
    connection.execute(f"CREATE TABLE owners ({', '.join(f'c{i}' for i in range(12))})")
    connection.executemany(
        f"INSERT INTO owners VALUES ({', '.join('?' * 12)})",
        [[str(v) for v in row] for row in rows],
    )
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def end_to_end(path: Path, folder: Path) -> tuple[float, owners.ImportReport]:
    url = f"sqlite:///{folder / 'anju.sqlite3'}"
    ctx = AppContext(db=Database(url), clock=lambda: datetime(2026, 3, 2, tzinfo=UTC))
    upgrade(ctx.db.engine)
    processes.deploy_directory(ctx, REPO_ROOT / "bpmn")
    for username, name, roles in DEMO_USERS:
        users.add_user(ctx, username, name, list(roles))
    projects.start_project(ctx, "QD-HTW", "海棠湾", "青岛", "高层住宅", date(2027, 6, 30), "kefu")
    started, cpu = time.perf_counter(), time.process_time()
    report = owners.commit_import(ctx, "QD-HTW", path, "kefu")
    elapsed = time.perf_counter() - started
    print(f"first import CPU time of this process: {time.process_time() - cpu:.2f} s")
    again, cpu = time.perf_counter(), time.process_time()
    second = owners.commit_import(ctx, "QD-HTW", path, "kefu")
    print(
        f"re-import of the same file: {time.perf_counter() - again:.2f} s, "
        f"CPU {time.process_time() - cpu:.2f} s "
        f"(unchanged {second.unchanged}, new {second.new}, changed {second.changed})"
    )
    ctx.db.dispose()
    return elapsed, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "owners.xlsx"
        started = time.perf_counter()
        generate(path, args.rows)
        print(
            f"generated {args.rows} rows, {path.stat().st_size / 1e6:.1f} MB "
            f"in {time.perf_counter() - started:.1f} s"
        )
        ceiling = raw_ceiling(path, folder)
        elapsed, report = end_to_end(path, folder)
        print(
            f"end to end (read, validate, write) on SQLite: {elapsed:.2f} s "
            f"(new {report.new}, invalid {report.invalid}, rooms {len(report.new_rooms)})"
        )
        print(f"raw ceiling (calamine read + sqlite3.executemany): {ceiling:.2f} s")
        print(f"ratio: {elapsed / ceiling:.1f}x")


if __name__ == "__main__":
    main()
