"""Migrations: a new archive gets the whole schema, an existing one only what it lacks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.db import ArchiveError, connect
from storage.schema import MIGRATIONS, migrate
from tests.support import dump


def test_new_archive_has_every_table_and_view(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    assert conn.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
    assert {
        "agencies",
        "documents",
        "document_bytes",
        "reports",
        "cells",
        "cell_keys",
        "findings",
        "crawl_runs",
        "source_health",
        "report_texts",
        "report_text",
        "latest_reports",
        "compliance",
        "cell_values",
        "agency_years",
        "document_urls",
    } <= names
    assert conn.execute("PRAGMA page_size").fetchone() == (8192,)
    for view in ("latest_reports", "compliance", "cell_values"):
        conn.execute(f"SELECT * FROM {view}").fetchall()


def test_migrating_again_changes_nothing(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    before = dump(conn)
    assert migrate(conn) == len(MIGRATIONS)
    assert dump(conn) == before


def test_an_archive_from_a_newer_nianbao_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    raw.close()
    with pytest.raises(ArchiveError, match="newer than this nianbao knows"):
        connect(path)


RECOUNT = """
    SELECT agency_id, year, max(report_id), max(late), max(inconsistent) FROM (
        SELECT agency_id, year, id AS report_id, 0 AS late, 0 AS inconsistent FROM reports
        WHERE is_latest = 1 AND agency_id IS NOT NULL AND year IS NOT NULL
        UNION ALL
        SELECT agency_id, year, NULL, rule = 'report.late', severity = 'error' FROM findings
        WHERE status = 'open' AND agency_id IS NOT NULL AND year IS NOT NULL
    ) GROUP BY agency_id, year
