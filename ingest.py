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
from parsers.record import PARSER_VERSION
from parsers.sniff import sniff
from parsers.version import identity, record_hash, sha256
from report.agencies import AgencyIndex, normal_name
from report.rules import CELL_RULES, check_cells
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


def read_source(source: str, max_bytes: int, seconds: float = 60) -> tuple[bytes, Fetched]:
    """The bytes of a report a person points to — an http(s) URL, fetched once, or a file
    — with what is known of where it came from; DocumentError with a one-line reason."""
    if not source.startswith(("http://", "https://")):
        return read_input(source, max_bytes), Fetched(source_url=Path(source).resolve().as_uri())
    import urllib.error
    import urllib.request

    request = urllib.request.Request(source, headers={"User-Agent": "nianbao (add-report)"})
    try:
        with urllib.request.urlopen(request, timeout=seconds) as answer:
            data = answer.read(max_bytes + 1)
            fetched = Fetched(
                source_url=source,
                final_url=answer.geturl(),
                http_status=answer.status,
                content_type=answer.headers.get("Content-Type"),
                last_modified=answer.headers.get("Last-Modified"),
                etag=answer.headers.get("ETag"),
            )
    except urllib.error.HTTPError as exc:
        raise DocumentError(f"{source}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DocumentError(f"{source}: {getattr(exc, 'reason', exc)}") from None
    if len(data) > max_bytes:
        raise DocumentError(f"document too large (limit {max_bytes / MB:.0f} MB)")
    return data, fetched


def add_report(
    archive: Archive,
    agency_id: str,
    year: int,
    data: bytes,
    fetched: Fetched,
    limits: Limits | None = None,
) -> tuple[Ingested, Filing | None]:
    """A report a person says is ``agency_id``'s for ``year``: archived and parsed like a
    crawled one, the person's word as its listing. The document has the last word
    (``file_report``): one that names another agency or year is filed as it says, with a
    finding. Returns what the archive did and where it was filed."""
    if agency_id not in archive.agency_index().agencies:
        raise DocumentError(f"no agency {agency_id!r} in the archive (load the sources file)")
    fetched = replace(fetched, agency_id=agency_id, year=year)
    prepared = filed(prepare(data, fetched, limits=limits), archive.agency_index())
    if prepared.record is None:
        archive.write(prepared)
        raise DocumentError(f"not readable: {prepared.error}")
    ingested = archive.write(prepared)
    return ingested, Filing(prepared.fetched.agency_id, prepared.fetched.year)


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


def corrected(prepared: Prepared, fixes: dict[str, dict[str, Any]]) -> tuple[Prepared, list[int]]:
    """The record with a person's corrections of its cells applied (``fixes``, by key, as
    storage.corrections keeps them) and its cell checks recomputed from them; and the
    corrections the parser now reads the same way (their numbers)."""
    record = prepared.record
    if record is None or not fixes:
        return prepared, []
    cells, agreed = dict(record["cells"]), []
    for key, fix in fixes.items():
        value = fix["value"]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if cells.get(key) == value and fix["parsed_value"] != fix["value"]:
            agreed.append(fix["id"])
        cells[key] = value
    findings = [f for f in record["findings"] if f["rule"] not in CELL_RULES]
    record = {
        **record,
        "cells": cells,
        "findings": findings + check_cells(cells, record["narrative"]),
        "corrected": sorted(fixes),
    }
    return replace(prepared, record=record, record_hash=record_hash(record)), agreed


def correct(
    archive: Archive,
    report_id: int,
    key: str,
    value: int | float | None,
    note: str,
    reviewer: str | None,
    read: Reader | None = None,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """A person's correction of one cell of a report: kept with the value the parser
    reads, applied to every version read from that document, its cell checks recomputed.
    DocumentError where the report has no such cell."""
    sha, fetched = archive.report_document(report_id)
    prepared = filed(
        prepare(archive.document_bytes(sha), fetched, read, limits), archive.agency_index()
    )
    if prepared.record is None or key not in prepared.record["cells"]:
        raise DocumentError(f"report {report_id} has no cell {key!r} (see docs/report-record.md)")
    parsed = prepared.record["cells"][key]
    number = archive.add_correction(sha, key, parsed, value, note, reviewer, now())
    prepared, _ = corrected(prepared, archive.corrections(sha))
    archive.reparsed(prepared, now())
    return {
        "correction": number,
        "report_id": report_id,
        "key": key,
        "parsed": parsed,
        "value": value,
    }


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
        # A person's corrections outlive a new parser; it is noted where it agrees now.
        prepared, agreed = corrected(prepared, archive.corrections(sha))
        for number in agreed:
            archive.parser_agrees(number, PARSER_VERSION)
        if agreed:
            counts["corrections_now_parsed"] += len(agreed)
        counts.update(archive.reparsed(prepared, now()))
    archive.flush_search_index()
    return dict(counts)
