"""The compliance report: one self-contained HTML file (no network, no external scripts)
that a person can read, filter and click through — Chinese by default, English on request.

Every value that comes from a report or a portal reaches the page escaped: the matrix is
written with ``html.escape``; the details a click opens are JSON inside the page (``<``
written as ``\\u003c``) that the script puts into the page with ``textContent`` only, and
links are kept only when they are web addresses or the exported documents beside the file.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from output.text import score_table
from parsers.dates import now
from parsers.sniff import extension
from report.agencies import LEVEL_LABELS
from report.registry import (
    SEVERITY_LABELS,
    STATUS_LABELS,
    STATUS_MEANINGS,
    health_rule,
    label,
    title,
)
from report.scoring import Pack, score
from report.sentences import advice, meaning, sentence
from report.template import APPEAL_GROUPS, APPLICATION_ROWS, cell_label
from storage.archive import document_bytes
from storage.query import (
    STATUS_ORDER,
    agencies,
    agency_count,
    compliance,
    findings,
    health,
    judged_as_of,
    open_findings,
    outcome_series,
    report_cells,
    report_documents,
)

# The numbers the panel sets beside last year's: table 三 row by row (its 总计 column, in
# the template's order) and table 四's totals.
COMPARED = (
    *(f"{row.key}.total" for row in APPLICATION_ROWS),
    *(f"appeals.{group}.total" for group in APPEAL_GROUPS),
)
# Colours of the statuses and of the outcome groups in charts.
COLOURS = {
    "ok": "#cdeccd",
    "late": "#fff0a8",
    "inconsistent": "#ffc58f",
    "missing": "#f59a9a",
    "pending": "#e6e6e6",
    "unverified": "#d8def0",
}
OUTCOMES = (
    ("granted", "#4a9a4a", "予以公开", "disclosed"),
    ("partially_granted", "#9ccc65", "部分公开", "partly disclosed"),
    ("denied", "#e57373", "不予公开", "not disclosed"),
    ("unavailable", "#ffb74d", "无法提供", "cannot be provided"),
    ("not_processed", "#9e9e9e", "不予处理", "not processed"),
    ("other", "#9575cd", "其他处理", "otherwise handled"),
)
UI = {
    "zh": {
        "title": "政府信息公开工作年度报告合规情况",
        "as_of": "判断日期",
        "generated": "生成时间",
        "agency": "单位",
        "level": "层级",
        "region": "地区",
        "status": "状态",
        "all": "全部",
        "search": "按名称筛选",
        "legend": "图例",
        "warnings": "条警告",
        "health": "栏目状况",
        "health_none": "所有栏目均已完整读取。",
        "overall": "全部单位：收到申请与办理结果",
        "received": "收到申请",
        "report": "报告",
        "published": "发布日期",
        "deadline": "截止日期",
        "document": "存档文件",
        "fetch": "存档文件：nianbao document ",
        "source": "原始地址",
        "findings": "发现的问题",
        "no_findings": "未发现问题。",
        "number": "编号",
        "dismissed": "经人工复核驳回",
        "means": "含义",
        "todo": "建议",
        "close": "关闭",
        "no_report": "未找到报告",
        "shown": "显示单位数",
        "counts": "统计",
        "agency_notes": "该单位栏目",
        "colon": "：",
        "none_cell": "该年度早于该单位应发布报告的第一年。",
        "compare": "与上年报告比较",
        "cell": "单元格",
        "change": "增减",
        "rollup": "各地区、层级的状态统计（{year}年度）",
        "total": "合计",
    },
    "en": {
        "title": "Compliance with the annual information-disclosure reports",
        "as_of": "Judged as of",
        "generated": "Generated",
        "agency": "Agency",
        "level": "Level",
        "region": "Region",
        "status": "Status",
        "all": "all",
        "search": "Filter by name",
        "legend": "Legend",
        "warnings": "warning(s)",
        "health": "Sources",
        "health_none": "Every source was read to its end.",
        "overall": "All agencies: requests received and their outcomes",
        "received": "received",
        "report": "Report",
        "published": "Published",
        "deadline": "Deadline",
        "document": "Archived document",
        "fetch": "Archived document: nianbao document ",
        "source": "Source",
        "findings": "Findings",
        "no_findings": "No findings.",
        "number": "finding",
        "dismissed": "dismissed on review",
        "means": "What it means",
        "todo": "What to do",
        "close": "Close",
        "no_report": "No report found",
        "shown": "Agencies shown",
        "counts": "Counts",
        "agency_notes": "This agency's source",
        "colon": ": ",
        "none_cell": "The year is before the agency's first report was due.",
        "compare": "Against last year's report",
        "cell": "Cell",
        "change": "Change",
        "rollup": "Statuses by region and level ({year})",
        "total": "Total",
    },
}


def _web(url: str | None) -> str | None:
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def write_page(path: Path, text: str) -> None:
    """A page written beside its name and renamed into place: a killed run leaves the
    last whole page, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _json(data: Any) -> str:
    """JSON safe inside <script>: no "</script>", no "<!--"."""
    return (
        json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def chart(series: dict[int, dict[str, float]], lang: str, width_per_year: int = 56) -> str:
    """Inline SVG: per year a bar of outcomes stacked, the requests received above it."""
    years = sorted(series)
    if not years:
        return ""
    top = max(
        max(series[y].get("received", 0), sum(series[y].get(g, 0) for g, *_ in OUTCOMES))
        for y in years
    )
    top = max(top, 1)
    # The tallest bar's total is written above it: room for it under the top edge.
    height, base, bar = 140, 168, 28
    legend = _legend(lang, base + 32)
    width = max(40 + width_per_year * len(years), legend[1] + 8)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{base + 40}" viewBox="0 0 {width} {base + 40}" role="img">'
    ]
    for i, year in enumerate(years):
        x = 30 + i * width_per_year
        y = base
        for group, colour, zh, en in OUTCOMES:
            value = series[year].get(group, 0)
            if not value:
                continue
            h = value / top * height
            y -= h
            name = html.escape(zh if lang == "zh" else en)
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}" fill="{colour}">'
                f"<title>{year} {name}: {value:g}</title></rect>"
            )
        received = series[year].get("received")
        if received is not None:
            ry = base - received / top * height
            parts.append(
                f'<line x1="{x - 4}" x2="{x + bar + 4}" y1="{ry:.1f}" y2="{ry:.1f}" '
                f'stroke="#333" stroke-width="2"/><text x="{x + bar / 2}" y="{ry - 4:.1f}" '
                f'font-size="11" text-anchor="middle">{received:g}</text>'
            )
        parts.append(
            f'<text x="{x + bar / 2}" y="{base + 16}" font-size="11" '
            f'text-anchor="middle">{year}</text>'
        )
    parts.append(legend[0])
    parts.append("</svg>")
    return "".join(parts)


