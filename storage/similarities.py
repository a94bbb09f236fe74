"""What the copied-prose check found before, by the two texts it compared: a check run
again on reports whose prose did not change reads its scores instead of recomputing them
(the comparison is most of a check's work)."""

from __future__ import annotations

import sqlite3


def known_similarities(conn: sqlite3.Connection) -> dict[tuple[bytes, bytes], float]:
    """{(earlier text's key, later text's key): score} for every pair compared before."""
    return {(a, b): score for a, b, score in conn.execute("SELECT a, b, score FROM similarities")}


def remember_similarities(conn: sqlite3.Connection, rows: list[tuple[bytes, bytes, float]]) -> None:
    """Keep newly computed scores (inside the caller's transaction)."""
    conn.executemany("INSERT OR REPLACE INTO similarities (a, b, score) VALUES (?, ?, ?)", rows)
