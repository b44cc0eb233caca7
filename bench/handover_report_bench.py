"""Hand-over report benchmark: 1,000 unit hand-over PDFs (each unit with a few defects and
their rectification history) through the same code path as `anju report handover --unit all`.

Prints: the time to build the data (not part of the target), to assemble the 1,000 report
contexts from the database, and to render them to PDF in the worker pool; the PDF sizes; and
the peak memory of the whole process tree (this process, the fork server and the workers:
the sum of their PSS, sampled from /proc/*/smaps_rollup).
Targets: ≤ 2 min total, ≤ 100 KB per PDF, ≤ 500 MB peak.

Run: `python -m bench.handover_report_bench [--units N]`. Figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

from anju import demo_handover
from anju.config import REPO_ROOT
from anju.db.migrate import upgrade
from anju.db.unit_of_work import Database
from anju.demo import DEMO_USERS
from anju.importers import xlsx_writer
from anju.importers.identity import id_check_char
from anju.services import handover_reports, owners, processes, projects, users
from anju.services.context import AppContext

PROJECT = "BENCH-JF"
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


class TreeMemory:
    """Samples the proportional set size (PSS) of this process and all its descendants."""

    def __init__(self, interval: float = 0.1) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.peak = max(self.peak, _tree_rss(os.getpid()))


def _tree_rss(root: int) -> int:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        grew = bool(more)
        tree |= more
    total = 0
    for pid in tree:  # PSS: pages shared between the fork server and its workers count once
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def rooms_sheet(count: int) -> tuple[bytes, list[str]]:
    """Owners of `count` homes: 10 buildings × 2 units × floors × 2 doors."""
    header = ["楼栋", "单元", "楼层", "房号", "业主姓名", "联系电话", "身份证号"]
    rows: list[list[object]] = []
    names: list[str] = []
    floors = max(1, count // 40)
    for serial in range(count):
        building, rest = divmod(serial, 2 * floors * 2)
        unit, rest = divmod(rest, floors * 2)
        floor, door = divmod(rest, 2)
        number = f"{floor + 1}0{door + 1}"
        first17 = f"320113198{serial % 10}0101{serial % 1000:03d}"
        rows.append(
            [
                f"{building + 1}栋",
                f"{unit + 1}单元",
                floor + 1,
                number,
                f"王{serial}",
                f"139{serial:08d}",
                first17 + id_check_char(first17),
            ]
        )
        names.append(f"{building + 1}栋{unit + 1}单元{number}")
    return xlsx_writer.table_bytes("业主", header, rows), names


def build(ctx: AppContext, count: int) -> list[str]:
    processes.deploy_directory(ctx, REPO_ROOT / "bpmn")
    for username, name, roles in DEMO_USERS:
        users.add_user(ctx, username, name, list(roles))
    projects.start_project(ctx, PROJECT, "锦峰华庭", "南京", "高层住宅", date(2026, 6, 30), "kefu")
    sheet, rooms = rooms_sheet(count)
    report = owners.commit_import(ctx, PROJECT, sheet, "xiaoshou", "owners.xlsx")
    assert report.committed, report.rejected[:3]
    riser = {name for name in rooms if name.startswith("2栋1单元") and name.endswith("01")}
    demo_handover.simulate(ctx, PROJECT, rooms, seed=7, leaking=riser)
    return rooms


def _build_data(url: str, count: int) -> None:
    """Build the data in a child process, so the measured process holds only what
    `anju report handover --unit all` holds (a fresh process reading the database)."""
    ctx = AppContext(db=Database(url), clock=lambda: NOW)
    build(ctx, count)
    ctx.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        db = Database(url)
        upgrade(db.engine)
        ctx = AppContext(db=db, clock=lambda: NOW)
        started = time.perf_counter()
        builder = multiprocessing.get_context("spawn").Process(
            target=_build_data, args=(url, args.units)
        )
        builder.start()
        builder.join()
        assert builder.exitcode == 0, "building the data failed"
        print(
            f"data: {args.units} units with defects built in {time.perf_counter() - started:.1f} s"
        )

        out = Path(folder) / "pdf"
        out.mkdir()
        sizes: list[int] = []
        with TreeMemory() as memory:
            started = time.perf_counter()
            reports = handover_reports.unit_reports(ctx, PROJECT, "kefu")
            assembled = time.perf_counter() - started
            defects = sum(r.total_defects for r in reports)
            print(f"assemble: {len(reports)} contexts ({defects} defects) in {assembled:.2f} s")
            for done, (report, data) in enumerate(
                zip(reports, handover_reports.render(reports, "pdf"), strict=True), start=1
            ):
                (out / f"{report.file_stem}.pdf").write_bytes(data)
                sizes.append(len(data))
                if done % 100 == 0:
                    elapsed = time.perf_counter() - started
                    print(f"  [{done}/{len(reports)}] {elapsed:.1f} s", flush=True)
            total = time.perf_counter() - started
        print(
            f"total: {len(sizes)} PDFs in {total:.1f} s "
            f"({total / len(sizes) * 1000:.0f} ms per unit; target ≤ 120 s)"
        )
        print(
            f"size: median {statistics.median(sizes) / 1024:.1f} KB, "
            f"max {max(sizes) / 1024:.1f} KB (target ≤ 100 KB)"
        )
        print(f"peak memory (process tree, PSS): {memory.peak / 2**20:.0f} MB (target ≤ 500 MB)")
        db.dispose()


if __name__ == "__main__":
    main()
