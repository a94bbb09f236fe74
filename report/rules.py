"""The identities a consistent report satisfies (the template's 勾稽关系), as pure functions.

Each check takes plain data (a record's cells and narrative, or the parser's layout notes)
and returns findings: ``{"rule", "severity", "message", "evidence"}``. A blank (null) cell is
never counted as 0: an identity that needs it is skipped, and the blank is reported by
``cells.blank`` instead, so a report that leaves its zeros empty is not called broken.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from report.findings import Finding, finding
from report.template import APPEAL_COLUMNS, APPEAL_GROUPS, APPLICANT_COLUMNS, OUTCOME_ROWS

Cells = Mapping[str, int | float | None]

_OTHER_SPLIT = ("other.no_correction", "other.unpaid_fee", "other.other")
_PARTIES = APPLICANT_COLUMNS[:-1]


def _get(cells: Cells, keys: Iterable[str]) -> list[int | float] | None:
    """The values of all keys, or None when any is absent or blank."""
    values = list(map(cells.get, keys))
    return None if None in values else values


@lru_cache(maxsize=1024)
def _keys(template: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """Cell keys spelt once per template row and column: ``template`` holds ``{}``."""
    return tuple(template.format(name) for name in names)


def applications_balance(cells: Cells) -> list[Finding]:
    """新收 + 上年结转 = 办理结果总计 + 结转下年度, per applicant column."""
    out = []
    rows = ("new_received", "carried_over", "total", "carried_forward")
    for col in APPLICANT_COLUMNS:
        values = _get(cells, _keys(f"applications.{{}}.{col}", rows))
        if values is None:
            continue
        new, carried_over, total, carried_forward = values
        if new + carried_over != total + carried_forward:
            out.append(
                finding(
                    "applications.balance",
                    f"申请 {col}: 本年新收 {new} + 上年结转 {carried_over} = {new + carried_over}, "
                    f"but 总计 {total} + 结转下年度 {carried_forward} = {total + carried_forward}",
                    key=f"applications.*.{col}",
                    column=col,
                    expected=new + carried_over,
                    found=total + carried_forward,
                    cells=dict(zip(rows, values, strict=True)),
                )
            )
    return out


@lru_cache(maxsize=2)
def _split_rows(split: bool) -> tuple[str, ...]:
    """The outcome rows of a report with 其他处理 split in three, or kept as one row."""
    return tuple(
        r
        for r in OUTCOME_ROWS
        if not (r == "other" and split) and not (r in _OTHER_SPLIT and not split)
    )


def _outcome_rows(cells: Cells) -> tuple[str, ...] | None:
    """The outcome rows this report uses, or None when some are absent (nothing to check)."""
    split = any(map(cells.__contains__, _keys("applications.{}.total", _OTHER_SPLIT)))
    rows = _split_rows(split)
    if all(map(cells.__contains__, _keys("applications.{}.total", rows))):
        return rows
    return None


@lru_cache(maxsize=4)
def _outcome_keys(rows: tuple[str, ...]) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(column, its 总计 cell, its outcome cells) for each applicant column."""
    return tuple(
        (col, f"applications.total.{col}", _keys(f"applications.{{}}.{col}", rows))
        for col in APPLICANT_COLUMNS
    )


def applications_outcome_sum(cells: Cells) -> list[Finding]:
    """总计 = the sum of every outcome row (予以公开 … 其他处理), per column."""
    rows = _outcome_rows(cells)
    if rows is None:
        return []
    out = []
    for col, total_key, part_keys in _outcome_keys(rows):
        if (mismatch := _mismatch(cells, total_key, part_keys)) is None:
            continue
        total, parts = mismatch
        nonzero = {r: v for r, v in zip(rows, parts, strict=True) if v}
        out.append(
            finding(
                "applications.outcome_sum",
                f"申请 {col}: 办理结果总计 is {total}, but its outcome rows add up to {sum(parts)}",
                key=f"applications.total.{col}",
                column=col,
                expected=sum(parts),
                found=total,
                nonzero_rows=nonzero,
            )
        )
    return out


