"""Documents into the archive: bytes → record (the parser, bounded) → archive (storage).

The one place where parsing and storing meet: storage stores what it is given and never
runs the parser; the parser never touches the archive. ``prepare`` is pure work (parse,
hash, pack), so it can run in worker processes while one process writes. ``file_report``
is the one decision of whose report, for which year, a document is — for the crawl,
``nianbao parse --db`` and ``reparse`` alike.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from parsers import DocumentError, Limits
from parsers.dates import now
from parsers.sniff import sniff
from parsers.version import identity, sha256
from report.agencies import AgencyIndex, normal_name
from storage.archive import Archive, Fetched, Ingested, Prepared, pack

Reader = Callable[..., tuple[dict[str, Any], str]]
MB = 1024 * 1024


@dataclass(frozen=True)
class Listing:
    """Where a document was said to be an agency's report: a column's link to it (with the
    year its title names), or an agency given by hand."""

    agency_id: str
    agency: str
    year: int | None = None
    title: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Filing:
    """Whose report, for which year, a document is filed as (agency_id None: an agency the
    sources file lacks, kept under the name the report gives), and the conflict with its
    listing when the document says otherwise."""

    agency_id: str | None
    year: int | None
    conflict: dict[str, Any] | None = None


def file_report(
    record: dict[str, Any],
    names: AgencyIndex,
    listing: Listing | None = None,
    sha: str | None = None,
) -> Filing:
    """The document has the last word on whose report it is and which year: the report is
    filed under the agency and year its own text states (held unassigned when that agency
    is not in the sources file); without a listing, under the agency its names match.
    A disagreement with the listing is a finding on the listing's agency and year."""
    stated, year = record.get("agency"), record.get("year")
    if listing is None:
        return Filing(names.match(stated), year)
    agency_id = listing.agency_id
    if stated and not _same_agency(names, stated, listing.agency_id):
        found = names.attribute(stated, [], None)
        agency_id = found.agency_id if found.reason == "named" else None
    if year is None:
        year = listing.year
    if agency_id == listing.agency_id and (year == listing.year or listing.year is None):
        return Filing(agency_id, year)
    conflict = {
        "rule": "report.attribution_conflict",
        "severity": "warning",
        "message": f"listed as {listing.agency}'s {listing.year} report, but the document "
        f"is {stated or listing.agency}'s {year} report",
        "evidence": {
            "key": listing.url,
            "listing": {
                "agency_id": listing.agency_id,
                "year": listing.year,
                "title": listing.title,
                "url": listing.url,
            },
            "document": {
                "agency": stated,
                "agency_id": agency_id,
                "year": record.get("year"),
                "title": record.get("title"),
                "sha256": sha,
            },
            "filed_under": {"agency_id": agency_id, "agency": stated, "year": year},
        },
    }
    return Filing(agency_id, year, conflict)


def _same_agency(names: AgencyIndex, stated: str, agency_id: str) -> bool:
    """Whether the agency a document names is the listing's: by the sources file's names,
    or, for a name the file does not know, when one name holds the other (平潭综合实验区 ⊂
    平潭综合实验区党工委管委会: an alias left out, not another agency)."""
    found = names.attribute(stated, [agency_id], None)
    if found.reason == "named":
        return found.agency_id == agency_id
    if found.reason != "unknown":
        return True
    core = _core(normal_name(stated))
    return any(core in _core(n) or _core(n) in core for n in names.agencies[agency_id].names if n)


def _core(name: str) -> str:
    for tail in ("人民政府办公室", "人民政府", "政府", "办事处"):
        if name.endswith(tail) and len(name) > len(tail):
            return name[: -len(tail)]
    return name


def filed(prepared: Prepared, names: AgencyIndex) -> Prepared:
    """A document given by hand or parsed again, filed by ``file_report``: its listing is
    the agency (and year) it was given or filed under before, if any."""
    fetched, record = prepared.fetched, prepared.record
    if record is None:
        return prepared
    listing = None
    if fetched.agency_id is not None and fetched.agency_id in names.agencies:
        agency = names.agencies[fetched.agency_id]
        listing = Listing(fetched.agency_id, agency.name, fetched.year)
    filing = file_report(record, names, listing, prepared.sha)
    return replace(prepared, fetched=replace(fetched, agency_id=filing.agency_id, year=filing.year))


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
    archived = archive.write(filed(prepared, archive.agency_index())).status
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
    return archive.write(filed(prepare(data, fetched, read, limits), archive.agency_index()))


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
        prepared = filed(prepare(data, fetched, read, limits), archive.agency_index())
        if prepared.record is None:
            if prepared.error != old_error:
                archive.set_error(sha, prepared.error)
                counts["error"] += 1
            continue
        counts.update(archive.reparsed(prepared, now()))
    archive.flush_search_index()
    return dict(counts)
