"""Reading the archive: SQL, findings, the compliance matrix, full-text search."""

from __future__ import annotations

import gc
import json
import sqlite3
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from parsers.normalize import compact, normal_form
from storage.db import bound_reads, char_token, setting

# Worst first: what a table cell or an HTML matrix shows when a year has several statuses.
STATUS_ORDER = ("missing", "inconsistent", "late", "unverified", "pending", "ok")


def run_sql(conn: sqlite3.Connection, sql: str, params: tuple = ()) -> tuple[list[str], list]:
    cursor = conn.execute(sql, params)
    columns = [d[0] for d in cursor.description or ()]
    return columns, cursor.fetchall()


class QueryError(Exception):
    """A user's SQL was refused or failed; the message says why in one line."""


def _no_other_files(action: int, *_: Any) -> int:
    # VACUUM INTO attaches its target, so denying ATTACH keeps every statement to this file.
    return sqlite3.SQLITE_DENY if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH) else 0


def user_query(
    conn: sqlite3.Connection, sql: str, seconds: float | None = None
) -> tuple[list[str], list]:
    """A user's SQL on a read-only connection: (columns, rows), or QueryError. No
    statement may open or create another file (ATTACH, VACUUM INTO), and none runs longer
    than ``seconds`` (a recursive query that never ends is interrupted)."""
    bound_reads(conn)
    conn.set_authorizer(_no_other_files)
    if seconds is not None:
        deadline = time.monotonic() + seconds
        conn.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    try:
        return run_sql(conn, sql)
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc) and seconds is not None:
            raise QueryError(f"the query ran longer than {seconds:g} s (see --timeout)") from None
        if "readonly" in str(exc):
            raise QueryError(
                "the archive is opened read-only here; this statement would change it"
            ) from None
        raise QueryError(f"SQL error: {exc}") from None
    except sqlite3.DatabaseError as exc:
        if "not authorized" in str(exc) or "authorization denied" in str(exc):
            raise QueryError(
                "query reads the archive only: ATTACH and VACUUM INTO are refused"
            ) from None
        raise QueryError(f"SQL error: {exc}") from None
    finally:
        conn.set_authorizer(None)
        conn.set_progress_handler(None, 0)


# What `findings` gives of each finding, in order: the columns people read and export.
FINDING_COLUMNS = (
    "id",
    "agency_id",
    "year",
    "rule",
    "severity",
    "message",
    "evidence",
    "status",
    "review",
    "review_note",
    "reviewer",
    "first_seen",
    "last_seen",
)


def findings(
    conn: sqlite3.Connection,
    agency: str | None = None,
    year: int | None = None,
    rule: str | None = None,
    status: str = "open",
    review: str | None = None,
) -> list[dict[str, Any]]:
    """Findings with their number and a person's last review of them (``review``: open —
    not reviewed and open —, dismissed or confirmed)."""
    where, args = [], []
    if agency:
        # An id, the agency's name or alias, or the name a report gives itself: every
        # finding of that agency, the date-based ones included.
        where.append(
            "(agency_id = ? OR agency = ? OR agency_id IN (SELECT id FROM agencies "
            "WHERE name = ? OR EXISTS (SELECT 1 FROM json_each(aliases) WHERE value = ?)))"
        )
        args += [agency, agency, agency, agency]
    if year:
        where.append("year = ?")
        args.append(year)
    if rule:
        where.append("rule GLOB ?")
        args.append(rule if any(c in rule for c in "*?[") else rule + "*")
    if status != "all":
        where.append("status = ?")
        args.append(status)
    if review == "open":
        where.append("status = 'open' AND coalesce(r.review, 'reopen') IN ('reopen', 'lapse')")
    elif review == "dismissed":
        where.append("status = 'dismissed'")
    elif review == "confirmed":
        where.append("status = 'open' AND r.review = 'confirm'")
    sql = (
        "SELECT f.id, agency_id, agency, year, rule, severity, message, evidence, status, "
        "r.review, r.note AS review_note, r.reviewer, first_seen, last_seen, report_id "
        "FROM findings f LEFT JOIN finding_reviews r ON r.finding_id = f.id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY agency_id, year, rule, key"
    )
    columns, rows = run_sql(conn, sql, tuple(args))
    out = []
    for row in rows:
        item = dict(zip(columns, row, strict=True))
        item["evidence"] = json.loads(item["evidence"])
        if item["agency_id"] is None:
            item["agency_id"] = item["agency"]
        del item["agency"]
        out.append(item)
    return out


