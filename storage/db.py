"""Opening the archive: WAL so a crawl can write while others read, a busy timeout so two
writers wait for each other, explicit transactions, and a read-only mode for queries."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from urllib.parse import quote

from storage.errors import ArchiveError
from storage.packing import pack_text, unpack_prose_of, unpack_text
from storage.schema import migrate

__all__ = [
    "ArchiveError",
    "backup",
    "char_token",
    "checkpoint",
    "connect",
    "crawl_running",
    "database_file",
    "distinct_chars",
    "exclusive",
    "pack_text",
    "register_functions",
    "set_setting",
    "setting",
    "transaction",
    "unpack_text",
]

BUSY_TIMEOUT_MS = 60_000


# Writers check a file this small for damage before they write (PRAGMA quick_check reads
# all of it); larger archives are checked by `nianbao reparse`, which always does.
QUICK_CHECK_MAX_BYTES = 1024**3


def connect(
    path: str | Path, readonly: bool = False, verify: bool | None = None
) -> sqlite3.Connection:
    """Open the archive. A writer refuses a SQLite file that is not a nianbao archive and,
    when ``verify`` (default: for files up to QUICK_CHECK_MAX_BYTES), a damaged one."""
    path = Path(path)
    if readonly and not path.exists():
        raise ArchiveError(f"no archive at {path}")
    if not readonly and path.exists():
        _refuse_foreign_or_damaged(path, verify)
    if not readonly and path.parent and not path.parent.exists():
        raise ArchiveError(f"no such directory: {path.parent}")
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.02
    while True:
        try:
            return _open(path, readonly)
        except sqlite3.OperationalError as exc:
            # Setting up a new file (journal mode, schema) can answer "locked" at once, without
            # waiting, while another process does the same: wait and try again.
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise ArchiveError(f"{path}: {exc}") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"{path}: {exc}") from None


def _refuse_foreign_or_damaged(path: Path, verify: bool | None) -> None:
    if verify is None:
        verify = path.stat().st_size <= QUICK_CHECK_MAX_BYTES
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ArchiveError(f"{path}: {exc}") from None
    try:
        # One statement, one snapshot: read apart, the two can straddle another writer's
        # first migration (no version yet, then its tables) and refuse a new archive.
        version, tables = conn.execute(
            "SELECT (SELECT user_version FROM pragma_user_version), count(*) FROM sqlite_master"
        ).fetchone()
        if version == 0 and tables:
            raise ArchiveError(f"{path} is a SQLite file but not a nianbao archive: not touched")
        if verify:
            problems = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                detail = " ".join("; ".join(problems).split())[:200]
                raise ArchiveError(
                    f"{path} is damaged ({detail}); nothing was written: restore it from a backup"
                )
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(
            f"{path} is damaged or not an archive ({exc}); nothing was written"
        ) from None
    finally:
        conn.close()


# 8 KB pages: a question over a cold archive reads half as many pages as with 4 KB
# (one cell across 20,000 agencies: 0.7 s instead of 1.9 s) for the same size per report;
# 16 KB pages leave half of each page empty beside the 8 KB report texts.
PAGE_BYTES = 8192


def _open(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(
            f"file:{quote(str(path.resolve()))}?mode=ro",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )
    else:
        conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not readonly:
            conn.execute(f"PRAGMA page_size = {PAGE_BYTES}")  # a new archive only
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -262144")  # 256 MB: index pages stay in memory
        conn.execute("PRAGMA foreign_keys = ON")
        register_functions(conn)
        if not readonly:
            migrate(conn)
        elif conn.execute("PRAGMA user_version").fetchone()[0] == 0:
            raise ArchiveError(f"{path} is not a nianbao archive")
    except BaseException:
        conn.close()
        raise
    return conn


def database_file(conn: sqlite3.Connection) -> str:
    """The file ``conn`` reads, or "" for an archive in memory (no other process can open
    it)."""
    return next((row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"), "")


def distinct_chars(text: str | None) -> str:
    """The tokens of report_chars: a text's characters, each once, as hexadecimal code
    points (a tokenizer keeps those whole, punctuation included, and folds none of them)."""
    return " ".join(sorted({char_token(c) for c in set(text or "") if not c.isspace()}))


def char_token(char: str) -> str:
    return f"{ord(char):x}"


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the archive's views need: report_texts reads the packed prose
    through nianbao_unpack (and so does the full-text index, whose content it is); prose
    packed against its document takes the document too (packed, encoding, data)."""
    conn.create_function("nianbao_unpack", 1, unpack_text, deterministic=True)
    conn.create_function("nianbao_unpack", 3, unpack_prose_of, deterministic=True)
    conn.create_function("nianbao_pack", 1, pack_text, deterministic=True)
    conn.create_function("nianbao_chars", 1, distinct_chars, deterministic=True)


