"""Report text → the record of ``docs/report-record.md``, findings included."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from itertools import chain
from typing import Any

from parsers import meta
from parsers.labels import LabelMatcher
from parsers.narrative import narrative_numbers
from parsers.normalize import compact, simplified_lines
from parsers.sections import find_sections, headings, legacy_headings, section_body
from parsers.tables import RowResult, extract_appeals, extract_rows
from parsers.tokens import is_prose, is_table_row, tokenize
from report.findings import finding
from report.rules import (
    applications_balance,
    applications_column_total,
    applications_outcome_sum,
    check_report,
    expected_template,
)
from report.template import (
    APPLICATION_ROWS,
    PROACTIVE_ROWS,
    SECTIONS,
    TEMPLATE_ARTICLE,
    TEMPLATE_MARKERS,
)

# Bump when a change to the parser can change a record: archived documents are re-parsed.
PARSER_VERSION = "7"

_ARTICLE = re.compile(r"第([一二三四五六七八九十]{1,4})条第\(([一二三四五六七八九十]{1,3})\)项")
# Fewer application rows than this and the text is taken to have no such table.
_MIN_APPLICATION_ROWS = 5
# A text speaking of itself as the report (本报告…, 本年度报告…).
_SAYS_REPORT = re.compile(r"本(?:年度)?报告|本年报")
# Where the opening section ends when no later heading says so.
_OPENING_LINES = 40


@lru_cache(maxsize=4)
def _matcher(template: str | None) -> LabelMatcher:
    return LabelMatcher(APPLICATION_ROWS if template is None else PROACTIVE_ROWS[template])


def empty_record(script: str = "simplified") -> dict[str, Any]:
    return {
        "agency": None,
        "year": None,
        "title": None,
        "template": "unknown",
        "script": script,
        "published_at": None,
        "published_source": None,
        "doc_number": None,
        "sections": [],
        "cells": {},
        "narrative": {},
        "findings": [],
    }


def _read_lines(lines: list[str]) -> tuple[list[str], str, list[str]]:
    """One pass over every line: (each line compacted, the text of the lines that are no
    prose, where the template's markers are looked for, the compacted lines that are no
    table row, which the narrative reads)."""
    compacted: list[str] = []
    table: list[str] = []
    prose: list[str] = []
    for line in lines:
        compacted.append(text := "".join(line.split()))  # compact, inline
        if not text:
            continue
        if not is_prose(line):
            table.append(text)
        # Too few spaces to hold three separate numbers: no table row without testing.
        if "\t" not in line and "|" not in line and (line.count(" ") < 2 or not is_table_row(line)):
            prose.append(text)
    return compacted, "".join(table), prose


def _detect_template(table_text: str) -> str | None:
    scores = {t: sum(m in table_text for m in marks) for t, marks in TEMPLATE_MARKERS.items()}
    best = max(scores, key=lambda t: scores[t])
    return best if scores[best] and list(scores.values()).count(scores[best]) == 1 else None


def _article_refs(lines: list[str]) -> list[dict[str, str]]:
    refs: dict[str, dict[str, str]] = {}
    for line in lines:
        if "条" not in line or is_prose(line):  # every reference names its 条
            continue
        for m in _ARTICLE.finditer(compact(line)):
            if m.group(1) != TEMPLATE_ARTICLE:
                refs.setdefault(
                    m.group(0),
                    {
                        "found": m.group(0),
                        "expected": f"第{TEMPLATE_ARTICLE}条第({m.group(2)})项",
                    },
                )
    return list(refs.values())


class _Regions:
    """Token spans of the sections, falling back to neighbours when a heading is missing.
    ``firsts``: where the tokens of each line from ``first_line`` on begin (tokenize)."""

    def __init__(self, sections: dict[str, int], firsts: list[int], first_line: int, n_lines: int):
        self.sections, self.firsts, self.first_line = sections, firsts, first_line
        self.n_lines = n_lines

    def at(self, line: int) -> int:
        """The first token on ``line`` or after it."""
        return self.firsts[min(max(line - self.first_line, 0), len(self.firsts) - 1)]

    def line_of(self, token: int) -> int:
        return self.first_line + bisect_right(self.firsts, token) - 1

    def lines(self, index: int, fallback_line: int) -> tuple[int, int]:
        start = self.sections.get(SECTIONS[index], fallback_line)
        later = [
            ln for key, ln in self.sections.items() if SECTIONS.index(key) > index and ln > start
        ]
        return start, min(later, default=self.n_lines)

    def span(self, index: int, fallback_line: int) -> tuple[int, int]:
        start, end = self.lines(index, fallback_line)
        return self.at(start), self.at(end)


def _row_note(r: RowResult) -> dict[str, Any]:
    return {
        "row": r.row.key,
        "label": r.label,
        "status": r.status,
        "expected": len(r.row.columns),
        "found": r.found,
        "blank": [k for k, v in zip(r.row.cell_keys(), r.values, strict=True) if v is None]
        if None in r.values
        else [],
        "converted": r.converted,
        "inferred": r.inferred,
        "unread": r.unread,
    }


def _sum_failures(cells: dict[str, Any]) -> set[tuple[str, str]]:
    found = [
        *applications_balance(cells),
        *applications_outcome_sum(cells),
        *applications_column_total(cells),
    ]
    return {(f["rule"], f["evidence"]["key"]) for f in found}


def _fill_lost_cells(rows: list[RowResult]) -> None:
    """A row that lost one cell (six numbers for seven columns, which one is gone cannot
    be told) is filled when the template's sums leave exactly one reading of it: its own
    total, or with it the table's sums (a row filled so may settle another). Otherwise it
    stays empty."""
    if all(r.status != "short" for r in rows):  # most reports: nothing to fill
        return
    while any(_fill_lost_cell(r, rows) for r in rows):
        pass


def _unread_left(rows: list[RowResult], ocr: bool) -> None:
    """A row whose one unread cell the sums did not settle is unreadable, not blank: the
    cell is there, only not read with certainty. In a table read from pictures, so is
    every row with cells short or empty: the recognizer may have missed what is printed."""
    for r in rows:
        if r.status == "short" and r.unread:
            r.status = "unreadable"
            r.found = [*r.found[: r.lost_at], None, *r.found[r.lost_at :]]
        elif ocr and r.status in ("short", "blank"):
            r.unread = max(1, len(r.row.columns) - len([v for v in r.found if v is not None]))
            r.status, r.values = "unreadable", [None] * len(r.row.columns)


def _fill_lost_cell(r: RowResult, rows: list[RowResult]) -> bool:
    n = len(r.row.columns)
    if r.status != "short" or len(r.found) != n - 1 or None in r.found:
        return False
    by_row_total: set[tuple] = set()
    for k in range(n) if r.lost_at is None else (r.lost_at,):
        values = list(r.found)
        lost = sum(values) if k == n - 1 else values[-1] - sum(values[:-1])
        if lost >= 0:
            values.insert(k, lost)
            by_row_total.add(tuple(values))
    readings = by_row_total
    if len(by_row_total) > 1:
        cells: dict[str, Any] = {}
        for other in rows:
            cells.update(zip(other.row.cell_keys(), other.values, strict=True))
        baseline = _sum_failures(cells)
        readings = {
            values
            for values in by_row_total
            if _sum_failures(cells | dict(zip(r.row.cell_keys(), values, strict=True))) <= baseline
        }
    if len(readings) != 1:
        return False
    (chosen,) = readings
    r.values = list(chosen)
    r.status = "inferred"
    by = "row total" if len(by_row_total) == 1 else "table sums"
    r.inferred = {"values": list(chosen), "by": by}
    return True


def _missing_rows(found: set[str], rows: list[str], template: str) -> list[str]:
    """Template rows not found. 其他处理 is one row in 2019 and three in 2021, but a 2021
    report that kept the single row lacks none of them."""
    if template == "2021" and "applications.other" not in found:
        rows = [r for r in rows if r != "applications.other"]
    else:
        rows = [r for r in rows if not r.startswith("applications.other.")]
    return [r for r in rows if r not in found]


def prepare(text: str) -> tuple[list[str], str]:
    """The normal form every later step reads: (simplified NFKC lines, source script)."""
    return simplified_lines(text)


def parse_text(text: str) -> dict[str, Any]:
    """Parse the text of one report into its record."""
    return build_record(*prepare(text))


def build_record(
    lines: list[str], script: str, head: dict[str, str] | None = None, ocr: bool = False
) -> dict[str, Any]:
    """The record of a report given as prepared lines (see ``prepare``) and what its page
    says of itself (``head``: title and date from a portal page's structure). ``ocr``: its
    tables were read from pictures, where a cell without a number may be one the
    recognizer missed, not one the agency left blank."""
    head = head or {}
    if not any(line.strip() for line in lines):
        record = empty_record(script)
        record["findings"] = [finding("document.no_text", "the document has no text")]
        return record
    compacted, table_text, prose_lines = _read_lines(lines)
    flat = "".join(compacted)
    joined = "\n".join(lines)
    heads = headings(lines, compacted, joined)
    sections = find_sections(heads)
    title = head.get("title") or meta.find_title(compacted)
    if meta.other_document(title, compacted):
        return empty_record(script)  # not an annual report, whatever column listed it
    year, agency = meta.title_year_agency(title)
    if year is None:
        opening_end = sections.get(SECTIONS[1], min(len(lines), _OPENING_LINES))
        year = meta.text_year(flat, "".join(compacted[:opening_end]))

    tables = _Tables(lines, sections)
    template = _detect_template(table_text)
    if template is None and tables.app_rows:
        split = any(r.row.key.startswith("applications.other.") for r in tables.app_rows)
        template = expected_template(year) or ("2021" if split else "2019")
    legacy = legacy_headings(heads)
    if not _is_report(template, title, sections, legacy, flat):
        return empty_record(script)
    if template is None:
        # No template table in the text: the pre-2019 free form only on positive evidence,
        # otherwise the template of its year (its tables are pictures, or cut off).
        if legacy or (year is not None and year < 2019):
            template = "legacy"
        else:
            template = expected_template(year) or meta.cited_template(flat)
    record = empty_record(script)
    record.update(agency=agency, year=year, title=title, template=template or "unknown")
    record["published_at"], record["published_source"] = meta.published_at(
        lines,
        joined,
        year,
        sections.get(SECTIONS[5], max(sections.values(), default=0)),
        head.get("date"),
    )
    record["doc_number"] = meta.doc_number(compacted)
    record["sections"] = list(sections)
    narrative, part_sums = narrative_numbers(prose_lines)
    record["narrative"] = narrative
    layout: dict[str, Any] = {
        "template": record["template"],
        "year": year,
        "rows": [],
        "part_sums": part_sums,
        "missing_sections": [],
        "missing_tables": [],
        "missing_rows": {},
        "article_refs": [],
        "problems_text": section_body(compacted, sections, SECTIONS[4]),
    }
    if template not in (None, "legacy"):
        record["cells"] = tables.read(template, layout, ocr)
    record["findings"] = check_report(record["cells"], narrative, layout)
    return record


def _is_report(
    template: str | None,
    title: str | None,
    sections: dict[str, int],
    legacy: list[str],
    flat: str,
) -> bool:
    """Whether a text is an annual report at all: a template table, a report's title, the
    template's sections or the old form's, or a text that speaks of itself as one."""
    return (
        template is not None
        or title is not None
        or len(sections) >= 3
        or len(legacy) >= 2
        or (bool(sections) and (meta.states_period(flat) or bool(_SAYS_REPORT.search(flat))))
    )


class _Tables:
    """The table sections of a text, tokenized (the rest is prose): the applications
    table is read first, since it tells the template when nothing else does."""

    def __init__(self, lines: list[str], sections: dict[str, int]) -> None:
        self.lines, self.sections = lines, sections
        first = min((sections[k] for k in SECTIONS[1:4] if k in sections), default=0)
        after = [ln for k, ln in sections.items() if k in SECTIONS[4:] and ln > first]
        self.tokens, firsts = tokenize(lines, first, min(after, default=len(lines)))
        self.regions = _Regions(sections, firsts, first, len(lines))
        start, end = self.regions.span(2, sections.get(SECTIONS[1], 0))
        self.app_rows, self.apps_end = extract_rows(self.tokens, _matcher(None), start, end)
        if len(self.app_rows) < _MIN_APPLICATION_ROWS:
            self.app_rows = []
        _fill_lost_cells(self.app_rows)

    def read(self, template: str, layout: dict[str, Any], ocr: bool = False) -> dict[str, Any]:
        """Every cell of ``template``'s tables; what the rule checks need to know of how
        they were read goes into ``layout``."""
        regions, sections, app_rows = self.regions, self.sections, self.app_rows
        pro_lines = regions.lines(1, sections.get(SECTIONS[0], 0))
        pro_rows, _ = extract_rows(self.tokens, _matcher(template), *map(regions.at, pro_lines))
        appeals_line = regions.line_of(self.apps_end - 1) if app_rows else 0
        appeals = extract_appeals(self.tokens, *regions.span(3, appeals_line))
        results = pro_rows + app_rows + ([appeals] if appeals else [])
        _unread_left(results, ocr)
        found = {r.row.key for r in results}
        layout.update(
            # A row read whole, as printed, gives the cell checks nothing to say.
            rows=[_row_note(r) for r in results if r.status != "ok" or r.converted],
            missing_sections=[s for s in SECTIONS if s not in sections],
            missing_tables=[
                name
                for name, rows in (
                    ("proactive", pro_rows),
                    ("applications", app_rows),
                    ("appeals", [appeals]),
                )
                if not any(rows)
            ],
            missing_rows={
                "proactive": [r.key for r in PROACTIVE_ROWS[template] if r.key not in found]
                if pro_rows
                else [],
                "applications": _missing_rows(found, [r.key for r in APPLICATION_ROWS], template)
                if app_rows
                else [],
            },
            article_refs=_article_refs(self.lines[slice(*pro_lines)]),
        )
        return dict(  # one zip for all rows: a third faster than one per row
            zip(
                chain.from_iterable([r.row.cell_keys() for r in results]),
                chain.from_iterable([r.values for r in results]),
                strict=True,
            )
        )
