"""A real ingest process killed at random points leaves a consistent archive, and a second
run completes it to exactly what an uninterrupted run gives. Two writers wait for each other,
and writers that create one archive together all open it.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.corpus import make_layouts as layouts
from tests.support import start

pytestmark = pytest.mark.slow  # real processes

AGENCIES = [f"某县第{n}镇人民政府" for n in range(400)]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("reports")
    paths = []
    for n, agency in enumerate(AGENCIES):
        for year in (2021, 2022):
            path = folder / f"{n:03d}-{year}.txt"
            path.write_text(layouts.render(agency, year, "2021", "tabs"), encoding="utf-8")
            paths.append(path)
    # A revision of some reports, so that versions are part of what gets interrupted.
    for n in range(0, 400, 7):
        path = folder / f"{n:03d}-2022-revised.txt"
        text = layouts.render(AGENCIES[n], 2022, "2021", "tabs")
        path.write_text(text.replace("行政许可\t341", "行政许可\t340"), encoding="utf-8")
        paths.append(path)
    return paths


def ingest(db: Path, files: list[Path]) -> subprocess.Popen:
    return start("parse", "--db", str(db), *map(str, files), stdout=subprocess.DEVNULL)


def state(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {
            "documents": conn.execute("SELECT count(*) FROM documents").fetchone()[0],
            "reports": conn.execute(
                "SELECT agency, year, version, is_latest FROM reports ORDER BY agency, year, "
                "version"
            ).fetchall(),
            "cells": conn.execute("SELECT count(*) FROM cells").fetchone()[0],
            "findings": conn.execute(
                "SELECT agency, year, rule, status FROM findings ORDER BY 1, 2, 3"
            ).fetchall(),
        }
    finally:
        conn.close()


def check_consistent(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = {
            "document without bytes": "SELECT count(*) FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM document_bytes b WHERE b.sha256 = d.sha256)",
            "report without cells": "SELECT count(*) FROM reports r WHERE template != "
            "'legacy' AND NOT EXISTS (SELECT 1 FROM cells c WHERE c.report_id = r.id)",
            "report without text": "SELECT count(*) FROM reports r WHERE NOT EXISTS "
            "(SELECT 1 FROM report_prose t WHERE t.report_id = r.id)",
            "two latest versions": "SELECT count(*) FROM (SELECT 1 FROM reports "
            "WHERE is_latest = 1 GROUP BY agency, year HAVING count(*) > 1)",
        }
        for what, sql in orphans.items():
            assert conn.execute(sql).fetchone() == (0,), what
    finally:
        conn.close()


def test_killed_ingest_leaves_a_consistent_archive(tmp_path: Path, reports: list[Path]) -> None:
    clean = tmp_path / "clean.db"
    assert ingest(clean, reports).wait(timeout=300) == 0
    expected = state(clean)
    assert len(expected["reports"]) == 800 + 58

    rnd = random.Random(20261122)
    db = tmp_path / "killed.db"
    kills = 0
    for _ in range(4):
        proc = ingest(db, reports)
        time.sleep(rnd.uniform(0.45, 1.2))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        check_consistent(db)
    assert kills >= 3, "runs ended before they were killed: make the corpus larger"
    assert ingest(db, reports).wait(timeout=300) == 0
    check_consistent(db)
    assert state(db) == expected
    conn = sqlite3.connect(db)  # the text of every report reached the full-text index
    assert conn.execute("SELECT value FROM settings WHERE key = 'fts_indexed_upto'").fetchone()[
        0
    ] == str(conn.execute("SELECT max(id) FROM reports").fetchone()[0])
    assert conn.execute("INSERT INTO report_text (report_text) VALUES ('integrity-check')")
    conn.close()


def test_two_writers_wait_for_each_other(tmp_path: Path, reports: list[Path]) -> None:
    db = tmp_path / "shared.db"
    half = len(reports) // 2
    first, second = ingest(db, reports[:half]), ingest(db, reports[half:])
    assert first.wait(timeout=300) == 0, first.stderr.read().decode()
    assert second.wait(timeout=300) == 0, second.stderr.read().decode()
    check_consistent(db)
    assert state(db)["documents"] == len(reports)


def _open_new(path: str, errors: multiprocessing.Queue) -> None:
    from storage.db import connect
    from storage.errors import ArchiveError

    try:
        connect(path).close()
    except ArchiveError as exc:
        errors.put(str(exc))


def test_writers_creating_one_archive_at_once_all_open_it(tmp_path: Path) -> None:
    """Three processes open the same new file together, many times: none may take the
    archive another is creating for a foreign SQLite file (it once read the version and
    the tables at two moments, between which the other's first migration landed)."""
    errors: multiprocessing.Queue = multiprocessing.Queue()
    for n in range(200):
        path = str(tmp_path / f"new-{n}.db")
        procs = [multiprocessing.Process(target=_open_new, args=(path, errors)) for _ in range(3)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=60)
            assert proc.exitcode == 0
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert found == []


def test_a_writer_whose_copy_of_the_schema_is_old_migrates_what_others_left(
    tmp_path: Path,
) -> None:
    """The race behind a rare failure of the test above, made certain: one connection read
    the schema at version 1, another then migrated to 13; the first, migrating on, must see
    the column version 3 added before version 14 renames it."""
    from storage.db import register_functions
    from storage.schema import MIGRATIONS, _statements, migrate

    path = tmp_path / "a.db"
    first, other = (sqlite3.connect(path, isolation_level=None) for _ in range(2))
    for conn in (first, other):
        register_functions(conn)

    def upto(conn: sqlite3.Connection, last: int) -> None:
        for number in range(conn.execute("PRAGMA user_version").fetchone()[0] + 1, last + 1):
            conn.execute("BEGIN IMMEDIATE")
            for statement in _statements(MIGRATIONS[number - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")

    upto(first, 1)
    first.execute("SELECT count(*) FROM agencies").fetchone()  # its copy: version 1
    upto(other, 13)
    assert migrate(first) == len(MIGRATIONS)
    columns = [row[1] for row in first.execute("PRAGMA table_info(agencies)")]
    assert "family" in columns and "software" not in columns
