"""Any document a portal serves → its record: the format is told by content, not name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parsers import sniff
from parsers.decode import decode_text, garbled
from parsers.errors import DocumentError
from parsers.record import build_record, prepare
from report.findings import finding

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one document may cost. Text over ``max_text_bytes`` is refused; so is any file
    over ``max_bytes``, a PDF over ``max_pages``, and (under parsers.guard) a parse that
    runs longer than ``seconds`` or needs more than ``memory_mb``."""

    max_bytes: int = 100 * MB
    max_text_bytes: int = 20 * MB
    max_pages: int = 500
    seconds: float = 30.0
    memory_mb: int = 1024
    # Processes that read one PDF's pages: one where documents are already parsed side by
    # side (the crawl's pool), every core where one document is waited for (`nianbao parse`).
    pdf_workers: int = 1
    # Pages without a text layer: "auto" reads them by OCR when the extra is installed,
    # "off" leaves them without text. Each page so read adds ``ocr_seconds`` to the time
    # its document may take, and its document may take ``ocr_memory_mb`` more memory
    # (under parsers.guard; the recognizer needs 0.7–1.2 GB for a page).
    ocr: str = "auto"
    ocr_seconds: float = 60.0
    ocr_memory_mb: int = 2048


def _text_sized(data: bytes, what: str, limits: Limits) -> None:
    """Text and HTML are read in this process: their size is what bounds their cost."""
    if len(data) > limits.max_text_bytes:
        raise DocumentError(
            f"{what} too large: {len(data) / MB:.1f} MB (limit {limits.max_text_bytes / MB:.0f} MB)"
        )


def extract_text(
    data: bytes,
    fmt: str,
    limits: Limits,
    content_type: str | None = None,
    ocr_log: list[dict] | None = None,
) -> tuple[str, dict[str, str]]:
    """The text of a document of a known format, tables as tab-separated rows, and what a
    report page says of itself in its structure (title, date)."""
    if fmt == sniff.HTML:
        from parsers.html import html_page

        _text_sized(data, "HTML page", limits)
        return html_page(data, content_type)
    return _plain_text(data, fmt, limits, ocr_log), {}


def _plain_text(data: bytes, fmt: str, limits: Limits, ocr_log: list[dict] | None) -> str:
    if fmt == sniff.TEXT:
        _text_sized(data, "text document", limits)
        return decode_text(data)
    if fmt == sniff.PDF:
        from parsers.pdf import pdf_text

        return pdf_text(data, limits.max_pages, limits.pdf_workers, ocr_log)[0]
    if fmt == sniff.IMAGE:
        from parsers import ocr

        if ocr_log is None or not ocr.available():
            return ""
        read = ocr.read_file(data)
        ocr_log.append({"page": 1, **read.summary()})
        return "\n".join(read.lines)
    if fmt == sniff.DOCX:
        from parsers.docx import docx_text

        return docx_text(data)
    if fmt == sniff.DOC:
        from parsers.doc import doc_text

        return doc_text(data, limits.seconds)
    if fmt == sniff.OFD:
        from parsers.ofd import ofd_text

        return ofd_text(data)
    if fmt == sniff.ZIP:
        from parsers.zipsafe import MAX_ENTRIES, declared_entries

        entries = declared_entries(data)
        if entries is not None and entries > MAX_ENTRIES:
            raise DocumentError(f"a zip container of {entries} parts: refused")
        raise DocumentError("a zip archive that is neither DOCX nor OFD")
    raise DocumentError(f"unsupported format: {fmt}")


