"""Many reports at once, e.g. every unit of a project: HTML in this process, PDF in a pool.

Owns: rendering a sequence of reports in order. PDFs are made by worker processes started
from a fork server that has WeasyPrint loaded, and each worker is replaced after
`per_worker` reports: WeasyPrint's memory only grows within a process, so recycling keeps
the peak flat however many units there are. Imports nothing of Anju but the report modules.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
from collections.abc import Iterator, Sequence

from anju.reports.contexts import Report
from anju.reports.pdf import render_pdf
from anju.reports.render import render_html

FORMATS = ("html", "pdf")
WORKERS = 2
PER_WORKER = 20


def render_many(
    reports: Sequence[Report],
    fmt: str,
    workers: int = WORKERS,
    per_worker: int = PER_WORKER,
) -> Iterator[bytes]:
    """The files of `reports` in their order, as they are done (HTML as UTF-8)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}")
    if fmt == "html":
        for report in reports:
            yield render_html(report).encode()
        return
    if workers <= 1 or len(reports) <= 1:
        for report in reports:
            yield render_pdf(report)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["anju.reports.pdf"])
    with context.Pool(workers, maxtasksperchild=per_worker) as pool:
        yield from pool.imap(_render_pdf_and_trim, reports, chunksize=4)


def _render_pdf_and_trim(report: Report) -> bytes:
    """`render_pdf` in a worker, then hand the freed heap back to the OS (glibc keeps it
    otherwise, and the workers' resident memory is what the peak is made of)."""
    data = render_pdf(report)
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
    return data


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:  # not glibc: nothing to trim
        return None


_LIBC = _libc()