# What one value read by a query of a person's own may be (a report's prose is well under
# 1 MB): larger strings and blobs, and larger texts unpacked, are an error, not a stall.
READ_LIMIT = 16 * 1024 * 1024


def bound_reads(conn: sqlite3.Connection) -> None:
    """register_functions for a connection that runs any SQL a person gives (`serve`,
    `query`): no string or blob longer than READ_LIMIT is built and none is unpacked past
    it; nothing is packed (the connection only reads)."""
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, READ_LIMIT)
    conn.create_function("nianbao_unpack", 1, _unpack_bounded, deterministic=True)
    conn.create_function("nianbao_unpack", 3, _unpack_of_bounded, deterministic=True)
    conn.create_function("nianbao_chars", 1, distinct_chars, deterministic=True)
    conn.create_function("nianbao_pack", 1, None)


def _unpack_bounded(packed: bytes | None) -> str | None:
    return unpack_text(packed, READ_LIMIT)


def _unpack_of_bounded(
    packed: bytes | None, encoding: str | None, stored: bytes | None
) -> str | None:
    return unpack_prose_of(packed, encoding, stored, READ_LIMIT)


def setting(conn: sqlite3.Connection, key: str) -> str:
    """A value of the settings table (grace_days, fts_indexed_upto)."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    if row is None:
        raise ArchiveError(f"setting {key} missing from the archive")
    return row[0]


def set_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    """Set a setting; the same value again writes nothing."""
    if setting(conn, key) == value:
        return
    with transaction(conn):
        conn.execute("UPDATE settings SET value = ? WHERE key = ?", (value, key))


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


def exclusive(db_path: str | Path, what: str, busy: str) -> IO[str]:
    """One ``what`` (a crawl, an alerts run) per archive at a time: an exclusive lock on
    DB.what.lock that the system releases when the process ends, however it ends. Keep
    the returned handle open as long as the work runs; ArchiveError(busy) if it is taken."""
    handle = open(f"{db_path}.{what}.lock", "a")  # noqa: SIM115 - held by the caller
    for attempt in range(10):
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            # A look at the lock (crawl_running) holds it for an instant: ask again.
            if attempt < 9:
                time.sleep(0.1)
    handle.close()
    raise ArchiveError(f"{db_path}: {busy}; wait for it to finish")


def checkpoint(conn: sqlite3.Connection) -> None:
    """Move what the write-ahead log holds into the main file, so a copy of the file alone
    is the whole archive (while another process writes, its own close does this)."""
    # PASSIVE: copies what it can without waiting or resetting the log, so another
    # process's transaction never finds its snapshot gone (TRUNCATE made a second writer
    # fail with "database is locked").
    with contextlib.suppress(sqlite3.Error):  # read-only, or another writer busy
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


def backup(db_path: str | Path, out: str | Path) -> int:
    """A consistent copy of the archive at ``out`` while crawls run (SQLite's online
    backup, in one step: one snapshot, never restarted by a writer), written beside
    ``out`` and renamed into place, so a failed copy leaves nothing half-written.
    Returns its size in bytes."""
    out = Path(out)
    if not out.parent.exists():
        raise ArchiveError(f"no such directory: {out.parent}")
    source = connect(db_path, readonly=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")  # the copy is one file
            problems = [r[0] for r in target.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise ArchiveError(f"the copy failed its check: {'; '.join(problems)[:200]}")
        finally:
            target.close()
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    return out.stat().st_size


def crawl_running(db_path: str | Path) -> bool:
    """Whether a crawl holds the archive's crawl lock (``exclusive``) right now."""
    path = Path(f"{db_path}.crawl.lock")
    if not path.exists():
        return False
    with open(path, "a") as handle:
        try:
            # A shared lock, taken and given back at once: it is refused while a crawl
            # holds the exclusive one, and never keeps a crawl from starting for long.
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False