def _legend(lang: str, legend_y: int) -> tuple[str, int]:
    """The chart's legend at ``legend_y`` and where it ends: a width per character that a
    10-pixel font does not exceed (a Chinese character 10, a Latin letter at most 7)."""

    def wide(text: str) -> int:
        return sum(10 if ord(c) > 0x2E80 else 7 for c in text)

    x = 4
    received_name = UI[lang]["received"]
    parts = [
        f'<line x1="{x}" x2="{x + 14}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="#333" '
        f'stroke-width="2"/><text x="{x + 18}" y="{legend_y}" font-size="10">'
        f"{html.escape(received_name)}</text>"
    ]
    x += 18 + wide(received_name) + 10
    for _, colour, zh, en in OUTCOMES:
        name = zh if lang == "zh" else en
        parts.append(
            f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 13}" y="{legend_y}" font-size="10">{html.escape(name)}</text>'
        )
        x += 13 + wide(name) + 10
    return "".join(parts), x


def _sum_series(series: dict[str, dict[int, dict[str, float]]]) -> dict[int, dict[str, float]]:
    total: dict[int, Counter] = {}
    for by_year in series.values():
        for year, values in by_year.items():
            total.setdefault(year, Counter()).update(values)
    return {y: dict(c) for y, c in total.items()}


