"""Findings in the archive: one way to open, keep and resolve them.

A finding's identity is its fingerprint (agency, year, rule, key: report.findings), so
recomputing never duplicates. Storing a finding that is already open and unchanged writes
nothing (a re-run of `nianbao check` on an unchanged archive is a read); a finding of the
rules in a scope that is no longer found is resolved, never deleted. Call inside a
transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from report.findings import fingerprint


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
            f["severity"],
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
               message = excluded.message, evidence = excluded.evidence, status = 'open',
               report_id = excluded.report_id, last_seen = excluded.last_seen,
               resolved_at = NULL
           WHERE status != 'open' OR severity IS NOT excluded.severity
               OR message IS NOT excluded.message OR evidence IS NOT excluded.evidence
               OR report_id IS NOT excluded.report_id""",
        list(rows.values()),
    )
    return set(rows)


def resolve(conn: sqlite3.Connection, fingerprints: Iterable[str], at: str) -> int:
    """Mark open findings resolved (kept, with when)."""
    return conn.executemany(
        "UPDATE findings SET status = 'resolved', resolved_at = ? "
        "WHERE fingerprint = ? AND status = 'open'",
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
    """Fingerprints of the open findings of ``rules``: for one agency and year, or (with
    ``everywhere``) for all."""
    marks = ",".join("?" * len(rules))
    if everywhere:
        sql = f"SELECT fingerprint FROM findings WHERE status = 'open' AND rule IN ({marks})"
        return {fp for (fp,) in conn.execute(sql, tuple(rules))}
    agency_clause = "agency_id = ?" if agency_id else "agency_id IS NULL AND agency IS ?"
    sql = f"""SELECT fingerprint FROM findings WHERE {agency_clause} AND year IS ?
              AND status = 'open' AND rule IN ({marks})"""
    return {fp for (fp,) in conn.execute(sql, (agency_id or agency, year, *rules))}


def refresh(
    conn: sqlite3.Connection, rules: Sequence[str], found: Iterable[Found], seen_at: str
) -> tuple[set[str], set[str], set[str]]:
    """Everything ``rules`` find now, everywhere: store it, resolve what they no longer
    find. Returns (open now, newly opened, resolved)."""
    before = open_of(conn, rules, everywhere=True)
    now = store(conn, found, seen_at)
    stale = before - now
    resolve(conn, stale, seen_at)
    return now, now - before, stale