def read_document(
    data: bytes, content_type: str | None = None, limits: Limits | None = None
) -> tuple[dict[str, Any], str]:
    """(record, text) of a document in any supported format; the text is in the parser's
    normal form (simplified script, NFKC), one line per paragraph or table row."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise DocumentError(
            f"document too large: {len(data) / MB:.1f} MB (limit {limits.max_bytes / MB:.0f} MB)"
        )
    fmt = sniff.sniff(data)
    read_by_ocr: list[dict] | None = [] if limits.ocr != "off" else None
    text, head = extract_text(data, fmt, limits, content_type, read_by_ocr)
    lines, script = prepare(text)
    record = build_record(lines, script, head, bool(read_by_ocr))
    if fmt in _PICTURED and read_by_ocr is not None and _lacks_tables(record):
        # Its tables may be pictures (screenshots pasted in): read in their places.
        with_pictures = _with_pictures(data, fmt, content_type, read_by_ocr)
        if read_by_ocr:
            text = with_pictures
            lines, script = prepare(text)
            record = build_record(lines, script, head, True)
    if fmt != sniff.TEXT and not any(line.strip() for line in lines):
        what = "an image with" if fmt == sniff.IMAGE else f"the {fmt.upper()} has"
        record["findings"] = [finding("document.no_text", f"{what} no text layer (a scan?)")]
    elif read_by_ocr:
        record["findings"] = _with_ocr(record["findings"], _read_by_ocr(read_by_ocr))
    elif fmt in _PICTURED and _lacks_tables(record):
        shown = _pictures_shown(data, fmt, content_type)
        if shown:
            record["findings"] = _with_pictures_unread(record["findings"], shown)
    odd = garbled(text)
    if odd:  # what it says cannot be read: never a silent empty record
        record["findings"].append(
            finding("document.garbled", f"{odd} characters decoded wrongly", characters=odd)
        )
    return record, "\n".join(lines)


# Formats whose tables may be pictures inside the document.
_PICTURED = (sniff.DOCX, sniff.OFD, sniff.HTML)


def _with_pictures(data: bytes, fmt: str, content_type: str | None, log: list[dict]) -> str:
    """The document's text with its pictures read by OCR in their places."""
    if fmt == sniff.HTML:
        from parsers.html import html_page

        return html_page(data, content_type, log)[0]
    from parsers.docx import docx_text
    from parsers.ofd import ofd_text

    return (docx_text if fmt == sniff.DOCX else ofd_text)(data, log)


def _lacks_tables(record: dict[str, Any]) -> bool:
    return any(f["rule"] == "template.missing_table" for f in record["findings"])


# What a text that was read from pictures lacks may be there, unseen by the recognizer (a
# heading under a seal): not a finding against the agency, but a note for a person.
_NOT_SEEN = ("template.missing_section", "template.missing_row", "template.missing_table")


def _set_aside(findings: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """(the findings that stand, the messages of those set aside as _NOT_SEEN)."""
    kept = [f for f in findings if f["rule"] not in _NOT_SEEN]
    return kept, [f["message"] for f in findings if f["rule"] in _NOT_SEEN]


def _with_ocr(findings: list[dict[str, Any]], ocr: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's findings once its text came by OCR: what it did not find is said in the
    cells.ocr finding, for a person to check, not charged as missing."""
    kept, unseen = _set_aside(findings)
    if unseen:
        ocr["evidence"]["not_seen"] = unseen
        ocr["message"] += f"; {len(unseen)} part(s) of the template not seen in it"
    return [*kept, ocr]


def _pictures_shown(data: bytes, fmt: str, content_type: str | None) -> int:
    """How many pictures that may hold a table the document shows (a report page: those in
    its content, icons left out; DOCX and OFD: those large enough to hold one)."""
    if fmt == sniff.HTML:
        from parsers.html import decode_html, pictures_shown

        return pictures_shown(decode_html(data, content_type))
    from parsers.docx import picture_count as docx_pictures
    from parsers.ofd import picture_count as ofd_pictures

    return (docx_pictures if fmt == sniff.DOCX else ofd_pictures)(data)


def _with_pictures_unread(findings: list[dict[str, Any]], shown: int) -> list[dict[str, Any]]:
    """A document without its tables that shows pictures no one read: its tables may be
    pictures, so what it lacks is a note for a person, not a finding."""
    kept, unseen = _set_aside(findings)
    note = finding(
        "document.pictures_unread",
        f"{shown} picture(s) in the document were not read; "
        f"{len(unseen)} part(s) of the template not found are not charged",
        pictures=shown,
        not_seen=unseen,
    )
    return [*kept, note]


def _read_by_ocr(read: list[dict]) -> dict[str, Any]:
    """The finding that says which pages (or pictures) were read by OCR, and what it was
    unsure of."""
    where = [r.get("page") or r.get("picture") for r in read]
    unsure = [{"page": at, **u} for at, r in zip(where, read, strict=True) for u in r["unsure"]]
    pages = [r["page"] for r in read if "page" in r]
    pictures = [r["picture"] for r in read if "picture" in r]
    return finding(
        "cells.ocr",
        f"{len(pages)} page(s) without a text layer and {len(pictures)} picture(s) read by "
        f"OCR; {len(unsure)} box(es) not read with certainty were not taken as numbers",
        pages=pages,
        **({"pictures": pictures} if pictures else {}),
        boxes=sum(r["boxes"] for r in read),
        confidence=min(r["confidence"] for r in read),
        unsure=unsure[:50],
    )


def parse_bytes(
    data: bytes, content_type: str | None = None, limits: Limits | None = None
) -> dict[str, Any]:
    """Parse a document in any supported format (text, HTML, PDF, DOCX, DOC/WPS, OFD)."""
    return read_document(data, content_type, limits)[0]