def gather(
    conn: sqlite3.Connection,
    lang: str = "zh",
    documents_dir: str | None = None,
    all_documents: bool = False,
    errors_only: bool = False,
    agency_ids: Collection[str] | None = None,
) -> dict[str, Any]:
    """Everything the report shows (of ``agency_ids``, or every agency), as plain data;
    ``documents_dir`` is the folder (relative to the report) the archived documents are
    exported to, or None for no links. With ``errors_only``, only the years an error is
    about have theirs exported."""
    found = _findings_by_year(conn, lang, agency_ids)
    docs = report_documents(conn, agency_ids)
    numbers = report_cells(conn, COMPARED, agency_ids)
    known = agencies(conn, agency_ids)
    # The archived copy is evidence: exported for the years a finding is about (or every
    # year with all_documents). A national archive has a warning in most years, and would
    # export most of its documents: there (errors_only), only the years an error (an
    # inconsistent report) is about; the others' are named for `nianbao document`, and
    # every report links its address on the portal.
    cells: dict[str, dict[int, dict[str, Any]]] = {}
    for row in compliance(conn, agency_ids):
        items = found.get((row["agency_id"], row["year"]), [])
        doc = docs.get(row["report_id"]) if row["report_id"] else None
        evidence = [f for f in items if f["severity"] == "error"] if errors_only else items
        shown = documents_dir if evidence or all_documents else None
        cell = _cell(row, items, doc, shown, lang)
        if row["report_id"] in numbers:
            cell["numbers"] = numbers[row["report_id"]]
        cells.setdefault(row["agency_id"], {})[row["year"]] = cell
    sources = {h["agency_id"]: h for h in health(conn, agency_ids)}
    series = outcome_series(conn, agency_ids)
    rows = [
        {
            "id": agency_id,
            "name": facts["name"],
            "level": facts["level"],
            "level_label": label(LEVEL_LABELS, facts["level"], lang),
            "region": facts["region"],
            "list_url": _web(facts["list_urls"][0]) if facts["list_urls"] else None,
            "cells": cells.get(agency_id, {}),
            "health": (source := sources.get(agency_id))
            and {"status": source["status"], "detail": source["detail"]},
            "notes": found.get((agency_id, None), []),
            "chart": chart(series.get(agency_id, {}), lang),
        }
        for agency_id, facts in _in_office_order(known)
    ]
    counts = Counter(c["worst"] for by_year in cells.values() for c in by_year.values())
    shown_rules = {f["rule"] for items in found.values() for f in items}
    return {
        "rules": {
            rule: {
                "title": title(rule, lang),
                "meaning": meaning(rule, lang),
                "advice": advice(rule, lang),
            }
            for rule in sorted(shown_rules)
        },
        "lang": lang,
        "as_of": judged_as_of(conn),
        "generated": now()[:16].replace("T", " "),
        "years": sorted({y for by_year in cells.values() for y in by_year}),
        "agencies": rows,
        "counts": dict(counts),
        "chart": chart(_sum_series(series), lang, 64),
    }


def _findings_by_year(
    conn: sqlite3.Connection, lang: str, agency_ids: Collection[str] | None = None
) -> dict[tuple[str, int | None], list[dict[str, Any]]]:
    """Open findings as the reader sees them, by agency and year (None: the source's)."""
    found: dict[tuple[str, int | None], list[dict[str, Any]]] = {}
    for f in open_findings(conn, agency_ids):
        year = f["year"]
        # What every finding of a rule says alike (title, meaning, advice) is said once, in
        # the page's table of rules: half a million findings would repeat it.
        item = {
            "rule": f["rule"],
            "severity": f["severity"],
            "sentence": sentence(f["rule"], f["evidence"], f["message"], lang, year),
            "id": f["id"],  # the number `nianbao review` takes
        }
        if f["status"] == "dismissed":  # by a person: listed with why, counted against nobody
            item.update(dismissed=True, review_note=f["review_note"], reviewer=f["reviewer"])
        for place in _years_of(f):
            found.setdefault((f["agency_id"], place), []).append(item)
    return found


def _years_of(f: dict[str, Any]) -> list[int | None]:
    """Where a finding shows: its year; a source's documents that could not be read, under
    the years they were listed for (when each one's is known), else under the source."""
    if f["year"] is None and f["rule"] == "source.unreadable_documents":
        documents, years = f["evidence"].get("documents", {}), f["evidence"].get("years", {})
        if documents and all(url in years for url in documents):
            return sorted(set(years.values()))
    return [f["year"]]


