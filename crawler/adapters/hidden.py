"""Component lists whose further pages exist only as empty anchors in a hidden pager
(``<div style="display:none"><a href="index_2603340_1.html"></a>…</div>`` on
``…/index.html``): the anchors are the column's further pages, named after the list page's own
file and the list component's id, numbered from 1 after the first page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.adapters import MAX_REQUESTS, Family, ListPage, register
from crawler.adapters.links import links_in

NAME = "hidden"
_EMPTY_ANCHOR = re.compile(
    r"""<a\s[^>]*href\s*=\s*["']([^"'#]+?_(\d{1,15})\.\w+)["'][^>]*>\s*</a>"""
)


def _stem(url: str) -> str:
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def _pager(url: str, text: str) -> list[tuple[int, str]]:
    own = re.compile(re.escape(_stem(url)) + r"(?:_\d+)?_(\d{1,15})$")
    found = {}
    for href, number in _EMPTY_ANCHOR.findall(text):
        if own.match(_stem(href)):
            found[int(number)] = href
    return sorted(found.items())


def detect(url: str, text: str) -> bool:
    return bool(_pager(url, text))


def read(url: str, text: str, first: bool) -> ListPage:
    links = links_in(url, text)
    pager = _pager(url, text) if first else []
    hrefs = {href for _, href in pager}
    pages = [link.url for link in links if not link.title and _href_of(link.url, hrefs)]
    items = [link for link in links if link.title]
    return ListPage(
        NAME,
        items,
        list(dict.fromkeys(pages))[:MAX_REQUESTS],
        records=sum(1 for link in items if link.listed_date),
        pages_announced=1 + max(n for n, _ in pager) if pager else None,
    )


def _href_of(url: str, hrefs: set[str]) -> bool:
    return any(url.endswith(h.lstrip("./")) for h in hrefs)


register(Family(NAME, detect, read, order=40))
