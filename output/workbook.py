"""The archive as an office hands it on: a workbook (or CSV files Excel opens) of the
compliance matrix, the findings and the latest reports' cells, in Chinese by default,
labelled as the template prints them."""

from __future__ import annotations

import csv
import os
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from output.compliance import COLOURS
from output.text import finding_words, score_table
from report.agencies import LEVEL_LABELS
from report.registry import (
    STATUS_LABELS,
    label,
)
from report.scoring import Pack, score
from report.template import cell_label
from storage.query import agencies, findings, latest_cells, matrix, report_documents, worst

SHEETS = {
    "matrix": ("合规矩阵", "Compliance"),
    "findings": ("问题清单", "Findings"),
    "cells": ("报表数据", "Report data"),
    "scores": ("得分", "Scores"),
}
HEADERS = {
    "agency": ("单位", "Agency"),
    "agency_id": ("单位编号", "Agency id"),
    "level": ("层级", "Level"),
    "region": ("地区", "Region"),
    "year": ("年度", "Year"),
    "number": ("编号", "Number"),
    "rule": ("问题", "Finding"),
    "sentence": ("说明", "What it says"),
    "severity": ("严重程度", "Severity"),
    "status": ("状态", "Status"),
    "review": ("人工复核", "Review"),
    "link": ("文件链接", "Document"),
    "first_seen": ("首次发现", "First seen"),
}


def _h(key: str, lang: str) -> str:
    return HEADERS[key][0 if lang == "zh" else 1]


def _sheet(key: str, lang: str) -> str:
    return SHEETS[key][0 if lang == "zh" else 1]


def tables(
    conn: sqlite3.Connection, lang: str = "zh", pack: Pack | None = None
) -> dict[str, tuple[list[str], Iterator]]:
    """Each sheet's name → (its header, its rows): plain values, statuses by their label;
    dates as dates, a link as its address; the scores under ``pack`` when one is given."""
    known = agencies(conn)
    out = {
        "matrix": _matrix(conn, known, lang),
        "findings": _findings(conn, known, lang),
        "cells": _cells(conn, known, lang),
    }
    if pack is not None:
        header, rows = score_table(score(pack, known, findings(conn, status="open")), lang)
        out["scores"] = (header, iter(rows))
    return out


def _facts(agency_id: str, known: dict[str, dict[str, Any]], lang: str) -> list[Any]:
    facts = known.get(agency_id, {})
    level = facts.get("level")
    return [
        facts.get("name", agency_id),
        agency_id,
        label(LEVEL_LABELS, level, lang) if level else "",
        facts.get("region", ""),
    ]


def _matrix(conn: sqlite3.Connection, known: dict, lang: str) -> tuple[list[str], Iterator]:
    grid = matrix(conn)
    years = sorted({y for row in grid.values() for y in row})
    header = [_h(k, lang) for k in ("agency", "agency_id", "level", "region")]

    def rows() -> Iterator[list[Any]]:
        for agency_id, row in grid.items():
            statuses = [worst(row[y]) if y in row else None for y in years]
            yield _facts(agency_id, known, lang) + [("status", s) if s else None for s in statuses]

    return header + [str(y) for y in years], rows()


def _findings(conn: sqlite3.Connection, known: dict, lang: str) -> tuple[list[str], Iterator]:
    keys = ("number", "agency", "agency_id", "level", "region", "year", "rule", "sentence")
    keys += ("severity", "status", "review", "link", "first_seen")
    documents = report_documents(conn)

    def rows() -> Iterator[list[Any]]:
        for f in findings(conn, status="all"):
            document = documents.get(f["report_id"]) if f["report_id"] else None
            url = document["url"] if document else None
            words = finding_words(f, lang)
            yield [
                f["id"],
                *_facts(f["agency_id"], known, lang),
                f["year"],
                words["title"],
                words["sentence"],
                words["severity"],
                words["status"],
                words["review"],
                ("link", url) if url and url.startswith(("http://", "https://")) else url,
                _day(f["first_seen"]),
            ]

    return [_h(k, lang) for k in keys], rows()


