"""A pager a script draws, read from the script itself (for any family's list page that
shows no pager link): the script holds the page count (or the records and the page size)
and builds each page's address from a number.

The script's objects are read with chompjs (laypage.render({count: 46, limit: 15, curr:
1, jump: …}), new Pager({pageCount: 4})), and plain variables (var pageCount = 4); the
address is the string the script joins a number to: ``'?pageIndex=' + obj.curr``,
``"list_" + n + ".html"``. Pages 2…N are asked for; whether they exist is proved by
fetching them (a page that fails, or repeats an earlier one, leaves the column unproven).
"""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import chompjs

MAX_PAGES = 2_000  # as crawler.adapters.MAX_REQUESTS: a hostile count allocates no more
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.I | re.S)
_PAGES_KEYS = ("pages", "pagecount", "totalpage", "totalpages", "pagetotal", "countpage", "maxpage")
_RECORDS_KEYS = ("count", "total", "totalcount", "totalrecord", "recordcount", "totalnum")
_SIZE_KEYS = ("limit", "pagesize", "perpage", "size", "rows")
_CURRENT_KEYS = ("curr", "current", "currentpage", "pageindex", "pagenum", "pageno", "page")
_VARIABLE = re.compile(r"\bvar\s+(\w+)\s*=\s*['\"]?(\d{1,9})['\"]?\s*;")
# A string the script joins a page number to, and what follows it.
_JOINED = re.compile(
    r"""(["'])([^"'\s<>]{0,160}?)\1\s*\+\s*\(?\s*[\w.]+\s*\)?\s*(?:\+\s*(["'])([^"'\s<>]{0,40})\3)?"""
)
_PAGE_PARAM = re.compile(
    r"[?&](page|pageindex|pagenum|pageno|curpage|currentpage|pn|p)=$", re.IGNORECASE
)
_PAGE_FILE = re.compile(r"[_-]$")
_NAMED = re.compile(r"[A-Za-z0-9]")
_EXTENSION = re.compile(r"^\.(?:s?html?|jsp|aspx?|php)$", re.IGNORECASE)


def _numbers(scripts: str) -> dict[str, int]:
    """The numbers a pager may be configured with, by lower-case name: the scripts'
    object literals first, then plain variables."""
    found: dict[str, int] = {}
    for obj in _objects(scripts):
        if isinstance(obj, dict):
            for key, value in obj.items():
                if isinstance(value, int | str) and str(value).isdigit() and len(str(value)) < 10:
                    found.setdefault(str(key).lower(), int(value))
    for name, value in _VARIABLE.findall(scripts):
        found.setdefault(name.lower(), int(value))
    return found


# Object literals passed to a call: laypage.render({…}), new Pager({…}), $(…).page({…}).
_CALL_OBJECT = re.compile(r"\(\s*\{")
_MAX_OBJECTS = 20  # a page's pager configurations; a script of thousands is not read whole


def _objects(scripts: str) -> list[dict]:
    found = []
    for m in list(_CALL_OBJECT.finditer(scripts))[:_MAX_OBJECTS]:
        try:
            obj = chompjs.parse_js_object(scripts[m.end() - 1 :])
        except Exception:  # not an object chompjs reads: the next may be
            continue
        if isinstance(obj, dict):
            found.append(obj)
    return found


def _page_count(numbers: dict[str, int]) -> int | None:
    for key in _PAGES_KEYS:
        if numbers.get(key):
            return numbers[key]
    size = next((numbers[k] for k in _SIZE_KEYS if numbers.get(k)), None)
    records = next((numbers[k] for k in _RECORDS_KEYS if k in numbers), None)
    if size and records is not None:
        return max(1, math.ceil(records / size))
    return None


def _template(scripts: str) -> tuple[str, str] | None:
    """(what comes before the number, what follows it) of the first page address the
    scripts build."""
    for _, before, _, after in _JOINED.findall(scripts):
        after = after or ""
        if _PAGE_PARAM.search(before) and not after:
            return before, after
        # A file's name before the number (list_, index_), not a variable's end.
        if _PAGE_FILE.search(before) and _NAMED.search(before) and _EXTENSION.match(after):
            return before, after
    return None


def _address(url: str, before: str, number: int, after: str) -> str:
    """Page ``number``'s address: a query parameter set on the list's own address
    (keeping its other parameters), or a path joined to it."""
    param = _PAGE_PARAM.search(before)
    if param and before.startswith(("?", "&")):
        parts = urlsplit(url.split("#")[0])
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        query = [(k, v) for k, v in query if k.lower() != param.group(1).lower()]
        query.append((before.lstrip("?&").rstrip("="), str(number)))
        return urlunsplit(parts._replace(query=urlencode(query)))
    return urljoin(url.split("#")[0], f"{before}{number}{after}")


def _pager(text: str) -> tuple[int, int, tuple[str, str]] | None:
    """(pages, the first page's number, address template), when the scripts give all."""
    scripts = "\n".join(_SCRIPT.findall(text))
    if not scripts:
        return None
    template = _template(scripts)
    if template is None:
        return None
    numbers = _numbers(scripts)
    pages = _page_count(numbers)
    if pages is None:
        return None
    current = next((numbers[k] for k in _CURRENT_KEYS if k in numbers), 1)
    return min(pages, MAX_PAGES), 0 if current == 0 else 1, template


def further_pages(url: str, text: str) -> tuple[list[str], int] | None:
    """(the addresses of pages 2…N, N) a page's scripts give, else None."""
    if "<script" not in text.lower():
        return None
    pager = _pager(text)
    if pager is None:
        return None
    pages, base, (before, after) = pager
    return [_address(url, before, base + k, after) for k in range(1, pages)], pages
