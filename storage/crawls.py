"""Crawl records in the archive: runs, what each column read, source health, discovered
agencies and documents related to a report. Call inside the archive's transactions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from report.registry import health_rule


def start_run(conn: sqlite3.Connection, started_at: str) -> int:
    cursor = conn.execute("INSERT INTO crawl_runs (started_at) VALUES (?)", (started_at,))
    return int(cursor.lastrowid or 0)


def finish_run(
    conn: sqlite3.Connection,
    run_id: int,
    finished_at: str,
    pages: int,
    counts: Mapping[str, int],
    errors: int,
    stats: Mapping[str, Any],
) -> None:
    conn.execute(
        """UPDATE crawl_runs SET finished_at = ?, pages = ?, documents_new = ?,
               documents_changed = ?, documents_unchanged = ?, errors = ?, stats = ?,
               outcome = ?
           WHERE id = ?""",
        (
            finished_at,
            pages,
            counts.get("documents_new", 0),
            counts.get("documents_changed", 0),
            counts.get("documents_unchanged", 0),
            errors,
            json.dumps(dict(stats), ensure_ascii=False, sort_keys=True),
            # Only a crawl that finished is evidence for verdicts (the compliance view).
            str(stats.get("finish_reason") or "finished"),
            run_id,
        ),
    )


def store_list_reads(conn: sqlite3.Connection, run_id: int, reads: Iterable[Mapping]) -> None:
    conn.executemany(
        """INSERT OR REPLACE INTO list_reads (run_id, list_url, family, pages_announced,
               pages_read, pages_failed, records_announced, records_read, complete,
               stop_reason, detail)
           VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
        [
            (
                run_id,
                r["list_url"],
                r["family"],
                r["pages_announced"],
                r["pages_read"],
                r["pages_failed"],
                r["records_announced"],
                r["records_read"],
                int(r["complete"]),
                r["stop_reason"],
                json.dumps(r.get("detail", {}), ensure_ascii=False, sort_keys=True),
            )
            for r in reads
        ],
    )


def store_health(
    conn: sqlite3.Connection,
    run_id: int,
    agency_id: str,
    checked_at: str,
    status: str,
    detail: str | None,
    reports_found: int,
) -> None:
    conn.execute(
        """INSERT INTO source_health (agency_id, checked_at, status, detail, reports_found,
               run_id) VALUES (?,?,?,?,?,?)
           ON CONFLICT (agency_id) DO UPDATE SET checked_at = excluded.checked_at,
               status = excluded.status, detail = excluded.detail,
               reports_found = excluded.reports_found, run_id = excluded.run_id""",
        (agency_id, checked_at, status, detail, reports_found, run_id),
    )


def store_discovered(
    conn: sqlite3.Connection, run_id: int, seen_at: str, found: Iterable[Mapping]
) -> None:
    """Agencies that titles named and the sources file lacks; their years and pages
    accumulate over crawls."""
    for d in found:
        row = conn.execute(
            "SELECT list_urls, years, urls FROM discovered_agencies WHERE name = ?", (d["name"],)
        ).fetchone()
        lists, years, urls = (json.loads(v) for v in row) if row else ([], [], [])
        lists = sorted(set(lists) | set(d["list_urls"]))
        years = sorted(set(years) | {y for y in d["years"] if y is not None})
        urls = sorted(set(urls) | set(d["urls"]))
        conn.execute(
            """INSERT INTO discovered_agencies (name, issuer, level, list_urls, years, urls,
                   first_seen, last_seen, run_id) VALUES (?,?,?,?,?,?,?,?,?)
               ON CONFLICT (name) DO UPDATE SET list_urls = excluded.list_urls,
                   years = excluded.years, urls = excluded.urls,
                   last_seen = excluded.last_seen, run_id = excluded.run_id""",
            (
                d["name"],
                d["issuer"],
                d["level"],
                json.dumps(lists, ensure_ascii=False),
                json.dumps(years),
                json.dumps(urls, ensure_ascii=False),
                seen_at,
                seen_at,
                run_id,
            ),
        )