# A cell's statuses by the digit the matrix query gives them, one shared tuple each: a
# national matrix has a million cells and a handful of statuses. Every status of the view
# has one (STATUS_ORDER lists them all, as worst() needs); another would fail, loudly.
_CELLS: dict[int, tuple[str, ...]] = {i: (s,) for i, s in enumerate(STATUS_ORDER)}
_BOTH = len(STATUS_ORDER)  # a report late and inconsistent
_CELLS[_BOTH] = ("late", "inconsistent")
_CODE = "CASE status WHEN 'inconsistent' THEN iif(late, {}, {}) {} ELSE 9 END".format(
    _BOTH,
    STATUS_ORDER.index("inconsistent"),
    " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(STATUS_ORDER) if s != "inconsistent"),
)


def matrix(conn: sqlite3.Connection) -> dict[str, dict[int, tuple[str, ...]]]:
    """{agency_id: {year: (statuses)}}: a found report is ok, or late and/or inconsistent."""
    # One row per agency, its cells as numbers (year and status digit) in one text: most
    # agencies share their row with many others, so each distinct text is read once. Read
    # row by row, a national matrix spent most of its time making a Python row per cell.
    rows = conn.execute(
        f"SELECT agency_id, group_concat(year * 10 + {_CODE}) FROM compliance GROUP BY agency_id "
        "ORDER BY agency_id"
    )
    read: dict[str, dict[int, tuple[str, ...]]] = {}
    out = {}
    with _no_collection():
        for agency, cells in rows:
            if (row := read.get(cells)) is None:
                row = read[cells] = _row(cells)
            out[agency] = row.copy()
    return out


