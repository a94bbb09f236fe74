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
    Peers,
    ReportFacts,
    check_agency,
    similarity,
    summary,
)
from parsers.dates import now
from report.registry import title
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
            a["region"],
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
    resolved. ``grace_days`` (when given) is stored as the archive's grace period.

    The archive's judgement date only moves forward: ``as_of`` before the last check's is
    a what-if, computed and returned (``what_if``) but stored nowhere. A finding is
    resolved only by evidence that it no longer holds: a year with no report stays
    missing while its column cannot be read or its deadline is judged again."""
    conn = archive.conn
    last = setting(conn, "as_of")
    what_if = bool(last) and as_of.isoformat() < last
    grace = grace_days if grace_days is not None else int(setting(conn, "grace_days"))
    agencies = _agencies(conn)
    similar = _Remembered(known_similarities(conn))
    results: list[tuple[AgencyFacts, list]] = []
    reported: set[tuple[str, int]] = set()
    peers = Peers()
    for n, agency in enumerate(agencies, 1):
        reports = _reports(conn, agency.id)
        reported |= {(agency.id, r.year) for r in reports}
        found = check_agency(agency, reports, as_of, grace, duplicate_threshold, similar)
        results.append((agency, found))
        peers.add(agency, reports)
        if progress:
            progress(n, len(agencies))
    by_agency = {agency.id: found for agency, found in results}
    for agency_id, year, report_id, f in peers.findings():
        by_agency[agency_id].append((year, report_id, f))
    found = [
        Found(agency.id, agency.id, None, year, report_id, f)
        for agency, results_ in results
        for year, report_id, f in results_
    ]
    by_rule = summary([f for _, found in results for f in found])
    if what_if:
        return _what_if(as_of, last, grace, by_rule, results)
    if grace_days is not None:
        set_setting(conn, "grace_days", str(grace_days))
    set_setting(conn, "as_of", as_of.isoformat())  # the date the compliance view judges by
    spans = {a.id: a.since for a in agencies}

    def holds(row: dict[str, Any]) -> bool:
        """A missing report no longer found missing, with no report found either: its
        year became unverified (its column unread) or pending — no evidence it was
        published. It stays open; the agency's removal or a later ``since`` ends it."""
        agency_id, year = row["agency_id"], row["year"]
        return (
            row["rule"] == "report.missing"
            and agency_id in spans
            and year >= spans[agency_id]
            and (agency_id, year) not in reported
        )

    with archive.batch():
        wanted, new, stale = refresh(conn, CHECK_RULES, found, now(), holds)
        remember_similarities(conn, similar.new)
    optimize(conn)
    counts = {"open": len(wanted), "new": len(new), "resolved": len(stale)}
    archive_open = dict(open_by_rule(conn))
    return {
        **counts,
        "as_of": as_of.isoformat(),
        "grace_days": grace,
        "rules": by_rule,
        "all_open": sum(archive_open.values()),
        "all_rules": archive_open,
    }


def _what_if(
    as_of: date, last: str, grace: int, by_rule: dict[str, int], results: list
) -> dict[str, Any]:
    """What the checks find as of an earlier date than the archive's: nothing stored."""
    missing = sorted(
        (agency.id, year)
        for agency, found in results
        for year, _, f in found
        if f["rule"] == "report.missing"
    )
    return {
        "what_if": True,
        "as_of": as_of.isoformat(),
        "archive_as_of": last,
        "grace_days": grace,
        "rules": by_rule,
        "open": sum(by_rule.values()),
        "missing": missing,
    }


def describe(result: dict[str, Any], lang: str = "zh") -> str:
    """The check's own counts, then every open finding of the archive by rule (the
    checks own some rules; parsing and crawling open the others), by the rules' titles in
    ``lang``; for a what-if, what the checks find as of its date, and that nothing was
    stored."""
    zh = lang == "zh"
    sep = "，" if zh else ", "

    def by_rule(counts: dict[str, int]) -> str:
        items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return sep.join(f"{title(k, lang)} {v}" for k, v in items) or ("无" if zh else "none")

    if result.get("what_if"):
        rules = by_rule(result["rules"])
        if zh:
            missing = "".join(f"\n  缺失：{a} {y}年" for a, y in result["missing"])
            return (
                f"假设判断日期为 {result['as_of']}（宽限 {result['grace_days']} 天），早于存档的"
                f" {result['archive_as_of']}：不保存任何结果，不新增也不解决任何问题；"
                f"核查将发现 {result['open']} 条：{rules}{missing}"
            )
        missing = "".join(f"\n  missing: {a} {y}" for a, y in result["missing"])
        return (
            f"what-if as of {result['as_of']} (grace {result['grace_days']} days), earlier "
            f"than the archive's {result['archive_as_of']}: nothing "
            f"stored, no finding opened or resolved; the checks would find "
            f"{result['open']}: {rules}{missing}"
        )
    rules = by_rule(result["all_rules"])
    if zh:
        return (
            f"已按 {result['as_of']} 核查（宽限 {result['grace_days']} 天）："
            f"核查发现待处理问题 {result['open']} 条（新增 {result['new']} 条），"
            f"已解决 {result['resolved']} 条；存档中待处理问题共 {result['all_open']} 条；"
            f"按规则：{rules}"
        )
    return (
        f"checked as of {result['as_of']} (grace {result['grace_days']} days): "
        f"{result['open']} open from the checks ({result['new']} new), "
        f"{result['resolved']} resolved; {result['all_open']} open in the archive; "
        f"by rule: {rules}"
    )
