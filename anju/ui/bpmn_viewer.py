"""The BPMN diagram of a project: bpmn-js's NavigatedViewer in an iframe, nodes coloured by state.

The iframe is `st.iframe` with an HTML string (Streamlit 1.67 deprecates `components.v1.html`
in its favour; both render the same sandboxed `srcdoc` iframe).

Owns: building the iframe's HTML. The viewer (`bpmn-navigated-viewer.production.min.js` of the
npm package `bpmn-js`, MIT, installed by `npm ci` from the committed package-lock.json) is read
from `node_modules/` and inlined, so the browser never loads anything from the internet. The
bpmn-js watermark stays. Data goes into the page as JSON with `<` escaped, never as HTML.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import streamlit as st

from anju.config import REPO_ROOT
from anju.services.diagram import ACTIVE, COMPLETED, PENDING, Diagram
from anju.ui.state import t

BPMN_JS = REPO_ROOT / "node_modules" / "bpmn-js" / "dist"
VIEWER = BPMN_JS / "bpmn-navigated-viewer.production.min.js"
STYLES = (BPMN_JS / "assets" / "diagram-js.css", BPMN_JS / "assets" / "bpmn-js.css")
STATES = (COMPLETED, ACTIVE, PENDING)

_STYLE = """
html, body { margin: 0; font-family: sans-serif; }
#canvas { height: %(height)dpx; border: 1px solid #e6e6e6; border-radius: 0.5rem; }
.anju-completed:not(.djs-connection) .djs-visual > :nth-child(1) {
  fill: #e3f4d7 !important; stroke: #3c8d0d !important; }
.anju-active:not(.djs-connection) .djs-visual > :nth-child(1) {
  fill: #fff1c2 !important; stroke: #d97706 !important; stroke-width: 3px !important; }
.anju-pending:not(.djs-connection) .djs-visual > :nth-child(1) {
  fill: #f4f4f5 !important; stroke: #a1a1aa !important; }
.anju-pending:not(.djs-connection) .djs-visual text { fill: #71717a !important; }
.anju-badge { display: inline-block; min-width: 1rem; padding: 0 0.35rem; margin-left: 2px;
  border-radius: 0.6rem; color: #fff; font-size: 11px; line-height: 1.1rem; text-align: center; }
.anju-badge.completed { background: #3c8d0d; }
.anju-badge.active { background: #d97706; }
#error { color: #b91c1c; padding: 0.5rem; }
"""

_SCRIPT = """
const data = JSON.parse(document.getElementById("anju-data").textContent);
const viewer = new BpmnJS({ container: "#canvas" });
function badge(kind, text, title) {
  const span = document.createElement("span");
  span.className = "anju-badge " + kind;
  span.textContent = text;
  span.title = title;
  return span;
}
viewer.importXML(data.xml).then(() => {
  const canvas = viewer.get("canvas");
  const overlays = viewer.get("overlays");
  const registry = viewer.get("elementRegistry");
  canvas.zoom("fit-viewport", "auto");
  for (const node of data.nodes) {
    if (!registry.get(node.id)) continue;
    canvas.addMarker(node.id, "anju-" + node.state);
    const box = document.createElement("div");
    const labels = data.labels;
    if (node.completed > 0) {
      box.appendChild(badge("completed", "\\u2713" + node.completed, labels.completed));
    }
    if (node.active > 0) box.appendChild(badge("active", "\\u25B6" + node.active, labels.active));
    if (box.childNodes.length) {
      overlays.add(node.id, { position: { top: -10, right: 24 }, html: box });
    }
  }
  document.body.dataset.rendered = "true";
}).catch((err) => {
  console.error(err);
  document.getElementById("error").textContent = data.labels.error;
});
"""


@cache
def _assets() -> tuple[str, str] | None:
    """(CSS, JS) of the installed viewer, read once per server; None when `npm ci` never ran."""
    if not VIEWER.is_file():
        return None
    css = "\n".join(path.read_text(encoding="utf-8") for path in STYLES if path.is_file())
    return css, VIEWER.read_text(encoding="utf-8")


def _json(value: object) -> str:
    """JSON safe inside a <script> element: no `<` can close it."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def page_html(diagram: Diagram, height: int) -> str | None:
    assets = _assets()
    if assets is None:
        return None
    css, viewer = assets
    data = {
        "xml": diagram.xml,
        "nodes": [
            {"id": n.bpmn_id, "state": n.state, "completed": n.completed, "active": n.active}
            for n in diagram.nodes
        ],
        "labels": {
            COMPLETED: t("diagram.completed"),
            ACTIVE: t("diagram.active"),
            "error": t("diagram.error"),
        },
    }
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<style>{css}{_STYLE % {'height': height}}</style></head><body>"
        '<div id="error"></div><div id="canvas"></div>'
        f'<script type="application/json" id="anju-data">{_json(data)}</script>'
        f"<script>{viewer}</script><script>{_SCRIPT}</script></body></html>"
    )


def show(diagram: Diagram, height: int = 360) -> None:
    """The diagram with its state counts as badges above it."""
    counts = diagram.counts()
    colours = {COMPLETED: "green", ACTIVE: "orange", PENDING: "gray"}
    st.markdown(
        " ".join(
            f":{colours[state]}-badge[{t('diagram.' + state)} {counts[state]}]" for state in STATES
        )
    )
    html = page_html(diagram, height)
    if html is None:
        st.warning(t("diagram.missing", path=str(Path("node_modules") / "bpmn-js")))
        return
    st.iframe(html, height=height + 40)
