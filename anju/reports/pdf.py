"""PDF of the reports through WeasyPrint, with real Chinese text in WenQuanYi Zen Hei.

Owns: HTML → PDF (fonts embedded as subsets, so a report stays small and `pdftotext` reads
its Chinese back). The font is named in `templates/handover/report.css`; Debian's
`fonts-wqy-zenhei` and pango must be installed (`make browser`). Imports WeasyPrint.
"""

from __future__ import annotations

from weasyprint import HTML  # type: ignore[import-untyped]

from anju.reports.contexts import Report
from anju.reports.render import TEMPLATES, render_html


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document whose relative links resolve in `templates/`."""
    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    assert isinstance(pdf, bytes)  # write_pdf without a target returns the bytes
    return pdf


def render_pdf(report: Report) -> bytes:
    return html_to_pdf(render_html(report))