def _row(cells: str) -> dict[int, tuple[str, ...]]:
    """{year: statuses} in year order (group_concat's order is SQLite's to choose)."""
    return {n // 10: _CELLS[n % 10] for n in sorted(map(int, cells.split(",")))}


@contextmanager
def _no_collection() -> Iterator[None]:
    """Python's cycle collector paused while a large result is built: it would otherwise
    walk every container made so far, again and again (a national matrix took twice as
    long, and grew faster than the archive). What is built here holds no cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def worst(statuses: Sequence[str]) -> str:
    return min(statuses, key=STATUS_ORDER.index)


def _snippet(text: str, term: str, around: int = 12) -> str:
    at = text.find(term)
    start, end = max(at - around, 0), at + len(term) + around
    return (
        ("…" if start else "")
        + text[start:at]
        + f"[{term}]"
        + text[at + len(term) : end]
        + ("…" if end < len(text) else "")
    )


def _indexed_candidates(conn: sqlite3.Connection, term: str) -> tuple[str, str, str, tuple]:
    """How an index finds the reports that hold ``term``: a FROM clause with the text as
    ``t.text``, the report id's column, a WHERE condition and its arguments."""
    if len(term) >= 3:
        # The index serves LIKE, but not with an ESCAPE clause: wildcards are dropped instead.
        pattern = "%" + term.replace("%", "").replace("_", "") + "%"
        return "report_text t", "t.rowid", "t.text LIKE ?", (pattern,)
    if len(term) == 1:
        table, query = "report_chars", _phrase(char_token(term))
    else:
        # The tokenizer folds case as SQLite's tables say: both spellings are looked up.
        trigrams = {
            t
            for spelling in {term, term.lower()}
            for (t,) in conn.execute(
                "SELECT term FROM report_text_terms WHERE term > ? AND term <= ?",
                (spelling, spelling + "\U0010ffff"),
            )
        }
        if not trigrams:  # no indexed report holds it
            return "report_text t", "t.rowid", "0", ()
        table, query = "report_text", " OR ".join(_phrase(t) for t in sorted(trigrams))
    return (
        f"{table} x JOIN report_texts t ON t.report_id = x.rowid",
        "x.rowid",
        f"x.{table} MATCH ?",
        (query,),
    )


def _phrase(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def search(
    conn: sqlite3.Connection, text: str, limit: int = 50, all_versions: bool = False
) -> list[dict[str, Any]]:
    """Reports whose text holds ``text`` (either script): their latest versions, or every
    version with ``all_versions``. Indexes serve every length: the trigram index terms of
    three characters or more, its trigrams that begin with a term two-character terms,
    report_chars single characters; text the indexes have not caught up with yet (an
    ingest still running) is scanned."""
    latest = "" if all_versions else " AND r.is_latest"
    term = compact(normal_form(text))  # as the stored text is: simplified, NFKC
    if not term:
        return []
    upto = int(setting(conn, "fts_indexed_upto"))
    source, rowid, condition, arguments = _indexed_candidates(conn, term)
    found = list(
        islice(
            (
                (i, _snippet(body, term))
                for i, body in conn.execute(
                    f"SELECT {rowid}, t.text FROM {source} JOIN reports r ON r.id = {rowid} "
                    f"WHERE {condition} AND {rowid} <= ?{latest} ORDER BY {rowid}",
                    (*arguments, upto),
                )
                # Candidates confirmed in their text (the trigram index folds case), each
                # text read once.
                if term in body
            ),
            limit,
        )
    )
    found += [
        (i, _snippet(body, term))
        for i, body in conn.execute(
            "SELECT t.report_id, t.text FROM report_texts t JOIN reports r ON r.id = t.report_id "
            f"WHERE t.report_id > ? AND instr(t.text, ?) > 0{latest} ORDER BY t.report_id LIMIT ?",
            (upto, term, limit),
        )
    ]
    first: dict[int, str] = {}  # a report found by the index and by the scan counts once
    for report_id, snippet in found:
        first.setdefault(report_id, snippet)
    hits = []
    for report_id, snippet in list(first.items())[:limit]:
        agency_id, agency, year, version, is_latest, title, url = conn.execute(
            "SELECT r.agency_id, coalesce(a.name, r.agency), r.year, r.version, r.is_latest, "
            "r.title, coalesce(d.final_url, d.source_url) FROM reports r "
            "LEFT JOIN agencies a ON a.id = r.agency_id "
            "LEFT JOIN documents d ON d.sha256 = r.document_sha256 WHERE r.id = ?",
            (report_id,),
        ).fetchone()
        hits.append(
            {
                "report_id": report_id,
                "agency_id": agency_id,
                "agency": agency,
                "year": year,
                "version": version,
                "latest": bool(is_latest),
                "title": title,
                "url": url,
                "snippet": snippet.replace("\n", " "),
            }
        )
    return sorted(hits, key=lambda h: (h["agency"] or "", h["year"] or 0, h["version"]))


def sources_view(conn: sqlite3.Connection, agency: str | None = None) -> list[dict[str, Any]]:
    """The crawler's view of each source: the columns it read in the latest crawl that read
    them, the reports it found per year, the titles on its columns that went to nobody."""
    from storage.crawls import latest_list_reads

    reads = latest_list_reads(conn)
    health = {
        row[0]: row[1:]
        for row in conn.execute("SELECT agency_id, status, detail, checked_at FROM source_health")
    }
    out = []
    for agency_id, name, list_urls in conn.execute(
        "SELECT id, name, list_urls FROM agencies WHERE ? IS NULL OR id = ? ORDER BY id",
        (agency, agency),
    ):
        urls = json.loads(list_urls)
        reports = [
            dict(zip(("year", "title", "url", "listed_date", "published_at"), row, strict=True))
            for row in conn.execute(
                """SELECT r.year, r.title, d.source_url, r.listed_date, r.published_at
                   FROM reports r JOIN documents d ON d.sha256 = r.document_sha256
                   WHERE r.agency_id = ? AND r.is_latest = 1 ORDER BY r.year""",
                (agency_id,),
            )
        ]
        lists = [reads.get(u, {"list_url": u, "stop_reason": "not_read"}) for u in urls]
        out.append(
            {
                "agency_id": agency_id,
                "name": name,
                "health": dict(
                    zip(("status", "detail", "checked_at"), health[agency_id], strict=True)
                )
                if agency_id in health
                else None,
                "lists": lists,
                "reports": reports,
                "unassigned": [u for r in lists for u in r.get("detail", {}).get("unassigned", [])],
            }
        )
    return out


def check_agencies(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """What `nianbao check` needs of each agency: its deadline and level, and whether its
    years (or which of them) are unverified."""
    rows = conn.execute(
        """SELECT a.id, a.level, a.deadline, a.since,
               a.id IN (SELECT agency_id FROM unverified_agencies),
               (SELECT json_group_array(DISTINCT f.year) FROM findings f
                WHERE f.agency_id = a.id AND f.status = 'open' AND f.year IS NOT NULL
                AND f.rule IN (SELECT rule FROM verdict_rules WHERE scope = 'year')),
               coalesce(a.region, '')
           FROM agencies a ORDER BY a.id"""
    ).fetchall()
    keys = ("id", "level", "deadline", "since", "unverified")
    return [
        {
            **dict(zip(keys, row[:5], strict=True)),
            "unverified_years": json.loads(row[5]),
            "region": row[6],
        }
        for row in rows
    ]


def check_reports(conn: sqlite3.Connection, agency_id: str) -> list[dict[str, Any]]:
    """An agency's latest report of each year, with its prose and cells, for the checks."""
    keys = ("id", "year", "template", "published_at", "published_source", "first_seen", "text")
    reports = [
        dict(zip(keys, row, strict=True))
        for row in conn.execute(
            """SELECT r.id, r.year, r.template, r.published_at, r.published_source,
                   r.first_seen, coalesce(t.text, '')
               FROM reports r LEFT JOIN report_texts t ON t.report_id = r.id
               WHERE r.agency_id = ? AND r.is_latest = 1 AND r.year IS NOT NULL
               ORDER BY r.year""",
            (agency_id,),
        )
    ]
    for report in reports:
        report["cells"] = dict(
            conn.execute("SELECT key, value FROM cell_values WHERE report_id = ?", (report["id"],))
        )
    return reports


def open_by_rule(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    return conn.execute(
        "SELECT rule, count(*) FROM findings WHERE status = 'open' GROUP BY rule ORDER BY rule"
    ).fetchall()


def report_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM reports").fetchone()[0]


def agency_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM agencies").fetchone()[0]


def _id_list(agency_ids: Collection[str]) -> str:
    """Agency ids as one parameter, a JSON array read by json_each: however many (SQLite
    caps a statement's parameters)."""
    return json.dumps(list(agency_ids))


def _among(column: str, agency_ids: Collection[str] | None) -> tuple[str, tuple[str, ...]]:
    """A condition keeping rows of ``agency_ids`` (all rows for None), and its parameter."""
    if agency_ids is None:
        return "1", ()
    return f"{column} IN (SELECT value FROM json_each(?))", (_id_list(agency_ids),)


def agencies(
    conn: sqlite3.Connection, agency_ids: Collection[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Every agency by id (or those of ``agency_ids``): name, level, region, deadline,
    since, list URLs."""
    where, params = _among("id", agency_ids)
    return {
        row[0]: {
            "name": row[1],
            "level": row[2],
            "region": row[3] or "",
            "deadline": row[4],
            "since": row[5],
            "list_urls": json.loads(row[6] or "[]"),
        }
        for row in conn.execute(
            "SELECT id, name, level, region, deadline, since, list_urls FROM agencies "
            f"WHERE {where} ORDER BY id",
            params,
        )
    }


def judged_as_of(conn: sqlite3.Connection) -> str:
    """The date the compliance view judges by: the last check's, else today."""
    row = conn.execute(
        "SELECT coalesce(nullif(value, ''), date('now')) FROM settings WHERE key = 'as_of'"
    ).fetchone()
    return row[0]


def judged_years(conn: sqlite3.Connection) -> list[int]:
    """The years the compliance view judges any agency for."""
    return [row[0] for row in conn.execute("SELECT DISTINCT year FROM compliance ORDER BY 1")]


def compliance(
    conn: sqlite3.Connection, agency_ids: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """Every agency and year the compliance view judges (of ``agency_ids``, or all), with
    its report if any."""
    where, params = _among("agency_id", agency_ids)
    keys = ("agency_id", "year", "report_id", "deadline", "late", "inconsistent", "status")
    return [
        dict(zip(keys, row, strict=True))
        for row in conn.execute(
            "SELECT agency_id, year, report_id, deadline, late, inconsistent, status "
            f"FROM compliance WHERE {where} ORDER BY agency_id, year",
            params,
        )
    ]


def open_findings(
    conn: sqlite3.Connection, agency_ids: Collection[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Every open finding, and every one a person dismissed (with the review's note and
    reviewer), of ``agency_ids`` or all; evidence decoded, worst first within an agency
    and year, dismissed ones last; one at a time (a national archive holds half a million,
    and their evidence)."""
    # Some agencies' findings are found agency by agency, through the index, never by
    # status (+status: no index), which is every open finding, half a million at national
    # scale, for each region.
    source, params = (
        ("findings f", ())
        if agency_ids is None
        else (
            "json_each(?) AS chosen CROSS JOIN findings f ON f.agency_id = chosen.value",
            (_id_list(agency_ids),),
        )
    )
    keys = (
        "id",
        "agency_id",
        "year",
        "rule",
        "severity",
        "message",
        "evidence",
        "report_id",
        "status",
        "review_note",
        "reviewer",
    )
    for row in conn.execute(
        # A dismissed finding's review, looked up for it alone: joined, the view of every
        # finding's last review is built whole (half a million findings) for each call.
        "SELECT f.id, agency_id, year, rule, severity, message, evidence, report_id, status, "
        "CASE WHEN status = 'dismissed' THEN (SELECT note FROM finding_reviews "
        "WHERE finding_id = f.id) END, CASE WHEN status = 'dismissed' THEN (SELECT reviewer "
        f"FROM finding_reviews WHERE finding_id = f.id) END FROM {source} "
        f"WHERE {'status' if agency_ids is None else '+status'} IN ('open', 'dismissed') "
        "ORDER BY agency_id, year, status = 'dismissed', "
        "CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, rule",
        params,
    ):
        item = dict(zip(keys, row, strict=True))
        item["evidence"] = json.loads(item["evidence"] or "{}")
        yield item


def report_documents(
    conn: sqlite3.Connection, agency_ids: Collection[str] | None = None
) -> dict[int, dict[str, Any]]:
    """The latest report versions (of ``agency_ids``, or all) by id: title, dates, and the
    document they were read from (its hash, format and the address it was fetched
    from)."""
    where, params = _among("r.agency_id", agency_ids)
    keys = ("id", "title", "published_at", "sha256", "format", "url")
    return {
        row[0]: dict(zip(keys, row, strict=True))
        for row in conn.execute(
            "SELECT r.id, r.title, r.published_at, r.document_sha256, d.format, "
            "coalesce(d.final_url, d.source_url) FROM latest_reports r "
            f"JOIN documents d ON d.sha256 = r.document_sha256 WHERE {where}",
            params,
        )
    }


def latest_cells(conn: sqlite3.Connection) -> Iterator[tuple[str, int, str, float | None]]:
    """(agency id, year, cell key, value) of every cell of every latest report version,
    by agency, year and the template's order of keys."""
    yield from conn.execute(
        "SELECT r.agency_id, r.year, k.key, c.value FROM latest_reports r "
        "JOIN cells c ON c.report_id = r.id JOIN cell_keys k ON k.id = c.key_id "
        "WHERE r.agency_id IS NOT NULL ORDER BY r.agency_id, r.year, k.id"
    )


def report_cells(
    conn: sqlite3.Connection, keys: Sequence[str], agency_ids: Collection[str] | None = None
) -> dict[int, list[Any]]:
    """The cells ``keys`` of every latest report version (of ``agency_ids``, or all), by
    report id: a list in the order of ``keys``, None where a cell is blank, False where the
    report has no such cell (its template lacks the row). A list, not a dict by key:
    140,000 reports' dicts took 460 MB."""
    where = {key: i for i, key in enumerate(keys)}
    among, params = _among("r.agency_id", agency_ids)
    marks = ",".join("?" * len(keys))
    out: dict[int, list[Any]] = {}
    absent = [False] * len(keys)
    for report_id, key, value in conn.execute(
        f"SELECT c.report_id, k.key, c.value FROM reports r CROSS JOIN cell_keys k "
        f"CROSS JOIN cells c ON c.report_id = r.id AND c.key_id = k.id "
        f"WHERE r.is_latest = 1 AND {among} AND k.key IN ({marks})",
        (*params, *keys),
    ):
        row = out.get(report_id)
        if row is None:
            row = out[report_id] = absent.copy()
        row[where[key]] = value
    return out


def health(
    conn: sqlite3.Connection, agency_ids: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """Each agency's (of ``agency_ids``, or all) source health from its last crawl."""
    where, params = _among("agency_id", agency_ids)
    keys = ("agency_id", "status", "detail", "reports_found", "checked_at")
    return [
        dict(zip(keys, row, strict=True))
        for row in conn.execute(
            "SELECT agency_id, status, detail, reports_found, checked_at FROM source_health "
            f"WHERE {where} ORDER BY agency_id",
            params,
        )
    ]


# The outcome groups a chart shows, as cell-key prefixes of the applications table.
OUTCOME_GROUPS = (
    ("granted", ("applications.granted.total",)),
    ("partially_granted", ("applications.partially_granted.total",)),
    ("denied", ("applications.denied.",)),
    ("unavailable", ("applications.unavailable.",)),
    ("not_processed", ("applications.not_processed.",)),
    ("other", ("applications.other.",)),
)


def outcome_series(
    conn: sqlite3.Connection, agency_ids: Collection[str] | None = None
) -> dict[str, dict[int, dict[str, float]]]:
    """Per agency (of ``agency_ids``, or all) and year of its latest reports: requests
    received and their outcomes (each outcome group's 总计 column), for charts."""
    # The cells wanted, by key id: each report's are then found through the primary key
    # (report, key), a score of seeks, not all its 200 cells read and their keys matched
    # (16 s at 140,000 reports).
    groups: dict[int, list[str]] = {}
    for key_id, key in conn.execute(
        "SELECT id, key FROM cell_keys WHERE key LIKE 'applications.%.total'"
    ):
        if key == "applications.new_received.total":
            groups[key_id] = ["received"]
            continue
        shown = [
            group
            for group, prefixes in OUTCOME_GROUPS
            if any(key == p or (p.endswith(".") and key.startswith(p)) for p in prefixes)
        ]
        if shown:  # carried over, carried forward, the grand total: in no chart
            groups[key_id] = shown
    out: dict[str, dict[int, dict[str, float]]] = {}
    if not groups:
        return out
    among, params = _among("r.agency_id", agency_ids)
    for agency_id, year, key_id, value in conn.execute(
        "SELECT r.agency_id, r.year, c.key_id, c.value FROM reports r "
        "JOIN cells c ON c.report_id = r.id "
        f"AND c.key_id IN ({','.join('?' * len(groups))}) "
        f"WHERE r.is_latest = 1 AND r.agency_id IS NOT NULL AND c.value IS NOT NULL AND {among}",
        [*groups, *params],
    ):
        year_data = out.setdefault(agency_id, {}).setdefault(year, {})
        for group in groups[key_id]:
            if group == "received":
                year_data["received"] = value
            else:
                year_data[group] = year_data.get(group, 0) + value
    return out


# Questions people ask of an archive, as SQL: the demo prints them, `nianbao serve` offers
# them as canned queries, the README shows them. Named parameters (:key) are asked for.
EXAMPLES: dict[str, tuple[str, str]] = {
    "not_ok": (
        "Every agency and year that is not ok",
        "SELECT a.name, a.region, c.year, c.status FROM compliance c "
        "JOIN agencies a ON a.id = c.agency_id WHERE c.status != 'ok' "
        "ORDER BY a.region, a.name, c.year",
    ),
    "received": (
        "Requests received, per agency and year",
        "SELECT agency_name, region, year, value AS received FROM latest_reports "
        "JOIN cell_values ON report_id = latest_reports.id "
        "WHERE key = 'applications.new_received.total' ORDER BY agency_name, year",
    ),
    "open_by_rule": (
        "Open findings by rule and severity",
        "SELECT rule, severity, count(*) AS findings FROM findings WHERE status = 'open' "
        "GROUP BY rule, severity ORDER BY findings DESC, rule",
    ),
    "status_by_region": (
        "Missing, late and inconsistent reports by region and year",
        "SELECT a.region, c.year, sum(c.status = 'missing') AS missing, sum(c.late) AS late, "
        "sum(c.report_id IS NOT NULL AND c.inconsistent) AS inconsistent, "
        "sum(c.status = 'unverified') AS unverified, "
        "count(*) AS agencies FROM compliance c JOIN agencies a ON a.id = c.agency_id "
        "GROUP BY a.region, c.year ORDER BY a.region, c.year",
    ),
    "one_cell": (
        "One cell across agencies (e.g. applications.granted.total)",
        "SELECT agency_name, region, year, value FROM latest_reports "
        "JOIN cell_values ON report_id = latest_reports.id WHERE key = :key "
        "ORDER BY agency_name, year",
    ),
    "agency_findings": (
        "Every finding of one agency (id or name)",
        "SELECT f.year, f.rule, f.severity, f.status, f.message, f.first_seen, f.resolved_at "
        "FROM findings f LEFT JOIN agencies a ON a.id = f.agency_id "
        "WHERE f.agency_id = :agency OR a.name = :agency OR f.agency = :agency "
        "ORDER BY f.year, f.rule",
    ),
}


def find_document(conn: sqlite3.Connection, ref: str) -> dict[str, Any] | None:
    """An archived document by its SHA-256 (or a unique prefix of 8+ characters) or by
    the id of a report read from it: hash, format and the address it came from."""
    keys = ("sha256", "format", "url")
    select = "SELECT d.sha256, d.format, coalesce(d.final_url, d.source_url) FROM documents d"
    if ref.isdigit() and len(ref) < 8:
        row = conn.execute(
            f"{select} JOIN reports r ON r.document_sha256 = d.sha256 WHERE r.id = ?",
            (int(ref),),
        ).fetchone()
        return dict(zip(keys, row, strict=True)) if row else None
    prefix = ref.lower()
    if len(prefix) < 8 or any(c not in "0123456789abcdef" for c in prefix):
        return None
    rows = conn.execute(
        f"{select} WHERE d.sha256 >= ? AND d.sha256 < ? LIMIT 2", (prefix, prefix + "g")
    ).fetchall()
    return dict(zip(keys, rows[0], strict=True)) if len(rows) == 1 else None
