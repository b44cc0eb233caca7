"""Reports: documented context dataclasses rendered by Jinja2 templates (`templates/`) to HTML,
and by WeasyPrint to PDF. The only package that imports Jinja2 and WeasyPrint."""
