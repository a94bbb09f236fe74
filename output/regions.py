"""The compliance report of a large archive: an index of regions at the report's address
and one page per region beside it, each small enough to open at once.

A digest links ``report.html#AGENCY-YEAR``; the index sends such a link on to the agency's
region page, where that cell's panel opens.
"""

from __future__ import annotations

import hashlib
import html
import multiprocessing
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from output.compliance import (
    UI,
    _json,
    _rollup,
    export_documents,
    gather,
    page_top,
    render,
    write_page,
)
from output.text import score_table
from parsers.dates import now
from report.registry import STATUS_LABELS, label
from storage.db import connect, database_file
from storage.query import STATUS_ORDER, agencies, judged_as_of, judged_years

# More agencies than this, and the report is an index and a page per region.
REGION_PAGES_OVER = 2_000
# Region pages written side by side, at most: each writer holds one region's data (a peak of
# 107 MB for 500 agencies' 13,000 findings), and the report stays within 1 GB on any machine.
MAX_WRITERS = 4

_WORDS = {
    "zh": {"regions": "各地区", "agencies": "单位数", "open": "打开"},
    "en": {"regions": "Regions", "agencies": "Agencies", "open": "open"},
}


def page_of(region: str) -> str:
    """A region page's file name: ASCII, the same for the same region in every run."""
    return hashlib.sha1(region.encode("utf-8")).hexdigest()[:12] + ".html"


def _moved(data: dict[str, Any]) -> dict[str, Any]:
    """A region's ``data`` as its page shows it: links to documents one folder up, no
    overall chart (the index's business)."""
    moved = []
    for a in data["agencies"]:
        cells = {}
        for year, cell in a["cells"].items():
            report = cell.get("report")
            if report and report.get("document"):
                cell = {**cell, "report": {**report, "document": "../" + report["document"]}}
            cells[year] = cell
        moved.append({**a, "cells": cells})
    return {**data, "agencies": moved, "chart": ""}


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


@dataclass(frozen=True)
class Region:
    """One region page to write: what a worker needs, sent by value."""

    name: str
    agency_ids: tuple[str, ...]
    page: Path
    documents: str | None  # the documents' folder, relative to the index
    out_dir: Path
    lang: str
    all_documents: bool
    years: tuple[int, ...]
    generated: str
    ranking: dict[str, Any] | None


def write_regions(
    conn: sqlite3.Connection,
    out: Path,
    lang: str,
    documents: str | None,
    all_documents: bool = False,
    ranking: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, Any], int]:
    """Write each region's page into ``<out stem>-regions/`` and the index to ``out``,
    telling ``progress`` (pages written, pages) as each is done;
    returns (the index's data, its ``region_pages`` and its agencies with each year's worst
    status and exported document; documents exported). Regions are gathered, exported and
    written one at a time, side by side on every core, each by its own reader of the
    archive: a national archive is never held whole. Each file is written beside its name
    and renamed into place."""
    folder = f"{out.stem}-regions"
    (out.parent / folder).mkdir(parents=True, exist_ok=True)
    by_region: dict[str, list[str]] = {}
    for agency_id, facts in agencies(conn).items():
        by_region.setdefault(facts["region"], []).append(agency_id)
    pages = {r: page_of(r) for r in by_region}
    years = tuple(judged_years(conn))
    generated = now()[:16].replace("T", " ")
    jobs = [
        Region(
            name=region,
            agency_ids=tuple(ids),
            page=out.parent / folder / pages[region],
            documents=documents,
            out_dir=out.parent,
            lang=lang,
            all_documents=all_documents,
            years=years,
            generated=generated,
            ranking=ranking and {**ranking, "scores": _scores_of(ranking["scores"], ids)},
        )
        # The largest first: the workers finish together.
        for region, ids in sorted(by_region.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    done = dict(zip([job.name for job in jobs], _each(conn, jobs, progress), strict=True))
    shown = [a for region in sorted(done) for a in done[region][0]]
    data = {
        "lang": lang,
        "as_of": judged_as_of(conn),
        "generated": generated,
        "years": list(years),
        "agencies": shown,
        "counts": dict(Counter(c["worst"] for a in shown for c in a["cells"].values())),
        "region_pages": len(jobs),
    }
    write_page(out, _index(data, folder, pages))
    return data, sum(written for _, written in done.values())


def _scores_of(scores: list[Any], ids: list[str]) -> list[Any]:
    kept = set(ids)
    return [s for s in scores if s.agency_id in kept]


def _each(
    conn: sqlite3.Connection, jobs: list[Region], progress: Callable[[int, int], None] | None
) -> list[tuple[list[dict], int]]:
    """Each job's page written, in order, by a pool of processes on a file archive (in
    this one for an archive in memory, which no other process can open)."""

    def told(results: Iterable[tuple[list[dict], int]]) -> list[tuple[list[dict], int]]:
        out = []
        for result in results:
            out.append(result)
            if progress is not None:
                progress(len(out), len(jobs))
        return out

    path = database_file(conn)
    workers = min(os.cpu_count() or 1, MAX_WRITERS, len(jobs))
    if not path or workers < 2:
        return told(_region(conn, job) for job in jobs)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return told(pool.map(_region_of, [path] * len(jobs), jobs))


def _region_of(path: str, job: Region) -> tuple[list[dict], int]:
    """A pool worker's job: its own read-only connection to the archive."""
    conn = connect(path, readonly=True)
    try:
        return _region(conn, job)
    finally:
        conn.close()


def _region(conn: sqlite3.Connection, job: Region) -> tuple[list[dict], int]:
    """Gather one region, export its documents, write its page; returns its agencies as
    the index shows them (each year's worst status and exported document) and documents
    written."""
    data = gather(
        conn,
        job.lang,
        job.documents,
        job.all_documents,
        errors_only=True,
        agency_ids=job.agency_ids,
    )
    data.update(years=list(job.years), generated=job.generated)
    if job.ranking is not None:  # ranks are within region and level: the region's own
        data["ranking"] = {**job.ranking, "table": score_table(job.ranking["scores"], job.lang)}
    written = export_documents(conn, data, job.out_dir / job.documents) if job.documents else 0
    write_page(job.page, render(_moved(data)))
    shown = [
        {
            **{k: a[k] for k in ("id", "name", "level", "level_label", "region")},
            "cells": {
                year: {
                    "worst": c["worst"],
                    "report": c["report"] and {"document": c["report"]["document"]},
                }
                for year, c in a["cells"].items()
            },
        }
        for a in data["agencies"]
    ]
    return shown, written