def _parts_total(
    rule: str, what: str, key: str, cells: Cells, parts: tuple[str, ...], **evidence: Any
) -> Finding | None:
    """A finding when the cells ``<key-prefix>.<part>`` do not add up to the total cell."""
    if (mismatch := _mismatch(cells, *_sum_keys(key, parts))) is None:
        return None
    return _parts_finding(rule, what, key, parts, mismatch, **evidence)


def _parts_finding(
    rule: str,
    what: str,
    key: str,
    parts: tuple[str, ...],
    mismatch: tuple[int | float, list[int | float]],
    **evidence: Any,
) -> Finding:
    """The finding for parts that do not add up (``mismatch``: see _mismatch). ``what``
    names them in the message: ``{}`` stands for ``key``."""
    total, values = mismatch
    return finding(
        rule,
        f"{what.format(key)}: the parts add up to {sum(values)}, but 总计 is {total}",
        key=f"{key}.total",
        expected=sum(values),
        found=total,
        cells={**dict(zip(parts, values, strict=True)), "total": total},
        **evidence,
    )


def _mismatch(
    cells: Cells, total_key: str, part_keys: tuple[str, ...]
) -> tuple[int | float, list[int | float]] | None:
    """(total, parts) when the parts do not add up to the total; None when they do or
    cannot be added (a blank or absent cell)."""
    total = cells.get(total_key)
    if total is None:
        return None
    try:
        if sum(map(cells.get, part_keys)) == total:
            return None  # most rows: no list of the parts is needed
    except TypeError:  # a part is blank or absent: None cannot be added
        return None
    return total, [cells[k] for k in part_keys]


