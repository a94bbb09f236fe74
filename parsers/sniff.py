"""Which format a document is, from its bytes: portals serve PDFs as .doc and HTML as .pdf."""

from __future__ import annotations

import io
import re
import zipfile

from parsers.zipsafe import MAX_ENTRIES, declared_entries

TEXT, HTML, PDF, DOCX, DOC, OFD, IMAGE, ZIP = (
    "text",
    "html",
    "pdf",
    "docx",
    "doc",
    "ofd",
    "image",
    "zip",
)


def extension(fmt: str | None) -> str:
    """The file extension a document of this format is saved under."""
    return {TEXT: "txt", IMAGE: "img", None: "bin"}.get(fmt, fmt or "bin")


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
_HTML = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html|head|body|meta|title|div|table|p)\b",
    re.IGNORECASE | re.DOTALL,
)


def sniff(data: bytes) -> str:
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    if head.startswith(_OLE):
        return DOC  # Word 97–2003 and WPS both use the OLE container
    if head.startswith(b"PK\x03\x04"):
        entries = declared_entries(data)
        if entries is not None and entries > MAX_ENTRIES:
            return ZIP  # too many parts to be a report: refused when read
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return ZIP
        if "word/document.xml" in names:
            return DOCX
        if "OFD.xml" in names or any(n.lower() == "ofd.xml" for n in names):
            return OFD
        return ZIP
    if head.startswith(_IMAGES) or head[8:12] == b"WEBP":
        return IMAGE
    stripped = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if _HTML.match(stripped):
        return HTML
    return TEXT
