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

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.adapters.links import Link, links_in

__all__ = ["FAMILIES", "Family", "Link", "ListPage", "links_in", "read_list_page", "register"]


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


@dataclass(frozen=True)
class Family:
    """A portal software family: how its list pages are told and read.

    ``order``: families are tried from the lowest; the one whose ``detect`` always holds
    comes last. ``sublists``: its first page may lead to 更多 sub-columns. ``next_links``:
    its further pages are found by following links, so a link back to a page already read
    is a loop (the other families compute their pages from what the column announces)."""

    name: str
    detect: Callable[[str, str], bool]
    read: Callable[[str, str, bool], ListPage]
    order: int
    sublists: bool = True
    next_links: bool = False


FAMILIES: dict[str, Family] = {}


def register(family: Family) -> Family:
    """Called by each adapter module as it is imported."""
    if family.name in FAMILIES:
        raise ValueError(f"portal family {family.name!r} registered twice")
    FAMILIES[family.name] = family
    return family


def _by_order() -> list[Family]:
    return sorted(FAMILIES.values(), key=lambda f: f.order)


def read_list_page(url: str, text: str, first: bool = True, family: str | None = None) -> ListPage:
    """Read one list page. ``url`` is the page's address — for a column's first page, as
    the sources file gives it (a fragment may name the column: ``…/gkmlpt/index#721``);
    ``first`` is False for pages reached by paging; ``family`` names the family when the
    source says which (else it is told from the page)."""
    adapter = FAMILIES.get(family or "") or next(f for f in _by_order() if f.detect(url, text))
    page = adapter.read(url, text, first)
    if first and adapter.sublists:
        page.sublists = sublists(url, text, page.links)
    return page


# Every module of this package but the shared link reader is an adapter: importing it
# registers its family, so a new family is a new module and nothing else.
for _module in pkgutil.iter_modules(__path__):
    if _module.name != "links":
        importlib.import_module(f"{__name__}.{_module.name}")