def _cells(conn: sqlite3.Connection, known: dict, lang: str) -> tuple[list[str], Iterator]:
    """One row per latest report, one column per cell key the archive holds."""
    by_report: dict[tuple[str, int], dict[str, float | None]] = {}
    order: dict[str, None] = {}
    for agency_id, year, key, value in latest_cells(conn):
        by_report.setdefault((agency_id, year), {})[key] = value
        order.setdefault(key)
    keys = list(order)
    header = [_h(k, lang) for k in ("agency", "agency_id", "level", "region", "year")]
    header += [f"{cell_label(k, lang)}\n{k}" for k in keys]

    def rows() -> Iterator[list[Any]]:
        for (agency_id, year), cells in by_report.items():
            values = [_number(cells.get(k)) for k in keys]
            yield [*_facts(agency_id, known, lang), year, *values]

    return header, rows()


def _number(value: float | None) -> int | float | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _day(stamp: str | None) -> date | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp).date()
    except ValueError:
        return None


def _plain(value: Any, lang: str) -> Any:
    """A value as a CSV cell: a status by its label, a link by its address."""
    if isinstance(value, tuple):
        kind, raw = value
        return label(STATUS_LABELS, raw, lang) if kind == "status" else raw
    return "" if value is None else value


def write_csv(
    conn: sqlite3.Connection, folder: Path, lang: str = "zh", pack: Pack | None = None
) -> list[Path]:
    """One CSV file per sheet in ``folder``, UTF-8 with a byte-order mark (Excel reads
    Chinese right only with it); each written beside its name, then renamed."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for key, (header, rows) in tables(conn, lang, pack).items():
        path = folder / f"{_sheet(key, lang)}.csv"
        partial = path.with_name(path.name + ".partial")
        with open(partial, "w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow([h.replace("\n", " ") for h in header])
            for row in rows:
                out.writerow([_plain(v, lang) for v in row])
        os.replace(partial, path)
        written.append(path)
    return written


def write_xlsx(
    conn: sqlite3.Connection, path: Path, lang: str = "zh", pack: Pack | None = None
) -> dict[str, int]:
    """The workbook at ``path`` (written beside it, then renamed): sheets 合规矩阵, 问题清单,
    报表数据 (and 得分 with a rule pack), headers frozen and filtered, statuses coloured as
    in the report, links clickable, dates as dates. Returns each sheet's row count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fills = {s: PatternFill("solid", fgColor=c.lstrip("#").upper()) for s, c in COLOURS.items()}
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    book = Workbook(write_only=True)
    counts = {}
    for key, (header, rows) in tables(conn, lang, pack).items():
        sheet = book.create_sheet(_sheet(key, lang))
        fixed = 5 if key == "cells" else (4 if key == "matrix" else 1)
        sheet.freeze_panes = f"{get_column_letter(fixed + 1)}2"
        for n, name in enumerate(header, 1):
            sheet.column_dimensions[get_column_letter(n)].width = _width(key, n, name)
        heads = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font, cell.alignment = bold, wrap
            heads.append(cell)
        sheet.append(heads)
        count = 0
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v, lang, fills, WriteOnlyCell) for v in row])
            count += 1
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
        counts[_sheet(key, lang)] = count
    partial = path.with_name(path.name + ".partial")
    book.save(partial)
    os.replace(partial, path)
    return counts


def _width(key: str, n: int, name: str) -> float:
    if key == "findings" and name in (HEADERS["sentence"][0], HEADERS["sentence"][1]):
        return 60
    if key == "cells" and n > 5:
        return 14
    return 12 if n > 1 else 24


def _xlsx_cell(sheet: Any, value: Any, lang: str, fills: dict, make: Any) -> Any:
    if not isinstance(value, tuple):
        cell = make(sheet, value=value)
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
        return cell
    kind, raw = value
    if kind == "status":
        cell = make(sheet, value=label(STATUS_LABELS, raw, lang))
        cell.fill = fills[raw]
        return cell
    cell = make(sheet, value=raw)
    cell.hyperlink = raw
    cell.style = "Hyperlink"
    return cell