@lru_cache(maxsize=1024)
def _sum_keys(key: str, parts: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The keys of the total cell under ``key`` and of its parts."""
    return f"{key}.total", _keys(f"{key}.{{}}", parts)


@lru_cache(maxsize=64)
def _application_rows(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The 申请 rows that cell keys belong to, in order. The keys are the template's, the
    same for every report of a template, so this is cached."""
    return tuple(dict.fromkeys(k[: k.rindex(".")] for k in keys if k.startswith("applications.")))


def applications_column_total(cells: Cells) -> list[Finding]:
    """Every 申请 row: 总计 = the sum of the six applicant columns."""
    out = []
    for row, total_key, part_keys in _column_total_keys(tuple(cells)):
        if (mismatch := _mismatch(cells, total_key, part_keys)) is not None:
            what = "{} (applicant columns)"
            rule = "applications.column_total"
            out.append(_parts_finding(rule, what, row, _PARTIES, mismatch, row=row))
    return out


@lru_cache(maxsize=64)
def _column_total_keys(keys: tuple[str, ...]) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(row, its 总计 cell, its applicant cells) for the 申请 rows among a report's keys."""
    return tuple((row, *_sum_keys(row, _PARTIES)) for row in _application_rows(keys))


def appeals_group_total(cells: Cells) -> list[Finding]:
    """Each 复议/诉讼 group: 总计 = 维持 + 纠正 + 其他 + 尚未审结."""
    found = (
        _parts_total(
            "appeals.group_total",
            f"appeals {group}",
            f"appeals.{group}",
            cells,
            APPEAL_COLUMNS[:-1],
            group=group,
        )
        for group in APPEAL_GROUPS
    )
    return [f for f in found if f]


# A prose number and the table cell that holds the same quantity.
NARRATIVE_CELLS = {"applications_received": "applications.new_received.total"}


def narrative_matches_table(cells: Cells, narrative: Mapping[str, int]) -> list[Finding]:
    out = []
    for name, key in NARRATIVE_CELLS.items():
        stated, table = narrative.get(name), cells.get(key)
        if stated is None or table is None or stated == table:
            continue
        out.append(
            finding(
                "narrative.matches_table",
                f"the text states {stated} for {name}, the table has {table} in {key}",
                key=key,
                narrative=name,
                stated=stated,
                table=table,
            )
        )
    return out


UNPAID_FEE = "applications.other.unpaid_fee.total"
HANDLED = ("applications.new_received.total", "applications.carried_over.total")


def narrative_fees(cells: Cells, narrative: Mapping[str, Any]) -> list[Finding]:
    """信息处理费 in the text against table 三: no fee notice sent while the table closes
    requests for a fee not paid, or fees charged in a year the table handled no request."""
    out = []
    unpaid = cells.get(UNPAID_FEE)
    if narrative.get("fee_notices") == 0 and unpaid:
        out.append(
            finding(
                "narrative.fees",
                f"the text says no fee notice was sent; {UNPAID_FEE} is {unpaid:g}",
                key=UNPAID_FEE,
                said="no_notice",
                table=unpaid,
            )
        )
    charged = narrative.get("fees_yuan")
    handled = _get(cells, HANDLED)
    if charged and handled is not None and sum(handled) == 0:
        out.append(
            finding(
                "narrative.fees",
                f"the text says {charged:g} yuan of fees were charged; the table handled no "
                "request",
                key="applications.total",
                said="charged",
                fees_yuan=charged,
                table=0,
            )
        )
    return out


def narrative_part_sums(part_sums: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """Prose that contradicts itself: parts (其中 …) adding up to more than their total."""
    return [
        finding(
            "narrative.part_sum",
            f"the text gives a total of {p['total']}{p['unit']} whose parts "
            f"{' + '.join(map(str, p['parts']))} add up to {sum(p['parts'])}",
            key=f"{p['total']}={'+'.join(map(str, p['parts']))}",
            total=p["total"],
            parts=list(p["parts"]),
            unit=p["unit"],
            sentence=p["sentence"],
        )
        for p in part_sums
    ]


def expected_template(year: int | None) -> str | None:
    if year is None or year < 2019:
        return None
    return "2019" if year <= 2020 else "2021"


# Fewer Chinese characters than this under 存在的主要问题及改进情况 is no account of a
# year's problems: not a sentence ("无。", "暂无。", "无相关问题。").
PROBLEMS_LEAST_CHARS = 15


def too_little(text: str) -> bool:
    """Whether a section's text is too short to be an account of anything: fewer Chinese
    characters than PROBLEMS_LEAST_CHARS."""
    return sum(1 for c in text if "\u4e00" <= c <= "\u9fff") < PROBLEMS_LEAST_CHARS


def _problems_said(text: str | None) -> str | None:
    """What section 5 says when it says too little to be an account (its text, "" when
    empty); None when it gives one or is not there."""
    if text is None:
        return None
    return text[:40] if too_little(text) else None


def template_checks(layout: Mapping[str, Any]) -> list[Finding]:
    """Structure: the template that fits the year, its sections, tables and rows, and the
    article its tables cite."""
    out: list[Finding] = []
    template, year = layout["template"], layout["year"]
    expected = expected_template(year)
    if expected and template in ("2019", "2021", "legacy") and template != expected:
        out.append(
            finding(
                "template.mismatch",
                f"a {year} report should follow the {expected} template; this one is {template}",
                expected=expected,
                found=template,
                year=year,
            )
        )
    if template not in ("2019", "2021"):
        return out
    said = _problems_said(layout.get("problems_text"))
    if said is not None:
        out.append(
            finding(
                "narrative.problems_empty",
                f"section 5 (problems and improvements) says {said!r}",
                said=said,
            )
        )
    for section in layout["missing_sections"]:
        out.append(
            finding(
                "template.missing_section",
                f"section {section} not found",
                key=section,
                section=section,
            )
        )
    for table in layout["missing_tables"]:
        out.append(
            finding(
                "template.missing_table",
                f"table {table} not found (or not in text)",
                key=table,
                table=table,
            )
        )
    for table, rows in layout["missing_rows"].items():
        if rows:
            out.append(
                finding(
                    "template.missing_row",
                    f"{len(rows)} row(s) of table {table} not found: {', '.join(rows)}",
                    key=table,
                    table=table,
                    rows=list(rows),
                )
            )
    for ref in layout["article_refs"]:
        out.append(
            finding(
                "template.article_reference",
                f"table header cites {ref['found']}; the template cites {ref['expected']}",
                key=ref["found"],
                found=ref["found"],
                expected=ref["expected"],
            )
        )
    return out


def cell_checks(rows: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """Template cells left blank (one finding per table, every key in the evidence), and
    rows with more numbers than cells, which are left empty rather than guessed."""
    blank: dict[str, list[Mapping[str, Any]]] = {}
    out = []
    for r in rows:
        for c in r.get("converted", ()):
            out.append(
                finding(
                    "cells.unit_converted",
                    f"{r['label']}: {c['printed']} is recorded as {c['value']:g} 万元, "
                    "the template's unit",
                    **c,
                )
            )
        if r.get("inferred"):
            inferred = r["inferred"]
            out.append(
                finding(
                    "cells.inferred",
                    f"{r['label']}: {len(r['found'])} numbers for {r['expected']} cells; the "
                    f"template's sums ({inferred['by']}) leave one reading: {inferred['values']}",
                    key=r["row"],
                    row=r["row"],
                    label=r["label"],
                    found=list(r["found"]),
                    **inferred,
                )
            )
        if r["status"] in ("blank", "short"):
            blank.setdefault(r["row"].split(".")[0], []).append(r)
        elif r["status"] == "unreadable":
            unread = r.get("unread", 0)
            out.append(
                finding(
                    "cells.unreadable",
                    f"{r['label']}: {unread} cell(s) not read with certainty from the image; "
                    "the row is left empty"
                    if unread
                    else f"{r['label']}: {len(r['found'])} numbers for {r['expected']} cells; "
                    "the row is left empty",
                    key=r["row"],
                    row=r["row"],
                    label=r["label"],
                    expected=r["expected"],
                    values=list(r["found"]),
                    **({"unread": unread} if unread else {}),
                )
            )
    for table, rs in blank.items():
        keys = [k for r in rs for k in r["blank"]]
        labels = "、".join(r["label"] for r in rs[:4]) + ("…" if len(rs) > 4 else "")
        message = f"{len(keys)} cell(s) left blank in {len(rs)} row(s) of {table}: {labels}"
        short = [r for r in rs if r["status"] == "short"]
        if short:
            message += (
                f"; {len(short)} row(s) have fewer numbers than cells, so which are "
                "blank cannot be told and the whole row is left empty"
            )
        details = [
            {"row": r["row"], "label": r["label"], "blank": list(r["blank"])}
            if r["status"] == "blank"
            else {
                "row": r["row"],
                "label": r["label"],
                "expected": r["expected"],
                "values": list(r["found"]),
            }
            for r in rs
        ]
        out.insert(
            0,
            finding("cells.blank", message, key=table, table=table, keys=keys, rows=details),
        )
    return sorted(out, key=lambda f: (f["rule"], f["evidence"]["key"]))


# The rules that read a report's cells alone (with its narrative's numbers): what a
# person's correction of a cell recomputes.
CELL_RULES = (
    "applications.balance",
    "applications.outcome_sum",
    "applications.column_total",
    "appeals.group_total",
    "narrative.matches_table",
    "narrative.fees",
)


def check_cells(cells: Cells, narrative: Mapping[str, int]) -> list[Finding]:
    """The checks of CELL_RULES, in a stable order."""
    return [
        *applications_balance(cells),
        *applications_outcome_sum(cells),
        *applications_column_total(cells),
        *appeals_group_total(cells),
        *narrative_matches_table(cells, narrative),
        *narrative_fees(cells, narrative),
    ]


def check_report(
    cells: Cells, narrative: Mapping[str, int], layout: Mapping[str, Any]
) -> list[Finding]:
    """Every check that can be made inside one report, in a stable order."""
    return [
        *template_checks(layout),
        *cell_checks(layout["rows"]),
        *check_cells(cells, narrative),
        *narrative_part_sums(layout["part_sums"]),
    ]
