"""Documents into the archive: bytes → record (the parser, bounded) → archive (storage).

The one place where parsing and storing meet: storage stores what it is given and never
runs the parser; the parser never touches the archive. ``prepare`` is pure work (parse,
hash, pack), so it can run in worker processes while one process writes.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from parsers import DocumentError, Limits
from parsers.dates import now
from parsers.sniff import sniff
from parsers.version import identity, sha256
from storage.archive import Archive, Fetched, Ingested, Prepared, pack

Reader = Callable[..., tuple[dict[str, Any], str]]
MB = 1024 * 1024


def read_input(name: str, max_bytes: int) -> bytes:
    """The bytes of a file (or standard input for ``-``), or DocumentError with a one-line
    reason; a file larger than ``max_bytes`` is refused from its size, before it is read."""
    if name == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        path = Path(name)
        try:
            size = path.stat().st_size
            if path.is_dir():
                raise DocumentError("is a directory")
            if size > max_bytes:
                raise DocumentError(
                    f"document too large: {size / MB:.1f} MB "
                    f"(limit {max_bytes / MB:.0f} MB, see --max-mb)"
                )
            data = path.read_bytes()
        except FileNotFoundError:
            raise DocumentError("no such file") from None
        except PermissionError:
            raise DocumentError("permission denied") from None
        except OSError as exc:
            raise DocumentError(exc.strerror or str(exc)) from None
    if len(data) > max_bytes:
        raise DocumentError(f"document too large (limit {max_bytes / MB:.0f} MB)")
    return data


def parse_file(
    name: str, limits: Limits, archive: Archive | None = None, agency_id: str | None = None
) -> tuple[dict[str, Any], str | None]:
    """(record, what the archive did with it) for a file given by hand; DocumentError with
    one line when it cannot be read. A failing archive raises its own error: the files
    after it would be lost too."""
    from parsers.guard import parse_guarded

    data = read_input(name, limits.max_bytes)
    try:
        if archive is None:
            return parse_guarded(data, limits=limits), None
        source = None if name == "-" else Path(name).resolve().as_uri()
        prepared = prepare(data, Fetched(source_url=source, agency_id=agency_id), limits=limits)
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(f"parser failed: {type(exc).__name__}: {exc}") from None
    archived = archive.write(prepared).status
    if prepared.record is None:
        raise DocumentError(prepared.error or "unreadable")
    return prepared.record, archived


def prepare(
    data: bytes,
    fetched: Fetched | None = None,
    read: Reader | None = None,
    limits: Limits | None = None,
) -> Prepared:
    """Parse and pack a document; a document that cannot be read keeps its error."""
    fetched = fetched or Fetched()
    if read is None:
        from parsers.guard import read_guarded as read
    sha, fmt = sha256(data), sniff(data)
    try:
        record, text = read(data, fetched.content_type, limits or Limits())
    except DocumentError as exc:
        return pack(sha, data, fetched, fmt, None, None, str(exc))
    except Exception as exc:  # a parser bug met by one document costs that document only
        error = f"parser failed: {type(exc).__name__}: {exc}"[:500]
        return pack(sha, data, fetched, fmt, None, None, error)
    return pack(sha, data, fetched, fmt, record, identity(record, text))


def add_document(
    archive: Archive,
    data: bytes,
    fetched: Fetched | None = None,
    read: Reader | None = None,
    limits: Limits | None = None,
) -> Ingested:
    """Archive a document and the report it holds. The same bytes again add nothing."""
    sha = sha256(data)
    if archive.has_document(sha):
        return Ingested(sha, "known")
    return archive.write(prepare(data, fetched, read, limits))


def reparse(
    archive: Archive,
    read: Reader | None = None,
    limits: Limits | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Run the current parser over every archived document, no network. A report whose
    record comes out the same is left untouched, so running it twice changes nothing."""
    if read is None:
        from parsers.guard import read_guarded as read
    counts: Counter[str] = Counter()
    documents = archive.documents()
    for n, (sha, fetched, old_error) in enumerate(documents, 1):
        if progress:
            progress(n, len(documents))
        data = archive.document_bytes(sha)
        prepared = prepare(data, fetched, read, limits)
        if prepared.record is None:
            if prepared.error != old_error:
                archive.set_error(sha, prepared.error)
                counts["error"] += 1
            continue
        counts.update(archive.reparsed(prepared, now()))
    archive.flush_search_index()
    return dict(counts)
