"""A report's page → its attachments; which document of a report to parse. Pure functions:
the spider fetches, these read. (The date a page shows is the parser's:
``parsers.html.page_date``.)"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from crawler.adapters.links import links_in

ATTACHMENT_FORMATS = ("pdf", "doc", "docx", "wps", "ofd")
_EXT = re.compile(r"\.(" + "|".join(ATTACHMENT_FORMATS) + r")(?:$|[?#&])", re.IGNORECASE)
# Download scripts name the file in the query: downfile.jsp?filename=P0….pdf
_QUERY_FILE = re.compile(r"=[^&]*\.(" + "|".join(ATTACHMENT_FORMATS) + r")\b", re.IGNORECASE)
# Anywhere in the page: what every link above holds, its dot percent-encoded or not.
_ANY_FILE = re.compile(r"(?:\.|%2e)(?:" + "|".join(ATTACHMENT_FORMATS) + r")\b", re.IGNORECASE)


def attachments(url: str, html: str) -> list[str]:
    """The documents a report page links to (PDF, DOC, DOCX, WPS, OFD), in page order."""
    if not _ANY_FILE.search(html):
        return []  # most report pages link to none: not worth parsing the page for links
    out: list[str] = []
    for link in links_in(url, html):
        parts = urlsplit(link.url)
        if parts.scheme not in ("http", "https"):
            continue
        named = _EXT.search(unquote(parts.path)) or _QUERY_FILE.search(unquote(parts.query))
        if named and link.url not in out:
            out.append(link.url)
    return out


def continuation_pages(url: str, html: str) -> list[str]:
    """The further pages of a report page a CMS split in several (TRS detail pages announce
    them with ``createPageHTML``: t20210127_6412_1.html …)."""
    if "createPageHTML" not in html:
        return []
    from crawler.adapters.trs import _pager

    pages, _, _ = _pager(url, html)
    return pages


def rank(record: dict[str, Any] | None, fmt: str | None) -> tuple[int, int, int]:
    """How good a document is as the source of a report: tables over none, more filled
    cells over fewer, an attachment over the page's own body."""
    if record is None:
        return (0, 0, 0)
    filled = sum(v is not None for v in record.get("cells", {}).values())
    return rank_of(record.get("template"), filled, fmt)


def rank_of(template: str | None, filled: int, fmt: str | None) -> tuple[int, int, int]:
    """``rank`` from what the archive keeps of a report: its template, its filled cells."""
    if template == "unknown":
        return (0, 0, 0)
    return (1 if filled else 0, filled, 0 if fmt == "html" else 1)
