"""Findings in the archive: one way to open, keep and resolve them.

A finding's identity is its fingerprint (agency, year, rule, key: report.findings), so
recomputing never duplicates. Storing a finding that is already open and unchanged writes
nothing (a re-run of `nianbao check` on an unchanged archive is a read); a finding of the
rules in a scope that is no longer found is resolved, never deleted. Call inside a
transaction.

A person's review (``review``) is kept beside the finding: a dismissed finding stays
dismissed while it is found again with the same evidence, and is reopened (``reopened_at``,
a ``lapse`` review) when its evidence changes; a resolved finding found again is reopened.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from report.findings import fingerprint, severity_of


@dataclass(frozen=True)
class Found:
    """A finding to store, with whose and which year it is."""

    agency_id: str | None
    agency_key: str  # the agency's id, or "name:…" for a report held unassigned
    agency: str | None  # the name it gives itself
    year: int | None
    report_id: int | None
    finding: dict[str, Any]

    @property
    def fingerprint(self) -> str:
        f = self.finding
        return fingerprint(self.agency_key, self.year, f["rule"], f["evidence"].get("key"))


def store(conn: sqlite3.Connection, found: Iterable[Found], seen_at: str) -> set[str]:
    """Open these findings, or keep them open; returns their fingerprints. An open finding
    that is unchanged is not written again."""
    rows = {}
    for item in found:
        f = item.finding
        rows[item.fingerprint] = (
            item.fingerprint,
            item.agency_id,
            item.agency,
            item.year,
            f["rule"],
            f["evidence"].get("key"),
            severity_of(f["rule"]),
            f["message"],
            json.dumps(f["evidence"], ensure_ascii=False, sort_keys=True),
            item.report_id,
            seen_at,
            seen_at,
        )
    conn.executemany(
        """INSERT INTO findings (fingerprint, agency_id, agency, year, rule, key, severity,
               message, evidence, status, report_id, first_seen, last_seen)
           VALUES (?,?,?,?,?,?,?,?,?,'open',?,?,?)
           ON CONFLICT(fingerprint) DO UPDATE SET severity = excluded.severity,
               message = excluded.message, evidence = excluded.evidence,
               status = CASE WHEN status = 'dismissed' AND evidence IS excluded.evidence
                             THEN 'dismissed' ELSE 'open' END,
               reopened_at = CASE
                   WHEN status = 'resolved'
                       OR (status = 'dismissed' AND evidence IS NOT excluded.evidence)
                   THEN excluded.last_seen ELSE reopened_at END,
               report_id = excluded.report_id, last_seen = excluded.last_seen,
               resolved_at = NULL
           WHERE status = 'resolved' OR severity IS NOT excluded.severity
               OR message IS NOT excluded.message OR evidence IS NOT excluded.evidence
               OR report_id IS NOT excluded.report_id""",
        list(rows.values()),
    )
    return set(rows)


def resolve(conn: sqlite3.Connection, fingerprints: Iterable[str], at: str) -> int:
    """Mark open (or dismissed) findings resolved (kept, with when)."""
    return conn.executemany(
        "UPDATE findings SET status = 'resolved', resolved_at = ? "
        "WHERE fingerprint = ? AND status IN ('open', 'dismissed')",
        [(at, fp) for fp in sorted(fingerprints)],
    ).rowcount


def open_of(
    conn: sqlite3.Connection,
    rules: Sequence[str],
    agency_id: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    everywhere: bool = False,
) -> set[str]:
    """Fingerprints of the live findings of ``rules`` (open, or dismissed by a person):
    for one agency and year, or (with ``everywhere``) for all."""
    marks = ",".join("?" * len(rules))
    if everywhere:
        sql = (
            "SELECT fingerprint FROM findings WHERE status IN ('open', 'dismissed') "
            f"AND rule IN ({marks})"
        )
        return {fp for (fp,) in conn.execute(sql, tuple(rules))}
    agency_clause = "agency_id = ?" if agency_id else "agency_id IS NULL AND agency IS ?"
    sql = f"""SELECT fingerprint FROM findings WHERE {agency_clause} AND year IS ?
              AND status IN ('open', 'dismissed') AND rule IN ({marks})"""
    return {fp for (fp,) in conn.execute(sql, (agency_id or agency, year, *rules))}


def refresh(
    conn: sqlite3.Connection,
    rules: Sequence[str],
    found: Iterable[Found],
    seen_at: str,
    holds: Callable[[dict[str, Any]], bool] | None = None,
) -> tuple[set[str], set[str], set[str]]:
    """Everything ``rules`` find now, everywhere: store it, resolve what they no longer
    find — but for what ``holds`` (given the finding's agency_id, year and rule) says
    still stands without being found again. Returns (open now, newly opened, resolved)."""
    before = open_of(conn, rules, everywhere=True)
    now = store(conn, found, seen_at)
    stale = before - now
    if holds is not None and stale:
        stale -= {fp for fp, row in _rows_of(conn, stale).items() if holds(row)}
    resolve(conn, stale, seen_at)
    return now, now - before, stale


def _rows_of(conn: sqlite3.Connection, fingerprints: set[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for fp, agency_id, year, rule in conn.execute(
        "SELECT fingerprint, agency_id, year, rule FROM findings WHERE fingerprint IN "
        "(SELECT value FROM json_each(?))",
        (json.dumps(sorted(fingerprints)),),
    ):
        out[fp] = {"agency_id": agency_id, "year": year, "rule": rule}
    return out


# A review's action → the status it leaves the finding in (None: as it was).
REVIEW_ACTIONS = {"dismiss": "dismissed", "confirm": "open", "reopen": "open"}


def review(
    conn: sqlite3.Connection,
    finding_id: int,
    action: str,
    note: str,
    reviewer: str | None,
    at: str,
) -> dict[str, Any]:
    """Record a person's judgement of finding ``finding_id`` and apply it; returns the
    finding as it now stands. Call inside a transaction."""
    row = conn.execute(
        "SELECT status, evidence, rule, agency_id, year FROM findings WHERE id = ?",
        (finding_id,),
    ).fetchone()
    if row is None:
        raise LookupError(f"no finding {finding_id} in the archive")
    status, evidence, rule, agency_id, year = row
    if status == "resolved" and action != "reopen":
        raise LookupError(f"finding {finding_id} is resolved: there is nothing to {action}")
    new_status = REVIEW_ACTIONS[action]
    conn.execute(
        "UPDATE findings SET status = ?, reopened_at = CASE WHEN ? THEN ? ELSE reopened_at END "
        "WHERE id = ?",
        (new_status, status != "open" and new_status == "open", at, finding_id),
    )
    conn.execute(
        "INSERT INTO reviews (finding_id, action, note, reviewer, at, evidence) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (finding_id, action, note, reviewer, at, evidence),
    )
    return {
        "id": finding_id,
        "rule": rule,
        "agency_id": agency_id,
        "year": year,
        "status": new_status,
        "was": status,
    }
