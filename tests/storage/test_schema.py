"""Migrations: a new archive gets the whole schema, an existing one only what it lacks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.db import ArchiveError, connect
from storage.schema import MIGRATIONS, migrate


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
    } <= names
    for view in ("latest_reports", "compliance", "cell_values"):
        conn.execute(f"SELECT * FROM {view}").fetchall()


def test_migrating_again_changes_nothing(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    before = list(conn.iterdump())
    assert migrate(conn) == len(MIGRATIONS)
    assert list(conn.iterdump()) == before


def test_an_archive_from_a_newer_nianbao_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    raw.close()
    with pytest.raises(ArchiveError, match="newer than this nianbao knows"):
        connect(path)
