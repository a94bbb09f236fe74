"""Opening the archive: WAL so a crawl can write while others read, a busy timeout so two
writers wait for each other, explicit transactions, and a read-only mode for queries."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from storage.schema import migrate

BUSY_TIMEOUT_MS = 60_000


class ArchiveError(Exception):
    """The archive cannot be opened or used as asked; the message says why, in one line."""


def connect(path: str | Path, readonly: bool = False) -> sqlite3.Connection:
    path = Path(path)
    try:
        if readonly:
            if not path.exists():
                raise ArchiveError(f"no archive at {path}")
            conn = sqlite3.connect(
                f"file:{quote(str(path.resolve()))}?mode=ro",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
            )
        else:
            if path.parent and not path.parent.exists():
                raise ArchiveError(f"no such directory: {path.parent}")
            conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            migrate(conn)
        elif conn.execute("PRAGMA user_version").fetchone()[0] == 0:
            raise ArchiveError(f"{path} is not a nianbao archive")
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path}: {exc}") from None
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All or nothing: a process killed inside leaves the archive as it was before."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