"""


def _kept(conn: sqlite3.Connection) -> set[tuple]:
    """agency_years without the rows that say nothing (every trace of them gone)."""
    return {
        row
        for row in conn.execute(
            "SELECT agency_id, year, report_id, late, inconsistent FROM agency_years"
        )
        if row[2:] != (None, 0, 0)
    }


def _insert_report(conn: sqlite3.Connection, rid: int, agency: str, year: int) -> None:
    conn.execute(
        "UPDATE reports SET is_latest = 0 WHERE agency_id = ? AND year = ?", (agency, year)
    )
    conn.execute(
        """INSERT INTO reports (id, agency_id, year, version, is_latest, document_sha256,
               parser_version, text_hash, record_hash, template, sections, narrative, first_seen)
           VALUES (?, ?, ?, 1, 1, 'x', '1', 't', 'r', '2021', '{}', '{}', '2024-01-01')""",
        (rid, agency, year),
    )


def test_agency_years_follows_every_change_to_reports_and_findings(tmp_path: Path) -> None:
    """The table the matrix reads is kept by triggers: after any sequence of report
    versions and findings opened, resolved, re-graded or deleted it equals a recount."""
    import random

    conn = connect(tmp_path / "a.db")
    rnd = random.Random(7)
    agencies, years, rules = ("a", "b", "c"), (2021, 2022), ("report.late", "x.err", "x.warn")
    for agency in agencies:
        conn.execute(
            "INSERT INTO agencies (id, name, level, deadline, updated_at) "
            "VALUES (?, ?, 'county', '03-31', 'd')",
            (agency, agency),
        )
    conn.execute("INSERT INTO documents (sha256, size, fetched_at) VALUES ('x', 0, 'd')")
    for step in range(400):
        agency, year = rnd.choice(agencies), rnd.choice(years)
        fp = f"{agency}{year}{rnd.choice(rules)}"
        op = rnd.randrange(5)
        if op == 0:
            _insert_report(conn, step + 1, agency, year)
        elif op == 1:
            rule = fp[5:]
            conn.execute(
                """INSERT INTO findings (fingerprint, agency_id, year, rule, severity, message,
                       evidence, status, first_seen, last_seen)
                   VALUES (?, ?, ?, ?, ?, 'm', '{}', 'open', 'd', 'd')
                   ON CONFLICT (fingerprint) DO UPDATE SET status = 'open'""",
                (fp, agency, year, rule, "warning" if rule == "x.warn" else "error"),
            )
        elif op == 2:
            conn.execute("UPDATE findings SET status = 'resolved' WHERE fingerprint = ?", (fp,))
        elif op == 3:
            conn.execute(
                "UPDATE findings SET severity = CASE severity WHEN 'error' THEN 'warning' "
                "ELSE 'error' END WHERE fingerprint = ?",
                (fp,),
            )
        else:
            conn.execute("DELETE FROM findings WHERE fingerprint = ?", (fp,))
        assert _kept(conn) == {r for r in conn.execute(RECOUNT) if r[2:] != (None, 0, 0)}, step


def test_upgrading_an_archive_fills_agency_years(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    raw = sqlite3.connect(path, isolation_level=None)
    raw.executescript(MIGRATIONS[0])
    raw.execute("PRAGMA user_version = 1")
    _insert_report(raw, 1, "a", 2021)
    _insert_report(raw, 2, "a", 2021)
    raw.execute(
        """INSERT INTO findings (fingerprint, agency_id, year, rule, severity, message,
               evidence, status, first_seen, last_seen)
           VALUES ('f', 'b', 2022, 'report.late', 'warning', 'm', '{}', 'open', 'd', 'd')"""
    )
    raw.close()
    conn = connect(path)
    assert _kept(conn) == {("a", 2021, 2, 0, 0), ("b", 2022, None, 1, 0)}


def test_prose_packed_before_migration_20_reads_the_same_after_it(tmp_path: Path) -> None:
    """Prose packed on its own (all of it, before migration 20) reads as it did through
    the new view and is still found; prose packed after it, against its page, beside it."""
    from ingest import add_document
    from storage.archive import Archive
    from storage.query import search
    from tests.support import report

    path = tmp_path / "a.db"
    archive = Archive(connect(path))
    first = add_document(archive, report()).report_id
    archive.flush_search_index()
    conn = archive.conn
    (text,) = conn.execute("SELECT text FROM report_texts").fetchone()
    # As version 19 left it: the prose packed alone, the views of migration 11.
    conn.execute("UPDATE report_prose SET packed = nianbao_pack(?)", (text,))
    for statement in (
        "DROP INDEX reports_unfiled",  # migration 21's
        "DROP VIEW report_indexed_texts",
        "DROP VIEW report_texts",
        "CREATE VIEW report_texts AS "
        "SELECT report_id, nianbao_unpack(packed) AS text FROM report_prose",
        "CREATE VIEW report_indexed_texts AS "
        "SELECT report_id, nianbao_unpack(packed) || char(10) AS text FROM report_prose",
        "PRAGMA user_version = 19",
    ):
        conn.execute(statement)
    archive.close()

    archive = Archive(connect(path))
    assert archive.conn.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
    second = add_document(archive, report(edit=("行政许可\t341", "行政许可\t342"))).report_id
    archive.flush_search_index()
    packed = dict(archive.conn.execute("SELECT report_id, substr(packed, 1, 1) FROM report_prose"))
    assert packed == {first: b"\x01", second: b"\x02"}
    texts = dict(archive.conn.execute("SELECT report_id, text FROM report_texts"))
    assert texts[first] == text
    assert texts[second] == text.replace("行政许可341", "行政许可342")
    for term, found in (("许可341", first), ("许可342", second)):
        assert [h["report_id"] for h in search(archive.conn, term, all_versions=True)] == [found]


def test_open_findings_are_counted_by_rule_and_severity_from_an_index_alone(
    tmp_path: Path,
) -> None:
    """`serve`'s canned count of open findings reads no finding (500,000 of them: 0.9 s
    cold when each was read, 0.3 s from the index)."""
    from storage.query import EXAMPLES

    conn = connect(tmp_path / "a.db")
    sql = EXAMPLES["open_by_rule"][1]
    plan = " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    assert "COVERING INDEX findings_status_rule" in plan, plan
