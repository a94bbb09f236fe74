"""Hanweb jcms lists: the first records hidden in the page, the rest from dataproxy.jsp.

The column page carries its first records as CDATA ``<record>``s in a
``<script type="text/xml"><datastore>`` (older sites: a JS array ``InitDataNNN``), and
announces the column's size in ``<totalrecord>`` or in its ``jpage({totalRecord:N,
perPage:M, …})`` call. The rest is asked for from the proxy the page names
(``/module/web/jpage/dataproxy.jsp``, ``/module/jslib/jquery/jpage/dataproxy.jsp``) with the
column's parameters, a group of records at a time; without a total, group after group until
an answer comes back short.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from crawler.adapters import MAX_REQUESTS, Family, ListPage, register
from crawler.adapters.links import links_in

NAME = "hanweb"
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)
_TOTAL = re.compile(
    r"<totalrecord>\s*(\d{1,15})\s*</totalrecord>|totalRecord\s*[:=]\s*['\"]?(\d{1,15})"
)
_PER_PAGE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d{1,15})")
_GROUP = re.compile(r"groupSize\s*[:=]\s*['\"]?(\d{1,15})")
_PROXY = re.compile(r"""proxyUrl\s*[:=]\s*['"]([^'"]+dataproxy\.jsp)""")
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_PARAM = re.compile(
    r"\b(columnid|unitid|webid|appid|col|sourceContentType|permissiontype|path|webname)"
    r"\s*[=:]\s*['\"]?([^,'\"}&\s;]+)"
)
_INIT_DATA = re.compile(r"InitData\w*\s*=\s*\[(.*?)\];", re.DOTALL)
_ARRAY_ITEM = re.compile(r"'((?:[^'\\]|\\.)*)'")
DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
DEFAULT_PER_PAGE, DEFAULT_GROUP = 15, 3


def detect(url: str, text: str) -> bool:
    return (
        "<datastore>" in text
        or "dataproxy.jsp" in text
        or ".jpage(" in text
        or "<record>" in text
        or urlsplit(url).path.endswith("dataproxy.jsp")
    )


def _int(pattern: re.Pattern[str], text: str) -> int | None:
    m = pattern.search(text)
    if not m:
        return None
    value = next(g for g in m.groups() if g is not None)
    return int(value)


def _params(text: str) -> dict[str, str]:
    params = {k: v for k, v in _PARAM.findall(text) if k != "webname"}
    nextgroup = _NEXTGROUP.search(text)
    if nextgroup:
        href = re.search(r"href=['\"]([^'\"]+)", nextgroup.group(1))
        if href:
            params.update(dict(parse_qsl(urlsplit(href.group(1)).query, keep_blank_values=True)))
    for key in ("page", "startrecord", "endrecord", "perpage"):
        params.pop(key, None)
    return params


def _proxy(url: str, text: str) -> str:
    m = _PROXY.search(text)
    if m:
        return urljoin(url, m.group(1))
    nextgroup = _NEXTGROUP.search(text)
    if nextgroup and (href := re.search(r"href=['\"]([^'\"?]+dataproxy\.jsp)", nextgroup.group(1))):
        return urljoin(url, href.group(1))
    return urljoin(url, DEFAULT_PROXY)


def _request(proxy: str, start: int, size: int, per_page: int, params: dict[str, str]) -> str:
    query = {"startrecord": start, "endrecord": start + size - 1, "perpage": per_page, **params}
    return f"{proxy}?{urlencode(query)}"


def read(url: str, text: str, first: bool) -> ListPage:
    records = _RECORD.findall(text)
    links = [link for r in records for link in links_in(url, r)]
    shown = len(records)
    if not records and (array := _INIT_DATA.search(text)):
        shown = len(_ARRAY_ITEM.findall(array.group(1)))
        links = links_in(url, array.group(1).replace("\\'", "'"))
    total = _int(_TOTAL, text)
    parts = urlsplit(url)
    if parts.path.endswith("dataproxy.jsp"):
        # An answer of the proxy: without a total, ask for the next group while answers
        # come back full.
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        try:
            start, end = int(query["startrecord"]), int(query["endrecord"])
        except (KeyError, ValueError):
            return ListPage(NAME, links, records=shown)
        requests = []
        full = shown >= end - start + 1 and shown > 0
        if total is None and full:
            size = end - start + 1
            query.update(startrecord=str(end + 1), endrecord=str(end + size))
            requests = [f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"]
        # A short answer is the column's last group.
        return ListPage(
            NAME, links, requests, records=shown, records_announced=total, ends_here=not full
        )
    if not first:
        return ListPage(NAME, links, records=shown)
    per_page = _int(_PER_PAGE, text) or DEFAULT_PER_PAGE
    size = per_page * (_int(_GROUP, text) or DEFAULT_GROUP)
    proxy, params = _proxy(url, text), _params(text)
    if total is None:  # a full first group: ask group after group until a short answer
        requests = [_request(proxy, shown + 1, size, per_page, params)] if shown >= size else []
        return ListPage(NAME, links, requests, records=shown, ends_here=not requests and shown > 0)
    starts = range(shown + 1, total + 1, size)
    requests = [_request(proxy, s, size, per_page, params) for s in starts[:MAX_REQUESTS]]
    return ListPage(
        NAME,
        links,
        requests,
        records=shown,
        pages_announced=1 + len(starts),
        records_announced=total,
    )


register(Family(NAME, detect, read, order=10))
