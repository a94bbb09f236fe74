"""A report's page → its attachments; which document of a report to parse. Pure functions:
the spider fetches, these read. (The date a page shows is the parser's:
``parsers.html.page_date``.)"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from crawler.adapters import unreadable_signs
from crawler.adapters.links import QUOTED_ADDRESS, links_in

ATTACHMENT_FORMATS = ("pdf", "doc", "docx", "wps", "ofd")
_EXT = re.compile(r"\.(" + "|".join(ATTACHMENT_FORMATS) + r")(?:$|[?#&])", re.IGNORECASE)
# Download scripts name the file in the query: downfile.jsp?filename=P0….pdf
_QUERY_FILE = re.compile(r"=[^&]*\.(" + "|".join(ATTACHMENT_FORMATS) + r")\b", re.IGNORECASE)
# Anywhere in the page: what every link above holds, its dot percent-encoded or not.
_ANY_FILE = re.compile(r"(?:\.|%2e)(?:" + "|".join(ATTACHMENT_FORMATS) + r")\b", re.IGNORECASE)


def attachments(url: str, html: str) -> list[str]:
    """The documents a report page links to (PDF, DOC, DOCX, WPS, OFD): those of its links
    (also those a script follows) in page order, then those its frames and embeds show,
    then the addresses its scripts write; a viewer's ``?file=`` is the document it shows."""
    if not _ANY_FILE.search(html):
        return []  # most report pages link to none: not worth parsing the page for links
    candidates = [link.url for link in links_in(url, html)]
    candidates += [urljoin(url, m.group(1)) for m in _SHOWN.finditer(html)]
    candidates += [urljoin(url, m.group(1)) for m in QUOTED_ADDRESS.finditer(html)]
    out: list[str] = []
    for candidate in candidates:
        document = _document_of(candidate)
        if document is not None and document not in out:
            out.append(document)
    return out


# What frames, embeds and objects show: <iframe src=…>, <embed src=…>, <object data=…>.
_SHOWN = re.compile(
    r"""<(?:i?frame|embed|object)\b[^>]*?\b(?:src|data)\s*=\s*["']?([^"'\s>]+)""", re.I
)
# A viewer's parameter naming the file it shows: viewer.html?file=/upload/nb.pdf.
_VIEWED = re.compile(r"(?:^|&)(?:file|src|url|path|fileurl|filepath)=([^&]+)", re.I)


def _document_of(url: str) -> str | None:
    """The document ``url`` leads to: itself when it names one, the file a viewer's
    parameter names, else None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    query = unquote(parts.query)
    viewed = _VIEWED.search(query)
    if viewed and _EXT.search(viewed.group(1)):
        try:
            return urljoin(url, viewed.group(1))
        except ValueError:
            return None
    if _EXT.search(unquote(parts.path)) or _QUERY_FILE.search(query):
        return url.split("#", 1)[0]
    return None


# A report page with less text than this holds no report of its own.
_SHORT_PAGE = 400
_INVISIBLE = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>|<[^>]+>|&nbsp;|\s+", re.I | re.S)


def drawn_by_scripts(html: str) -> bool:
    """A report page whose text a browser would show but the page's own HTML does not
    hold: little text of its own, and a script that fetches content or a frame."""
    if len(_INVISIBLE.sub("", html)) >= _SHORT_PAGE:
        return False
    return bool(set(unreadable_signs(html, 1)) & {"script_list", "iframe", "script_links"})


def continuation_pages(url: str, html: str) -> list[str]:
    """The further pages of a report page a CMS split in several (TRS detail pages announce
    them with ``createPageHTML``: t20210127_6412_1.html …)."""
    if "createPageHTML" not in html:
        return []
    from crawler.adapters.trs import _pager

    pages, _, _ = _pager(url, html)
    return pages


def names_report_only(record: dict[str, Any] | None, fmt: str | None) -> bool:
    """A report page that only names the report — a title over a viewer, a download
    button — and holds none of its text: no template heading, no cell, not the old form."""
    return (
        record is not None
        and fmt == "html"
        and record.get("title") is not None
        and record.get("template") not in ("legacy", "unknown")
        and not record.get("sections")
        and not any(v is not None for v in record.get("cells", {}).values())
    )


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