def add_related(
    conn: sqlite3.Connection,
    url: str,
    sha256: str | None,
    agency_id: str | None,
    year: int | None,
    kind: str,
    title: str,
    seen_at: str,
) -> None:
    conn.execute(
        """INSERT INTO related_documents (url, sha256, agency_id, year, kind, title,
               first_seen) VALUES (?,?,?,?,?,?,?)
           ON CONFLICT (url) DO UPDATE SET sha256 = coalesce(excluded.sha256, sha256),
               agency_id = excluded.agency_id, year = excluded.year""",
        (url, sha256, agency_id, year, kind, title, seen_at),
    )


def latest_list_reads(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Each column's read in the latest crawl that finished reading it (a crawl stopped
    or still running proves nothing of a column, and changes no verdict)."""
    columns = (
        "list_url",
        "run_id",
        "family",
        "pages_announced",
        "pages_read",
        "pages_failed",
        "records_announced",
        "records_read",
        "complete",
        "stop_reason",
        "detail",
    )
    rows = conn.execute(
        f"""SELECT {", ".join(columns)} FROM list_reads r
            WHERE run_id = (SELECT max(l.run_id) FROM list_reads l
                            JOIN crawl_runs c ON c.id = l.run_id
                            WHERE l.list_url = r.list_url AND c.outcome = 'finished')"""
    ).fetchall()
    out = {}
    for row in rows:
        item = dict(zip(columns, row, strict=True))
        item["detail"] = json.loads(item["detail"])
        out[item["list_url"]] = item
    return out


def last_run(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """The latest crawl's counts and how it ended (None: it has not ended)."""
    row = conn.execute(
        "SELECT id, pages, documents_new, documents_changed, documents_unchanged, errors, "
        "json_extract(stats, '$.finish_reason') FROM crawl_runs ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "pages", "new", "changed", "unchanged", "errors", "finish_reason")
    return dict(zip(keys, row, strict=True))


def run_stats(conn: sqlite3.Connection, run_id: int) -> dict[str, Any]:
    """A crawl's Scrapy statistics, as it stored them."""
    row = conn.execute("SELECT stats FROM crawl_runs WHERE id = ?", (run_id,)).fetchone()
    return json.loads(row[0]) if row and row[0] else {}


def troubled_sources(conn: sqlite3.Connection, run_id: int) -> list[dict[str, Any]]:
    """Every source a crawl did not find in order: its agency, status and detail, and the
    open finding that says so (rule and evidence, None when there is none)."""
    out = []
    for agency_id, status, detail in conn.execute(
        "SELECT agency_id, status, detail FROM source_health WHERE run_id = ? "
        "AND status != 'ok' ORDER BY agency_id",
        (run_id,),
    ).fetchall():
        rule = health_rule(status)
        said = conn.execute(
            "SELECT evidence FROM findings WHERE agency_id = ? AND year IS NULL AND rule = ? "
            "AND status = 'open'",
            (agency_id, rule),
        ).fetchone()
        out.append(
            {
                "agency_id": agency_id,
                "status": status,
                "detail": detail,
                "rule": rule,
                "evidence": json.loads(said[0]) if said else None,
            }
        )
    return out


def fetched_before(
    conn: sqlite3.Connection, url: str
) -> tuple[str, str | None, str | None, str | None] | None:
    """(sha256, ETag, Last-Modified, when the portal last confirmed it) of the last
    document fetched from ``url``."""
    return conn.execute(
        "SELECT sha256, etag, last_modified, checked_at FROM document_urls WHERE url = ?",
        (url,),
    ).fetchone()


def confirmed(conn: sqlite3.Connection, urls: Iterable[str], at: str) -> None:
    """The portal answered these URLs 304 at ``at``: what the archive holds is current."""
    conn.executemany(
        "UPDATE document_urls SET checked_at = ? WHERE url = ?", [(at, u) for u in urls]
    )
