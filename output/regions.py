"""The compliance report of a large archive: an index of regions at the report's address
and one page per region beside it, each small enough to open at once.

A digest links ``report.html#AGENCY-YEAR``; the index sends such a link on to the agency's
region page, where that cell's panel opens.
"""

from __future__ import annotations

import hashlib
import html
import os
from collections import Counter
from pathlib import Path
from typing import Any

from output.compliance import UI, _json, _rollup, page_top, render
from output.text import score_table
from report.registry import STATUS_LABELS, label
from storage.query import STATUS_ORDER

# More agencies than this, and the report is an index and a page per region.
REGION_PAGES_OVER = 2_000

_WORDS = {
    "zh": {"regions": "各地区", "agencies": "单位数", "open": "打开"},
    "en": {"regions": "Regions", "agencies": "Agencies", "open": "open"},
}


def page_of(region: str) -> str:
    """A region page's file name: ASCII, the same for the same region in every run."""
    return hashlib.sha1(region.encode("utf-8")).hexdigest()[:12] + ".html"


def _subset(data: dict[str, Any], agencies: list[dict[str, Any]]) -> dict[str, Any]:
    """``data`` for some of its agencies, its links to documents one folder up."""
    moved = []
    for a in agencies:
        cells = {}
        for year, cell in a["cells"].items():
            report = cell.get("report")
            if report and report.get("document"):
                cell = {**cell, "report": {**report, "document": "../" + report["document"]}}
            cells[year] = cell
        moved.append({**a, "cells": cells})
    counts = Counter(c["worst"] for a in moved for c in a["cells"].values())
    out = {**data, "agencies": moved, "counts": dict(counts), "chart": ""}
    if "ranking" in data:  # ranks are within region and level: the region's own
        ids = {a["id"] for a in agencies}
        scores = [s for s in data["ranking"]["scores"] if s.agency_id in ids]
        out["ranking"] = {**data["ranking"], "table": score_table(scores, data["lang"])}
    return out


def _index(data: dict[str, Any], folder: str, pages: dict[str, str]) -> str:
    lang = data["lang"]
    ui, words, e = UI[lang], _WORDS[lang], html.escape
    by_region: dict[str, Counter[str]] = {}
    sizes: Counter[str] = Counter()
    for a in data["agencies"]:
        sizes[a["region"]] += 1
        tally = by_region.setdefault(a["region"], Counter())
        tally.update(c["worst"] for c in a["cells"].values())
    head = "".join(f"<th>{e(label(STATUS_LABELS, s, lang))}</th>" for s in STATUS_ORDER)
    rows = "".join(
        f'<tr><th><a href="{e(folder)}/{pages[r]}">{e(r or "—")}</a></th><td>{sizes[r]}</td>'
        + "".join(f"<td>{by_region[r].get(s, 0)}</td>" for s in STATUS_ORDER)
        + "</tr>"
        for r in sorted(by_region)
    )
    where = {a["id"]: pages[a["region"]] for a in data["agencies"]}
    return f"""{page_top(data)}
<section><h2>{e(words["regions"])}</h2>
<table class="matrix" id="regions"><thead><tr><th>{e(ui["region"])}</th>
<th>{e(words["agencies"])}</th>{head}</tr></thead><tbody>{rows}</tbody></table></section>
{_rollup(data, lang)}
<script type="application/json" id="where">{_json({"folder": folder, "pages": where})}</script>
<script>
(function(){{
  var where = JSON.parse(document.getElementById('where').textContent);
  // A digest's link, report.html#AGENCY-YEAR: on to the agency's region page.
  function follow(){{
    var h = decodeURIComponent(location.hash.slice(1)), cut = h.lastIndexOf('-');
    var page = cut < 0 ? null : where.pages[h.slice(0, cut)];
    if (page) location.replace(where.folder + '/' + page + location.hash);
  }}
  window.addEventListener('hashchange', follow);
  follow();
}})();
</script>
</body></html>
"""


def write_regions(data: dict[str, Any], out: Path) -> int:
    """Write the index to ``out`` and each region's page into ``<out stem>-regions/``;
    returns the pages written. Each file is written beside its name and renamed into place."""
    folder = f"{out.stem}-regions"
    (out.parent / folder).mkdir(parents=True, exist_ok=True)
    regions: dict[str, list[dict[str, Any]]] = {}
    for a in data["agencies"]:
        regions.setdefault(a["region"], []).append(a)
    pages = {r: page_of(r) for r in regions}
    for region, agencies in regions.items():
        _write(out.parent / folder / pages[region], render(_subset(data, agencies)))
    _write(out, _index(data, folder, pages))
    return len(regions)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