def _cell(
    row: dict[str, Any],
    items: list[dict[str, Any]],
    doc: dict[str, Any] | None,
    documents_dir: str | None,
    lang: str,
) -> dict[str, Any]:
    """One agency-year of the matrix: its statuses, their words, its report, its findings."""
    statuses = (
        [s for s, on in (("inconsistent", row["inconsistent"]), ("late", row["late"])) if on]
        if row["status"] in ("late", "inconsistent")
        else [row["status"]]
    )
    worst = min(statuses, key=STATUS_ORDER.index)
    warnings = sum(f["severity"] == "warning" and "dismissed" not in f for f in items)
    shown = " · ".join(label(STATUS_LABELS, s, lang) for s in statuses)
    if worst == "ok" and warnings:
        shown += f" · {warnings} {UI[lang]['warnings']}"
    report = doc and {
        "title": doc["title"] or "",
        "published_at": doc["published_at"] or "",
        "url": _web(doc["url"]),
        "document": (
            f"{documents_dir}/{doc['sha256'][:16]}.{extension(doc['format'])}"
            if documents_dir
            else None
        ),
        "sha256": doc["sha256"],
    }
    return {
        "statuses": statuses,
        "worst": worst,
        "label": shown,
        "meaning": " ".join(label(STATUS_MEANINGS, s, lang) for s in statuses),
        "deadline": row["deadline"],
        "report": report or None,
        "findings": items,
    }


