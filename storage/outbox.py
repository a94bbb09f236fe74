"""The outbox in the archive: digests queued with the findings they tell each address,
sent when a server accepts them, retried with backoff when one address is refused,
dropped when their subscription is gone."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from storage.db import transaction

_FINDING = (
    "id, fingerprint, agency_id, agency, year, rule, severity, message, evidence, status, "
    "first_seen, resolved_at, report_id"
)
# An address refused waits this long before the next try, doubling up to a day.
FIRST_RETRY = timedelta(minutes=10)
LAST_RETRY = timedelta(days=1)


def _rows(conn: sqlite3.Connection, sql: str, args: tuple) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, args)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor]


def untold(conn: sqlite3.Connection, address: str) -> tuple[list[dict], list[dict]]:
    """(open findings, resolved findings) not yet told to ``address``. A finding that comes
    back (resolved or dismissed, then found again) has what was told of it forgotten (the
    trigger alerted_reopened): it is told again, marked ``reopened``."""
    new = _rows(
        conn,
        f"""SELECT {_FINDING}, reopened_at IS NOT NULL AS reopened FROM findings f
            WHERE status = 'open' AND NOT EXISTS (
                SELECT 1 FROM alerted a WHERE a.address = ? AND a.fingerprint = f.fingerprint
                AND a.kind = 'open')""",
        (address,),
    )
    resolved = _rows(
        conn,
        f"""SELECT {_FINDING}, 0 AS reopened FROM findings f WHERE status = 'resolved'
            AND EXISTS (
                SELECT 1 FROM alerted a WHERE a.address = ? AND a.fingerprint = f.fingerprint
                AND a.kind = 'open') AND NOT EXISTS (
                SELECT 1 FROM alerted a WHERE a.address = ? AND a.fingerprint = f.fingerprint
                AND a.kind = 'resolved')""",
        (address, address),
    )
    return new, resolved


def enqueue(
    conn: sqlite3.Connection,
    address: str,
    subject: str,
    message: bytes,
    told_open: Iterable[str],
    told_resolved: Iterable[str],
    created_at: str,
    message_id: str | None = None,
) -> int:
    """Queue one message and record what it tells, in one transaction."""
    with transaction(conn):
        outbox_id = conn.execute(
            "INSERT INTO outbox (address, subject, message, created_at, message_id) "
            "VALUES (?,?,?,?,?)",
            (address, subject, message, created_at, message_id),
        ).lastrowid
        conn.executemany(
            "INSERT OR IGNORE INTO alerted (address, fingerprint, kind, outbox_id) "
            "VALUES (?,?,?,?)",
            [(address, fp, "open", outbox_id) for fp in told_open]
            + [(address, fp, "resolved", outbox_id) for fp in told_resolved],
        )
    return int(outbox_id or 0)


def due(conn: sqlite3.Connection, at: str) -> list[tuple[int, str, bytes, str | None]]:
    """(id, address, message, when its delivery was uncertain) of every message to send
    now, oldest first."""
    return conn.execute(
        """SELECT id, address, message, uncertain_at FROM outbox
           WHERE sent_at IS NULL AND dropped_at IS NULL
           AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id""",
        (at,),
    ).fetchall()


def sent(conn: sqlite3.Connection, outbox_id: int, at: str) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, "
            "next_attempt_at = NULL WHERE id = ?",
            (at, outbox_id),
        )


def uncertain(conn: sqlite3.Connection, outbox_id: int, error: str, at: str) -> None:
    """The whole message went out but the server's answer never came: it may have been
    delivered. Kept unsent, marked, and sent once more on the next run (``due``)."""
    with transaction(conn):
        conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, uncertain_at = ?, "
            "next_attempt_at = NULL WHERE id = ?",
            (f"delivery uncertain: {error}"[:500], at, outbox_id),
        )


def failed(
    conn: sqlite3.Connection, ids: Iterable[int], error: str, at: datetime, backoff: bool
) -> None:
    """A try that failed. With ``backoff`` the message waits before the next try, longer
    each time; without, the next run tries it again."""
    with transaction(conn):
        for outbox_id in ids:
            (attempts,) = conn.execute(
                "SELECT attempts FROM outbox WHERE id = ?", (outbox_id,)
            ).fetchone()
            wait = min(FIRST_RETRY * 2**attempts, LAST_RETRY)
            conn.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, "
                "next_attempt_at = ? WHERE id = ?",
                (
                    error[:500],
                    (at + wait).isoformat(timespec="seconds") if backoff else None,
                    outbox_id,
                ),
            )


def drop_unsubscribed(conn: sqlite3.Connection, addresses: Iterable[str], at: str) -> int:
    """Unsent messages to addresses no subscription names any more: dropped, kept as a
    record; the findings they would have told are told to nobody."""
    keep = list(addresses)
    marks = ",".join("?" * len(keep)) or "''"
    with transaction(conn):
        return conn.execute(
            f"""UPDATE outbox SET dropped_at = ?, last_error = 'subscription removed'
                WHERE sent_at IS NULL AND dropped_at IS NULL AND address NOT IN ({marks})""",
            (at, *keep),
        ).rowcount


def unsent(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Messages still waiting: address, attempts, the last error, when they are next tried."""
    return _rows(
        conn,
        """SELECT id, address, attempts, last_error, next_attempt_at, uncertain_at, message_id
           FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL ORDER BY id""",
        (),
    )


def source_link(conn: sqlite3.Connection, report_id: int | None, agency_id: str | None) -> str:
    """Where a finding can be seen: its report's document, else the agency's list page."""
    if report_id is not None:
        found = conn.execute(
            "SELECT coalesce(d.final_url, d.source_url) FROM reports r "
            "JOIN documents d ON d.sha256 = r.document_sha256 WHERE r.id = ?",
            (report_id,),
        ).fetchone()
        if found and found[0]:
            return str(found[0])
    if agency_id:
        found = conn.execute(
            "SELECT json_extract(list_urls, '$[0]') FROM agencies WHERE id = ?", (agency_id,)
        ).fetchone()
        if found and found[0]:
            return str(found[0])
    return ""
