"""List pages of portal software families → links, further requests, announced counts.

One small module per family, each a pure function from a page (its URL and text) to a
``ListPage``: the links it holds (title, listing date), the further pages or API requests
that read the rest of the column, and what the column announces of its own size (pages,
records), so that the crawler can prove it read the whole column. Families are tried in
``FAMILIES`` order, or named by a source (``software``):

- ``hanweb``: Hanweb jcms — records in ``<datastore>``, the rest from ``dataproxy.jsp``;
- ``gkmlpt``: Guangdong's 政府信息公开目录平台 JSON API;
- ``trs``: TRS WCM — ``createPageHTML(…)`` or an inline ``countPage`` pager;
- ``hidden``: component lists whose further pages are hidden anchors in the pager;
- ``plain``: links and a 下一页 / next link.

Any family's first page may also lead to sub-columns (更多): lists of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import ModuleType
from urllib.parse import urlsplit

from crawler.adapters.links import Link, links_in

__all__ = ["FAMILIES", "Link", "ListPage", "links_in", "read_list_page"]


@dataclass
class ListPage:
    """What one list page says. ``records`` counts the items it lists (links that carry a
    listing date, or a family's own records); ``announced_*`` are what the column says of
    its size, where it says so; ``unrecognized_paging`` marks a page that shows a pager no
    adapter could read."""

    family: str
    links: list[Link] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    sublists: list[str] = field(default_factory=list)
    records: int = 0
    pages_announced: int | None = None
    records_announced: int | None = None
    unrecognized_paging: bool = False


# No page announces more further requests than this (a hostile total of 10¹² must not
# allocate them); the crawler's own per-list cap is lower, and a column longer than it is
# recorded as not read to its end.
MAX_REQUESTS = 2_000

# A pager a reader can see: 下一页, 尾页, 共N页, page numbers.
_PAGER = re.compile(r"下一页|下页|尾页|末页|共\s*\d+\s*页|第\s*\d+\s*页|next\s*page", re.I)
_MORE = re.compile(r"^\s*(?:更多|更多>+|more|MORE|>>)\s*[>»]*\s*$")
_REPORT_WORDS = re.compile(r"年报|年度报告|(?:19|20)\d{2}")


def looks_paged(text: str) -> bool:
    return bool(_PAGER.search(text))


def sublists(url: str, text: str, links: list[Link]) -> list[str]:
    """Sub-columns a landing page leads to by 更多 links: those under the column's own
    folder, or under a heading that names 年报 or a year."""
    folder = url.rsplit("/", 1)[0] + "/"
    out = []
    for link in links:
        if not _MORE.match(link.title) or link.url in out or link.url == url:
            continue
        if link.url.startswith(folder) or _heading_names_reports(text, link.url):
            out.append(link.url)
    return out


_MARKUP = re.compile(r"<!--.*?-->|<[^>]+>", re.DOTALL)


def _heading_names_reports(text: str, href: str) -> bool:
    """Whether the words just before a 更多 link (its block's heading) name 年报 or a year."""
    path = urlsplit(href).path
    at = text.find(path) if path else -1
    if at <= 0:
        return False
    before = _MARKUP.sub(" ", text[max(0, at - 400) : at])
    return bool(_REPORT_WORDS.search(" ".join(before.split())[-40:]))


def _families() -> list[ModuleType]:
    from crawler.adapters import gkmlpt, hanweb, hidden, plain, trs

    return [hanweb, gkmlpt, trs, hidden, plain]


FAMILIES = ("hanweb", "gkmlpt", "trs", "hidden", "plain")


def read_list_page(url: str, text: str, first: bool = True, kind: str | None = None) -> ListPage:
    """Read one list page. ``url`` is the page's address — for a column's first page, as
    the sources file gives it (a fragment may name the column: ``…/gkmlpt/index#721``);
    ``first`` is False for pages reached by paging; ``kind`` names the family when the
    source says which (else it is told from the page)."""
    adapters = {m.NAME: m for m in _families()}
    adapter = adapters.get(kind or "") or next(
        (m for m in adapters.values() if m.detect(url, text)), adapters["plain"]
    )
    page = adapter.read(url, text, first)
    if first and page.family not in ("gkmlpt",):
        page.sublists = sublists(url, text, page.links)
    return page