def _in_office_order(known: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Governments before their departments, then by name: how a region's offices list
    them."""
    order = list(LEVEL_LABELS)
    return sorted(
        known.items(),
        key=lambda kv: (
            kv[1]["region"],
            order.index(kv[1]["level"]) if kv[1]["level"] in order else len(order),
            kv[1]["name"],
        ),
    )


# An archived web page opened from the report's folder runs none of its scripts.
_NO_SCRIPTS = b'<meta http-equiv="Content-Security-Policy" content="script-src \'none\'">\n'


def exported(path: Path, data: bytes) -> bytes:
    """A document's bytes as exported: a web page with scripts forbidden, else as archived."""
    return _NO_SCRIPTS + data if path.suffix in (".html", ".htm") else data


def export_documents(conn: sqlite3.Connection, data: dict[str, Any], folder: Path) -> int:
    """Write the archived document of every report the page links to into ``folder``:
    each written beside its name and renamed into place (a killed run leaves no half
    file), and one already there rewritten unless its bytes are the right ones."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for agency in data["agencies"]:
        for cell in agency["cells"].values():
            report = cell["report"]
            if not report or not report["document"]:
                continue
            path = folder / Path(report["document"]).name
            body = exported(path, document_bytes(conn, report["sha256"]))
            if path.exists() and hashlib.sha256(path.read_bytes()).digest() == (
                hashlib.sha256(body).digest()
            ):
                continue
            # Regions are written side by side, and two may hold one document.
            partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
            partial.write_bytes(body)
            os.replace(partial, path)
            written += 1
    return written


_STYLE = """
table.compare{border-collapse:collapse;margin:.5em 0}
table.compare td,table.compare th{border:1px solid #ccc;padding:2px 6px;text-align:right}
table.compare td:first-child{text-align:left}
tr.changed td{font-weight:bold;background:#fff6d6}
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","Microsoft YaHei",sans-serif;
margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .2em}
.meta{color:#555;margin-bottom:1em}
.filters{display:flex;gap:1em;flex-wrap:wrap;margin:1em 0;align-items:end}
.filters label{display:flex;flex-direction:column;font-size:.85em}
table.matrix{border-collapse:collapse}
.matrix th,.matrix td{border:1px solid #ccc;padding:3px 6px;font-size:.9em}
.matrix th{background:#f4f4f4;text-align:left}
.matrix td.cell{padding:0}
.matrix button{all:unset;display:block;padding:4px 8px;cursor:pointer;min-width:6em}
.matrix button:focus{outline:2px solid #333}
.small{color:#666;font-size:.8em}
.legend span,.badge{display:inline-block;padding:1px 6px;margin:2px;border-radius:3px}
#panel{position:fixed;top:0;right:0;width:min(38em,95vw);height:100%;overflow:auto;
background:#fff;border-left:2px solid #888;padding:1em 1.2em;box-shadow:-4px 0 12px #0002}
#panel[hidden]{display:none}
#panel li{margin-bottom:.7em}
.sev-error{color:#b00020;font-weight:bold}.sev-warning{color:#8a5a00;font-weight:bold}
li.dismissed{opacity:.6}
.sev-info{color:#555}
section{margin:1.5em 0}
"""

_SCRIPT = """
(function(){
  var data = JSON.parse(document.getElementById('data').textContent);
  var ui = data.ui;
  var byId = {};
  data.agencies.forEach(function(a){ byId[a.id] = a; });
  function el(tag, text, cls){ var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls; return e; }
  function link(href, text){ var a = el('a', text); a.setAttribute('href', href);
    a.setAttribute('rel', 'noopener'); return a; }
  var panel = document.getElementById('panel');
  function open(agencyId, year){
    var a = byId[agencyId], c = a.cells[year];
    panel.textContent = '';
    var close = el('button', ui.close); close.id = 'close';
    close.onclick = function(){ panel.hidden = true; };
    panel.appendChild(close);
    panel.appendChild(el('h2', a.name + ' · ' + year));
    panel.appendChild(el('p', a.level_label + (a.region ? ' · ' + a.region : ''), 'small'));
    var status = el('p'); status.appendChild(el('span', c.label, 'badge ' + c.worst));
    panel.appendChild(status);
    panel.appendChild(el('p', c.meaning));
    var facts = el('p');
    facts.appendChild(el('span', ui.deadline + ui.colon + c.deadline));
    if (c.report) {
      facts.appendChild(el('br'));
      facts.appendChild(el('span', ui.report + ui.colon + c.report.title));
      facts.appendChild(el('br'));
      facts.appendChild(el('span', ui.published + ui.colon + c.report.published_at));
      if (c.report.document) { facts.appendChild(el('br'));
        facts.appendChild(link(c.report.document, ui.document)); }
      else { facts.appendChild(el('br'));
        facts.appendChild(el('code', ui.fetch + c.report.sha256.slice(0, 16))); }
      if (c.report.url) { facts.appendChild(el('br'));
        facts.appendChild(link(c.report.url, ui.source + ui.colon + c.report.url)); }
    } else {
      facts.appendChild(el('br')); facts.appendChild(el('span', ui.no_report));
      if (a.list_url) { facts.appendChild(el('br'));
        facts.appendChild(link(a.list_url, ui.source + ui.colon + a.list_url)); }
    }
    panel.appendChild(facts);
    panel.appendChild(el('h3', ui.findings));
    var items = c.findings.concat(a.notes);
    if (!items.length) panel.appendChild(el('p', ui.no_findings));
    var list = el('ul'); list.id = 'findings';
    items.forEach(function(f){
      var li = el('li');
      var r = data.rules[f.rule] || {};
      li.appendChild(el('span', '[' + ui.severities[f.severity] + '] ' + r.title,
        'sev-' + f.severity));
      if (f.id) li.appendChild(el('span', ' · ' + ui.number + ' ' + f.id, 'small'));
      if (f.dismissed) {
        li.className = 'dismissed';
        li.appendChild(el('div', ui.dismissed + ui.colon + (f.review_note || '')
          + (f.reviewer ? '（' + f.reviewer + '）' : ''), 'small'));
      }
      li.appendChild(el('div', f.sentence, 'sentence'));
      if (r.meaning) li.appendChild(el('div', ui.means + ui.colon + r.meaning, 'small'));
      if (r.advice) li.appendChild(el('div', ui.todo + ui.colon + r.advice, 'small'));
      list.appendChild(li);
    });
    panel.appendChild(list);
    var prev = a.cells[String(Number(year) - 1)];
    if (c.numbers && prev && prev.numbers) {
      panel.appendChild(el('h3', ui.compare));
      var t = el('table', null, 'compare'); t.id = 'compare';
      var head = el('tr');
      [ui.cell, String(Number(year) - 1), String(year), ui.change].forEach(function(h){
        head.appendChild(el('th', h)); });
      t.appendChild(head);
      // A cell's numbers in the order of ui.number_keys: null blank, false no such row.
      ui.number_keys.forEach(function(k, i){
        var before = prev.numbers[i], now = c.numbers[i];
        if (before === false && now === false) return;
        if (before === false) before = null;
        if (now === false) now = null;
        var tr = el('tr'), both = before != null && now != null;
        var d = both ? now - before : null;
        tr.appendChild(el('td', ui.numbers[k]));
        tr.appendChild(el('td', before == null ? '—' : String(before)));
        tr.appendChild(el('td', now == null ? '—' : String(now)));
        tr.appendChild(el('td', d === null ? '' : (d > 0 ? '+' + d : String(d))));
        if (d) tr.className = 'changed';
        t.appendChild(tr);
      });
      panel.appendChild(t);
    }
    var chart = document.getElementById('chart-' + agencyId);
    if (chart) panel.appendChild(chart.content.cloneNode(true));
    panel.hidden = false;
  }
  document.querySelectorAll('.matrix button').forEach(function(b){
    b.addEventListener('click', function(){ open(b.dataset.agency, b.dataset.year); });
  });
  document.addEventListener('keydown', function(ev){
    if (ev.key === 'Escape') panel.hidden = true;
  });
  // A digest's link, report.html#AGENCY-YEAR (or #AGENCY- for the agency's column):
  // that cell's panel opens and the cell is shown; an agency's link opens its last year.
  function follow(){
    var h = decodeURIComponent(location.hash.slice(1)), cut = h.lastIndexOf('-');
    if (cut < 0) return;
    var a = byId[h.slice(0, cut)], year = h.slice(cut + 1);
    if (!a) return;
    var years = Object.keys(a.cells);
    if (!a.cells[year]) year = years[years.length - 1];
    if (!year) return;
    var cell = document.getElementById(a.id + '-' + year);
    if (cell) cell.scrollIntoView({block: 'center'});
    open(a.id, year);
  }
  window.addEventListener('hashchange', follow);
  follow();
  var region = document.getElementById('f-region'), level = document.getElementById('f-level'),
      status = document.getElementById('f-status'), name = document.getElementById('f-name');
  function apply(){
    var shown = 0;
    document.querySelectorAll('#matrix tbody tr').forEach(function(tr){
      var ok = (!region.value || tr.dataset.region === region.value)
        && (!level.value || tr.dataset.level === level.value)
        && (!status.value || tr.dataset.statuses.split(' ').indexOf(status.value) >= 0)
        && (!name.value || tr.dataset.name.indexOf(name.value) >= 0);
      tr.hidden = !ok; if (ok) shown++;
    });
    document.getElementById('shown').textContent = shown;
  }
  [region, level, status].forEach(function(s){ s.addEventListener('change', apply); });
  name.addEventListener('input', apply);
  apply();
})();
"""


def _options(values: list[tuple[str, str]], all_label: str) -> str:
    return f'<option value="">{html.escape(all_label)}</option>' + "".join(
        f'<option value="{html.escape(v)}">{html.escape(text)}</option>' for v, text in values
    )


def page_top(data: dict[str, Any]) -> str:
    """A report page's head (no network, inline style and script only), its title and
    the line saying when it was judged and what it counts."""
    lang, e = data["lang"], html.escape
    ui = UI[lang]
    colours = "".join(f".{s}{{background:{c}}}" for s, c in COLOURS.items())
    counts = " · ".join(
        f"{e(label(STATUS_LABELS, s, lang))} {data['counts'][s]}"
        for s in STATUS_ORDER
        if data["counts"].get(s)
    )
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{e(ui["title"])}</title><style>{_STYLE}{colours}</style></head><body>
<h1>{e(ui["title"])}</h1>
<div class="meta">{e(ui["as_of"])}: <b id="as-of">{e(data["as_of"])}</b> ·
{e(ui["generated"])}: {e(data["generated"])} · {e(ui["counts"])}: {counts}</div>"""


def render(data: dict[str, Any]) -> str:
    """The report page for data from ``gather``."""
    lang = data["lang"]
    ui = UI[lang]
    e = html.escape
    regions = sorted({a["region"] for a in data["agencies"] if a["region"]})
    levels = sorted({(a["level"], a["level_label"]) for a in data["agencies"]})
    statuses = [(s, label(STATUS_LABELS, s, lang)) for s in STATUS_ORDER]
    head = "".join(f"<th>{y}</th>" for y in data["years"])
    rows, templates = _matrix_rows(data)
    legend = "".join(
        f'<li><span class="{s}">{e(label(STATUS_LABELS, s, lang))}</span> '
        f"{e(label(STATUS_MEANINGS, s, lang))}</li>"
        for s in STATUS_ORDER
    )
    legend += f'<li><span class="none">—</span> {e(ui["none_cell"])}</li>'
    health_html = _health_table(data["agencies"], ui, lang)
    overall = e(ui["overall"])
    chart_html = f"<section><h2>{overall}</h2>{data['chart']}</section>" if data["chart"] else ""
    rollup_html = _rollup(data, lang) + _ranking(data, lang)
    payload = {
        "ui": {
            **ui,
            "numbers": {k: cell_label(k, lang) for k in COMPARED},
            "number_keys": list(COMPARED),
            "severities": {s: label(SEVERITY_LABELS, s, lang) for s in SEVERITY_LABELS},
        },
        "rules": data["rules"],
        "agencies": [{k: v for k, v in a.items() if k != "chart"} for a in data["agencies"]],
    }
    return f"""{page_top(data)}
<section><h2>{e(ui["legend"])}</h2><ul class="legend">{legend}</ul></section>
<div class="filters">
<label>{e(ui["region"])}<select id="f-region">{_options([(r, r) for r in regions], ui["all"])}
</select></label>
<label>{e(ui["level"])}<select id="f-level">{_options(levels, ui["all"])}</select></label>
<label>{e(ui["status"])}<select id="f-status">{_options(statuses, ui["all"])}</select></label>
<label>{e(ui["search"])}<input id="f-name" type="search"></label>
<span>{e(ui["shown"])}: <b id="shown"></b></span>
</div>
<table class="matrix" id="matrix"><thead><tr><th>{e(ui["agency"])}</th>
<th>{e(ui["level"])}</th><th>{e(ui["region"])}</th>{head}</tr></thead>
<tbody>{"".join(rows)}</tbody></table>
{rollup_html}
{chart_html}
<section><h2>{e(ui["health"])}</h2>{health_html}</section>
<aside id="panel" hidden></aside>
{"".join(templates)}
<script type="application/json" id="data">{_json(payload)}</script>
<script>{_SCRIPT}</script>
</body></html>
"""


def _ranking(data: dict[str, Any], lang: str) -> str:
    """The agencies ranked within region and level under the report's rule pack."""
    if "ranking" not in data:
        return ""
    e = html.escape
    header, rows = data["ranking"]["table"]
    head = "".join(f"<th>{e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    title_text = ("排名：" if lang == "zh" else "Ranking: ") + data["ranking"]["pack"]
    return (
        f'<section><h2>{e(title_text)}</h2><table class="matrix" id="ranking">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>"
    )


def _rollup(data: dict[str, Any], lang: str) -> str:
    """Counts of each status per region and level, for the latest year judged beyond
    pending (the year people ask about), with a total row."""
    e, ui = html.escape, UI[lang]
    judged = [
        y
        for y in data["years"]
        if any(
            a["cells"].get(y, {}).get("worst") not in (None, "pending") for a in data["agencies"]
        )
    ]
    if not judged:
        return ""
    year = judged[-1]
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for a in data["agencies"]:
        cell = a["cells"].get(year)
        if cell is None:
            continue
        row = counts.setdefault((a["region"], a["level_label"]), {})
        row[cell["worst"]] = row.get(cell["worst"], 0) + 1
    head = "".join(f"<th>{e(label(STATUS_LABELS, s, lang))}</th>" for s in STATUS_ORDER)
    body = []
    for (region, level), row in sorted(counts.items()):
        tds = "".join(f"<td>{row.get(s, 0) or ''}</td>" for s in STATUS_ORDER)
        body.append(f"<tr><th>{e(region)}</th><td>{e(level)}</td>{tds}</tr>")
    totals = "".join(
        f"<td>{sum(r.get(s, 0) for r in counts.values()) or ''}</td>" for s in STATUS_ORDER
    )
    body.append(f'<tr class="total"><th>{e(ui["total"])}</th><td></td>{totals}</tr>')
    return (
        f'<section><h2>{e(ui["rollup"].format(year=year))}</h2><table class="matrix" '
        f'id="rollup"><thead><tr><th>{e(ui["region"])}</th><th>{e(ui["level"])}</th>{head}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table></section>"
    )


def _matrix_rows(data: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The matrix's rows (one per agency, one cell per year, the data its filters read)
    and the templates of the agencies' charts."""
    e = html.escape
    rows, templates = [], []
    for a in data["agencies"]:
        present = sorted({s for c in a["cells"].values() for s in c["statuses"]})
        tds = []
        for year in data["years"]:
            cell = a["cells"].get(year)
            if cell is None:
                tds.append('<td class="none">—</td>')
                continue
            # The anchor a digest links to: agency id, a hyphen, the year.
            tds.append(
                f'<td class="cell {e(cell["worst"])}" id="{e(a["id"])}-{year}"><button '
                f'type="button" data-agency="{e(a["id"])}" data-year="{year}">'
                f"{e(cell['label'])}</button></td>"
            )
        rows.append(
            f'<tr id="{e(a["id"])}-" data-region="{e(a["region"])}" data-level="{e(a["level"])}" '
            f'data-statuses="{e(" ".join(present))}" data-name="{e(a["name"])}">'
            f'<th>{e(a["name"])}<div class="small">{e(a["id"])}</div></th>'
            f"<td>{e(a['level_label'])}</td><td>{e(a['region'])}</td>{''.join(tds)}</tr>"
        )
        if a["chart"]:
            templates.append(f'<template id="chart-{e(a["id"])}">{a["chart"]}</template>')
    return rows, templates


def _health_table(agencies: list[dict[str, Any]], ui: dict[str, str], lang: str) -> str:
    """The sources whose last crawl did not read them in order, or a line saying none:
    each state by its rule's title, said as that finding's sentence where one is open."""
    e = html.escape
    troubled = [a for a in agencies if a["health"] and a["health"]["status"] != "ok"]
    if not troubled:
        return f"<p>{e(ui['health_none'])}</p>"
    rows = []
    for a in troubled:
        rule = health_rule(a["health"]["status"])
        shown = a["notes"] + [n for c in a["cells"].values() for n in c["findings"]]
        said = next((n["sentence"] for n in shown if n["rule"] == rule), None)
        rows.append(
            f"<tr><th>{e(a['name'])}</th><td>{e(title(rule, lang))}</td>"
            f"<td>{e(said or a['health']['detail'] or '')}</td></tr>"
        )
    return f'<table class="matrix" id="health"><tbody>{"".join(rows)}</tbody></table>'


def write_report(
    conn: sqlite3.Connection,
    out: Path,
    lang: str = "zh",
    documents: bool = True,
    pack: Pack | None = None,
    all_documents: bool = False,
    region_pages_over: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, Any], int]:
    """Write the report to ``out`` and, beside it, the archived documents of the years
    findings are about (past ``region_pages_over`` agencies, errors; every year's with
    ``all_documents``) in ``<out stem>-documents/``;
    with a rule ``pack``, a ranking under it. Past ``region_pages_over`` agencies
    (output.regions.REGION_PAGES_OVER), ``out`` is an index of regions and each region has
    its own page, written region by region (``data["region_pages"]`` says how many; its
    agencies carry each year's worst status and exported document), ``progress`` told
    (pages written, pages) as each is done. Returns (the data shown, documents written)."""
    from output.regions import REGION_PAGES_OVER, write_regions

    over = REGION_PAGES_OVER if region_pages_over is None else region_pages_over
    folder = f"{out.stem}-documents" if documents else None
    ranking = None
    if pack is not None:
        ranking = {
            "pack": pack.name,
            "scores": score(pack, agencies(conn), findings(conn, status="open")),
        }
    if agency_count(conn) > over:
        return write_regions(conn, out, lang, folder, all_documents, ranking, progress)
    data = gather(conn, lang, folder, all_documents)
    if ranking is not None:
        data["ranking"] = {**ranking, "table": score_table(ranking["scores"], lang)}
    written = export_documents(conn, data, out.parent / folder) if folder else 0
    write_page(out, render(data))
    return data, written
