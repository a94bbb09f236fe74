"""Writing to the archive: documents once by content, report versions, cells, findings.

Each document is parsed outside any transaction (parsing is slow and may fail), then
everything it yields is written in one transaction: a process killed at any point leaves
either all of it or none of it. A report whose normalized text is unchanged is not a new
version, however its bytes changed (a visit counter, a timestamp).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from parsers import PARSER_VERSION, DocumentError, Limits
from parsers.normalize import to_simplified
from parsers.sniff import sniff
from parsers.tokens import is_footer
from storage.db import transaction

Reader = Callable[..., tuple[dict[str, Any], str]]

# Rules whose findings come from one report's own content: recomputed with each version.
REPORT_RULES = ("applications.", "appeals.", "narrative.", "template.", "cells.", "document.")
# Lines that change on every visit and say nothing about the report.
_FURNITURE = re.compile(
    r"(浏览|点击|访问|阅读)(次数|量|数)|发布时间|发布日期|打印本页|关闭窗口|【打印】|【关闭】|"
    r"分享到|当前位置|字号|\d{4}-\d{2}-\d{2}\s+\d{2}:\d{2}"
)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def normalized_text(text: str) -> str:
    """What decides whether two fetches are the same report: simplified script, NFKC, no
    whitespace, no page furniture."""
    simplified, _ = to_simplified(text)
    lines = unicodedata.normalize("NFKC", simplified).splitlines()
    kept = (
        "".join(line.split())
        for line in lines
        if line.strip() and not is_footer(line) and not _FURNITURE.search(line)
    )
    return "\n".join(kept)


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def fingerprint(agency_key: str, year: int | None, rule: str, key: str | None) -> str:
    """Stable identity of a finding: recomputing findings never duplicates them."""
    return _sha256(f"{agency_key}|{year}|{rule}|{key or ''}")[:32]


@dataclass
class Fetched:
    """What is known about a document besides its bytes (from the crawler or the user)."""

    source_url: str | None = None
    final_url: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    last_modified: str | None = None
    etag: str | None = None
    fetched_at: str = field(default_factory=now)
    agency_id: str | None = None
    year: int | None = None
    listed_date: str | None = None  # the date the portal's list shows beside the link
    page_date: str | None = None  # the date the report's page shows (发布时间)


@dataclass
class Ingested:
    sha256: str
    status: str  # known | new_report | new_version | same_text | not_a_report | error
    report_id: int | None = None
    error: str | None = None


def _http_date(value: str | None) -> str | None:
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return None


def publication(record: dict[str, Any], fetched: Fetched) -> tuple[str | None, str | None]:
    """The publication date and where it came from, most trusted first."""
    for value, source in (
        (fetched.listed_date, "listing"),
        (fetched.page_date, "page"),
        (record.get("published_at"), "document"),
        (_http_date(fetched.last_modified), "http"),
        (fetched.fetched_at[:10] if fetched.fetched_at else None, "first_seen"),
    ):
        if value:
            return value, source
    return None, None


class Archive:
    """One archive file, opened for writing."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._keys: dict[str, int] = {}
        self._reload_keys()
        self._agencies: list[tuple[str, list[str]]] | None = None

    # -- agencies -------------------------------------------------------------------------

    def load_agencies(self, rows: list[dict[str, Any]]) -> int:
        """Insert or update the agencies of a sources file (updated in place)."""
        with transaction(self.conn):
            self.conn.executemany(
                """INSERT INTO agencies (id, name, aliases, level, region, list_urls,
                       allowed_hosts, deadline, since, updated_at)
                   VALUES (:id, :name, :aliases, :level, :region, :list_urls, :allowed_hosts,
                       :deadline, :since, :updated_at)
                   ON CONFLICT(id) DO UPDATE SET name = excluded.name,
                       aliases = excluded.aliases, level = excluded.level,
                       region = excluded.region, list_urls = excluded.list_urls,
                       allowed_hosts = excluded.allowed_hosts, deadline = excluded.deadline,
                       since = excluded.since, updated_at = excluded.updated_at""",
                rows,
            )
        self._agencies = None
        return len(rows)

    def match_agency(self, *names: str | None) -> str | None:
        """The agency whose name or alias the report names; None when none or several do."""
        if self._agencies is None:
            self._agencies = [
                (agency_id, sorted({name, *json.loads(aliases)}, key=len, reverse=True))
                for agency_id, name, aliases in self.conn.execute(
                    "SELECT id, name, aliases FROM agencies"
                )
            ]
        for text in filter(None, names):
            hits = {
                agency_id
                for agency_id, known in self._agencies
                if any(n and n in text for n in known)
            }
            if len(hits) == 1:
                return hits.pop()
        return None

    # -- documents ------------------------------------------------------------------------

    def has_document(self, sha256: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
            is not None
        )

    def add_document(
        self,
        data: bytes,
        fetched: Fetched | None = None,
        read: Reader | None = None,
        limits: Limits | None = None,
    ) -> Ingested:
        """Archive a document and the report it holds. The same bytes again add nothing."""
        fetched = fetched or Fetched()
        sha = _sha256(data)
        if self.has_document(sha):
            return Ingested(sha, "known")
        if read is None:
            from parsers.guard import read_guarded as read
        try:
            record, text = read(data, fetched.content_type, limits or Limits())
            error = None
        except DocumentError as exc:
            record, text, error = None, "", str(exc)
        try:
            with transaction(self.conn):
                if self.has_document(sha):  # another process archived it meanwhile
                    return Ingested(sha, "known")
                self._insert_document(sha, data, fetched, error)
                if record is None:
                    return Ingested(sha, "error", error=error)
                return self._add_report(sha, record, text, fetched)
        except BaseException:
            self._reload_keys()  # ids cached inside the rolled-back transaction are void
            raise

    def _reload_keys(self) -> None:
        self._keys = {k: i for i, k in self.conn.execute("SELECT id, key FROM cell_keys")}

    def _insert_document(self, sha: str, data: bytes, fetched: Fetched, error: str | None) -> None:
        packed = zlib.compress(data, 6)
        encoding, stored = ("zlib", packed) if len(packed) < 0.9 * len(data) else ("raw", data)
        self.conn.execute(
            """INSERT INTO documents (sha256, size, format, source_url, final_url, http_status,
                   content_type, last_modified, etag, fetched_at, error)
               VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
            (
                sha,
                len(data),
                sniff(data),
                fetched.source_url,
                fetched.final_url,
                fetched.http_status,
                fetched.content_type,
                fetched.last_modified,
                fetched.etag,
                fetched.fetched_at,
                error,
            ),
        )
        self.conn.execute("INSERT INTO document_bytes VALUES (?,?,?)", (sha, encoding, stored))

    # -- reports --------------------------------------------------------------------------

    def _agency_of(self, record: dict[str, Any], fetched: Fetched) -> tuple[str | None, str]:
        agency_id = fetched.agency_id or self.match_agency(
            record.get("agency"), record.get("title")
        )
        return agency_id, agency_id or f"name:{record.get('agency') or '?'}"

    def _latest(
        self, agency_id: str | None, agency: str | None, year: int | None
    ) -> tuple[int, int, str] | None:
        if agency_id is not None:
            where, args = "agency_id = ?", (agency_id,)
        else:
            where, args = "agency_id IS NULL AND agency IS ?", (agency,)
        return self.conn.execute(
            f"""SELECT id, version, text_hash FROM reports
                WHERE {where} AND year IS ? AND is_latest = 1""",
            (*args, year),
        ).fetchone()

    def _add_report(
        self, sha: str, record: dict[str, Any], text: str, fetched: Fetched
    ) -> Ingested:
        if record["template"] == "unknown" and not fetched.agency_id:
            return Ingested(sha, "not_a_report")
        agency_id, agency_key = self._agency_of(record, fetched)
        year = record.get("year") or fetched.year
        normalized = normalized_text(text)
        text_hash = _sha256("".join(normalized.split()))  # line breaks differ by format
        latest = self._latest(agency_id, record.get("agency"), year)
        if latest is not None and latest[2] == text_hash:
            return Ingested(sha, "same_text", latest[0])
        version = latest[1] + 1 if latest else 1
        if latest:
            self.conn.execute("UPDATE reports SET is_latest = 0 WHERE id = ?", (latest[0],))
        published_at, source = publication(record, fetched)
        cursor = self.conn.execute(
            """INSERT INTO reports (agency_id, agency, year, version, is_latest,
                   document_sha256, parser_version, text_hash, record_hash, title, template,
                   script, published_at, published_source, stated_published_at, doc_number,
                   sections, narrative, first_seen)
               VALUES (?,?,?,?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            (
                agency_id,
                record.get("agency"),
                year,
                version,
                sha,
                PARSER_VERSION,
                text_hash,
                record_hash(record),
                record.get("title"),
                record["template"],
                record.get("script"),
                published_at,
                source,
                record.get("published_at"),
                record.get("doc_number"),
                json.dumps(record["sections"], ensure_ascii=False),
                json.dumps(record["narrative"], ensure_ascii=False),
                fetched.fetched_at,
            ),
        )
        report_id = cursor.lastrowid
        self._write_cells(report_id, record["cells"])
        self.conn.execute(
            "INSERT INTO report_text (rowid, text) VALUES (?, ?)", (report_id, normalized)
        )
        findings = list(record["findings"])
        if latest:
            findings.append(self._revision(latest[0], record["cells"], version))
        self.store_findings(
            agency_id,
            agency_key,
            record.get("agency"),
            year,
            report_id,
            findings,
            fetched.fetched_at,
            scope=REPORT_RULES,
        )
        return Ingested(sha, "new_version" if latest else "new_report", report_id)

    def _rewrite(self, report_id: int, record: dict[str, Any], text: str, new_hash: str) -> None:
        """Replace a report version's parsed content (after a parser change)."""
        self.conn.execute(
            """UPDATE reports SET parser_version = ?, record_hash = ?, title = ?, template = ?,
                   script = ?, stated_published_at = ?, doc_number = ?, sections = ?,
                   narrative = ? WHERE id = ?""",
            (
                PARSER_VERSION,
                new_hash,
                record.get("title"),
                record["template"],
                record.get("script"),
                record.get("published_at"),
                record.get("doc_number"),
                json.dumps(record["sections"], ensure_ascii=False),
                json.dumps(record["narrative"], ensure_ascii=False),
                report_id,
            ),
        )
        self.conn.execute("DELETE FROM cells WHERE report_id = ?", (report_id,))
        self._write_cells(report_id, record["cells"])
        self.conn.execute("DELETE FROM report_text WHERE rowid = ?", (report_id,))
        self.conn.execute(
            "INSERT INTO report_text (rowid, text) VALUES (?, ?)",
            (report_id, normalized_text(text)),
        )

    def _revision(self, previous_id: int, cells: dict[str, Any], version: int) -> dict:
        before = dict(
            self.conn.execute(
                "SELECT key, value FROM cell_values WHERE report_id = ?", (previous_id,)
            )
        )
        changed = {
            k: [before.get(k), cells.get(k)]
            for k in sorted(set(before) | set(cells))
            if before.get(k) != cells.get(k)
        }
        first_seen = self.conn.execute(
            "SELECT first_seen FROM reports WHERE id = ?", (previous_id,)
        ).fetchone()[0]
        return {
            "rule": "report.revised",
            "severity": "info",
            "message": f"the report changed after publication (version {version}); "
            f"{len(changed)} cell(s) differ",
            "evidence": {
                "key": f"v{version}",
                "previous_report_id": previous_id,
                "previous_first_seen": first_seen,
                "changed_cells": changed,
            },
        }

    def _write_cells(self, report_id: int, cells: dict[str, Any]) -> None:
        for key in cells:
            if key not in self._keys:  # another process may have added it meanwhile
                self.conn.execute(
                    "INSERT INTO cell_keys (key) VALUES (?) ON CONFLICT(key) DO NOTHING", (key,)
                )
                self._keys[key] = self.conn.execute(
                    "SELECT id FROM cell_keys WHERE key = ?", (key,)
                ).fetchone()[0]
        self.conn.executemany(
            "INSERT INTO cells (report_id, key_id, value) VALUES (?,?,?)",
            [(report_id, self._keys[k], v) for k, v in cells.items()],
        )

    # -- findings -------------------------------------------------------------------------

    def store_findings(
        self,
        agency_id: str | None,
        agency_key: str,
        agency: str | None,
        year: int | None,
        report_id: int | None,
        findings: Iterable[dict],
        seen_at: str,
        scope: tuple[str, ...],
    ) -> None:
        """Open (or keep open) these findings and resolve the open ones in ``scope`` for the
        same agency and year that no longer hold. Call inside a transaction."""
        rows = {}
        for f in findings:
            key = f["evidence"].get("key")
            fp = fingerprint(agency_key, year, f["rule"], key)
            rows[fp] = (
                fp,
                agency_id,
                agency,
                year,
                f["rule"],
                key,
                f["severity"],
                f["message"],
                json.dumps(f["evidence"], ensure_ascii=False, sort_keys=True),
                report_id,
                seen_at,
                seen_at,
            )
        self.conn.executemany(
            """INSERT INTO findings (fingerprint, agency_id, agency, year, rule, key, severity,
                   message, evidence, status, report_id, first_seen, last_seen)
               VALUES (?,?,?,?,?,?,?,?,?,'open',?,?,?)
               ON CONFLICT(fingerprint) DO UPDATE SET severity = excluded.severity,
                   message = excluded.message, evidence = excluded.evidence, status = 'open',
                   report_id = excluded.report_id, last_seen = excluded.last_seen,
                   resolved_at = NULL""",
            list(rows.values()),
        )
        agency_clause = "agency_id = ?" if agency_id else "agency_id IS NULL AND agency IS ?"
        scope_clause = " OR ".join("rule LIKE ?" for _ in scope)
        open_now = self.conn.execute(
            f"""SELECT fingerprint FROM findings WHERE {agency_clause} AND year IS ?
                AND status = 'open' AND ({scope_clause})""",
            (agency_id or agency, year, *(f"{s}%" for s in scope)),
        ).fetchall()
        gone = [(seen_at, fp) for (fp,) in open_now if fp not in rows]
        self.conn.executemany(
            "UPDATE findings SET status = 'resolved', resolved_at = ? WHERE fingerprint = ?",
            gone,
        )


def reparse(
    archive: Archive,
    read: Reader | None = None,
    limits: Limits | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Run the current parser over every archived document, no network. A report whose
    record comes out the same is left untouched, so running it twice changes nothing."""
    from collections import Counter

    if read is None:
        from parsers.guard import read_guarded as read
    conn = archive.conn
    counts: Counter[str] = Counter()
    docs = conn.execute(
        """SELECT sha256, source_url, final_url, http_status, content_type, last_modified,
               etag, fetched_at, error FROM documents ORDER BY fetched_at, sha256"""
    ).fetchall()
    for n, (sha, *meta, old_error) in enumerate(docs, 1):
        if progress:
            progress(n, len(docs))
        fetched = Fetched(*meta)
        try:
            record, text = read(document_bytes(conn, sha), fetched.content_type, limits or Limits())
        except DocumentError as exc:
            if str(exc) != old_error:
                with transaction(conn):
                    conn.execute("UPDATE documents SET error = ? WHERE sha256 = ?", (str(exc), sha))
                counts["error"] += 1
            continue
        rows = conn.execute(
            "SELECT id, record_hash, is_latest, agency_id, agency, year FROM reports "
            "WHERE document_sha256 = ?",
            (sha,),
        ).fetchall()
        if not rows:
            with transaction(conn):
                conn.execute("UPDATE documents SET error = NULL WHERE sha256 = ?", (sha,))
                counts[archive._add_report(sha, record, text, fetched).status] += 1
            continue
        new_hash = record_hash(record)
        for report_id, old_hash, is_latest, agency_id, agency, year in rows:
            if old_hash == new_hash:
                counts["unchanged"] += 1
                continue
            with transaction(conn):
                archive._rewrite(report_id, record, text, new_hash)
                if is_latest:
                    archive.store_findings(
                        agency_id,
                        agency_id or f"name:{agency or '?'}",
                        agency,
                        year,
                        report_id,
                        record["findings"],
                        now(),
                        scope=REPORT_RULES,
                    )
            counts["updated"] += 1
    return dict(counts)


def record_hash(record: dict[str, Any]) -> str:
    return _sha256(json.dumps(record, ensure_ascii=False, sort_keys=True))


def document_bytes(conn: sqlite3.Connection, sha256: str) -> bytes:
    encoding, data = conn.execute(
        "SELECT encoding, data FROM document_bytes WHERE sha256 = ?", (sha256,)
    ).fetchone()
    return zlib.decompress(data) if encoding == "zlib" else bytes(data)
