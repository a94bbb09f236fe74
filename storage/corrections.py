"""A person's corrections of misread cells: kept by document and cell key with the value
the parser read, who and why. The latest correction of a cell is the one that applies."""

from __future__ import annotations

import sqlite3
from typing import Any


def add(
    conn: sqlite3.Connection,
    sha256: str,
    key: str,
    parsed_value: float | None,
    value: float | None,
    note: str,
    reviewer: str | None,
    at: str,
) -> int:
    """Keep one correction; returns its number. Call inside a transaction."""
    cursor = conn.execute(
        "INSERT INTO corrections (document_sha256, key, parsed_value, value, note, reviewer, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (sha256, key, parsed_value, value, note, reviewer, at),
    )
    return int(cursor.lastrowid or 0)


def of_document(conn: sqlite3.Connection, sha256: str) -> dict[str, dict[str, Any]]:
    """The correction that applies to each corrected cell of a document, by key."""
    out: dict[str, dict[str, Any]] = {}
    for id_, key, parsed, value, note, reviewer, at, agrees in conn.execute(
        "SELECT id, key, parsed_value, value, note, reviewer, at, parser_agrees "
        "FROM corrections WHERE document_sha256 = ? ORDER BY id",
        (sha256,),
    ):
        out[key] = {
            "id": id_,
            "parsed_value": parsed,
            "value": value,
            "note": note,
            "reviewer": reviewer,
            "at": at,
            "parser_agrees": agrees,
        }
    return out


def parser_agrees(conn: sqlite3.Connection, correction_id: int, parser_version: str) -> None:
    """The parser now reads the corrected cell as the person said."""
    conn.execute(
        "UPDATE corrections SET parser_agrees = ? WHERE id = ? AND parser_agrees IS NULL",
        (parser_version, correction_id),
    )
