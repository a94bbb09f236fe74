"""`nianbao check`: the archive's agencies and latest reports → the checks of
monitor.checks → findings stored (opened, kept, or resolved when they no longer hold)."""

from __future__ import annotations

import hashlib
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
    similarity,
    summary,
)
from parsers.dates import now
from storage.archive import Archive
from storage.db import set_setting, setting
from storage.findings import Found, refresh
from storage.query import check_agencies, check_reports, open_by_rule
from storage.schema import optimize
from storage.similarities import known_similarities, remember_similarities


def _agencies(conn: sqlite3.Connection) -> list[AgencyFacts]:
    return [
        AgencyFacts(
            a["id"],
            a["level"],
            a["deadline"],
            a["since"],
            bool(a["unverified"]),
            set(a["unverified_years"]),
        )
        for a in check_agencies(conn)
    ]


def _reports(conn: sqlite3.Connection, agency_id: str) -> list[ReportFacts]:
    return [
        ReportFacts(
            r["id"],
            r["year"],
            r["template"],
            r["published_at"],
            r["published_source"],
            r["first_seen"],
            r["cells"],
            r["text"],
        )
        for r in check_reports(conn, agency_id)
    ]


class _Remembered:
    """monitor.checks.similarity, answered from what earlier runs computed where the two
    texts are the ones they compared; what it computes anew is in ``new``."""

    def __init__(self, known: dict[tuple[bytes, bytes], float]) -> None:
        self.known = known
        self.new: list[tuple[bytes, bytes, float]] = []

    def __call__(self, earlier: str, later: str) -> float:
        key = (_text_key(earlier), _text_key(later))
        score = self.known.get(key)
        if score is None:
            score = self.known[key] = similarity(earlier, later)
            self.new.append((*key, score))
        return score


def _text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


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
        set_setting(conn, "grace_days", str(grace_days))
    set_setting(conn, "as_of", as_of.isoformat())  # the date the compliance view judges by
    grace = int(setting(conn, "grace_days"))
    agencies = _agencies(conn)
    seen_at = now()
    similar = _Remembered(known_similarities(conn))
    results: list[tuple[AgencyFacts, list]] = []
    for n, agency in enumerate(agencies, 1):
        reports = _reports(conn, agency.id)
        found = check_agency(agency, reports, as_of, grace, duplicate_threshold, similar)
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
        remember_similarities(conn, similar.new)
    optimize(conn)
    counts = {"open": len(wanted), "new": len(new), "resolved": len(stale)}
    by_rule = summary([f for _, found in results for f in found])
    archive_open = dict(open_by_rule(conn))
    return {
        **counts,
        "as_of": as_of.isoformat(),
        "grace_days": grace,
        "rules": by_rule,
        "all_open": sum(archive_open.values()),
        "all_rules": archive_open,
    }


def describe(result: dict[str, Any]) -> str:
    """The check's own counts, then every open finding of the archive by rule (the
    checks own some rules; parsing and crawling open the others)."""
    rules = ", ".join(f"{k} {v}" for k, v in sorted(result["all_rules"].items())) or "none"
    return (
        f"checked as of {result['as_of']} (grace {result['grace_days']} days): "
        f"{result['open']} open from the checks ({result['new']} new), "
        f"{result['resolved']} resolved; {result['all_open']} open in the archive; "
        f"by rule: {rules}"
    )
