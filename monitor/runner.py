"""`nianbao check`: the archive's agencies and latest reports → the checks of
monitor.checks → findings stored (opened, kept, or resolved when they no longer hold)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date
from typing import Any

from monitor.checks import (
    CHECK_RULES,
    DUPLICATE_SIMILARITY,
    AgencyFacts,
    ReportFacts,
    check_agency,
    summary,
)
from storage.archive import Archive, now
from storage.db import setting, transaction
from storage.findings import Found, refresh


def _agencies(conn: sqlite3.Connection) -> list[AgencyFacts]:
    return [
        AgencyFacts(*row[:5], unverified_years=set(json.loads(row[5])))
        for row in conn.execute(
            """SELECT a.id, a.level, a.deadline, a.since,
                   a.id IN (SELECT agency_id FROM unverified_agencies),
                   (SELECT json_group_array(DISTINCT f.year) FROM findings f
                    WHERE f.agency_id = a.id AND f.status = 'open' AND f.year IS NOT NULL
                    AND f.rule IN (SELECT rule FROM verdict_rules WHERE scope = 'year'))
               FROM agencies a ORDER BY a.id"""
        )
    ]


def _reports(conn: sqlite3.Connection, agency_id: str) -> list[ReportFacts]:
    reports = [
        ReportFacts(*row)
        for row in conn.execute(
            """SELECT r.id, r.year, r.template, r.published_at, r.published_source,
                   r.first_seen, NULL, coalesce(t.text, '')
               FROM reports r LEFT JOIN report_texts t ON t.report_id = r.id
               WHERE r.agency_id = ? AND r.is_latest = 1 AND r.year IS NOT NULL
               ORDER BY r.year""",
            (agency_id,),
        )
    ]
    for report in reports:
        report.cells = dict(
            conn.execute("SELECT key, value FROM cell_values WHERE report_id = ?", (report.id,))
        )
    return reports


def run_checks(
    archive: Archive,
    as_of: date,
    grace_days: int | None = None,
    duplicate_threshold: float = DUPLICATE_SIMILARITY,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Recompute every check for every agency; returns counts of what is open, new and
    resolved. ``grace_days`` (when given) is stored as the archive's grace period."""
    conn = archive.conn
    if grace_days is not None:
        with transaction(conn):
            conn.execute(
                "UPDATE settings SET value = ? WHERE key = 'grace_days'", (str(grace_days),)
            )
    grace = int(setting(conn, "grace_days"))
    agencies = _agencies(conn)
    seen_at = now()
    results: list[tuple[AgencyFacts, list]] = []
    for n, agency in enumerate(agencies, 1):
        found = check_agency(agency, _reports(conn, agency.id), as_of, grace, duplicate_threshold)
        results.append((agency, found))
        if progress:
            progress(n, len(agencies))
    found = [
        Found(agency.id, agency.id, None, year, report_id, f)
        for agency, results_ in results
        for year, report_id, f in results_
    ]
    with archive.batch():
        wanted, new, stale = refresh(conn, CHECK_RULES, found, seen_at)
    counts = {"open": len(wanted), "new": len(new), "resolved": len(stale)}
    by_rule = summary([f for _, found in results for f in found])
    return {**counts, "as_of": as_of.isoformat(), "grace_days": grace, "rules": by_rule}


def describe(result: dict[str, Any]) -> str:
    rules = ", ".join(f"{k} {v}" for k, v in sorted(result["rules"].items())) or "none"
    return (
        f"checked as of {result['as_of']} (grace {result['grace_days']} days): "
        f"{result['open']} open ({result['new']} new), {result['resolved']} resolved; "
        f"by rule: {rules}"
    )
