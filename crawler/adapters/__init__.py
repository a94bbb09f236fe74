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

from crawler.adapters.links import QUOTED_ADDRESS, Link, links_in

__all__ = [
    "FAMILIES",
    "YEAR_TAB",
    "Family",
    "Link",
    "ListPage",
    "links_in",
    "read_list_page",
    "register",
]


@dataclass
class ListPage:
    """What one list page says. ``records`` counts the items it lists (links that carry a
    listing date, or a family's own records); ``announced_*`` are what the column says of
    its size, where it says so; ``unrecognized_paging`` marks a page that shows a pager no
    adapter could read.

    What proves the column's end, besides its announced size being reached: ``ends_here``,
    the page itself says it is the last (a pager without a next page, a short last group,
    a page with no pager and nothing on it the static read could not read); ``last_page``,
    the page its 尾页 link names, once read. ``unreadable`` says what on the page a
    static read cannot read (a list drawn by scripts, an iframe, a postback form)."""

    family: str
    links: list[Link] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    sublists: list[str] = field(default_factory=list)
    records: int = 0
    pages_announced: int | None = None
    records_announced: int | None = None
    unrecognized_paging: bool = False
    ends_here: bool = False
    last_page: str | None = None
    unreadable: list[str] = field(default_factory=list)


# No page announces more further requests than this (a hostile total of 10¹² must not
# allocate them); the crawler's own per-list cap is lower, and a column longer than it is
# recorded as not read to its end.
MAX_REQUESTS = 2_000

# A pager a reader can see: 下一页, 尾页, 共N页, page numbers.
_PAGER = re.compile(r"下一页|下页|尾页|末页|共\s*\d+\s*页|第\s*\d+\s*页|next\s*page", re.I)
_MORE = re.compile(r"^\s*(?:更多|更多>+|more|MORE|>>)\s*[>»]*\s*$")
_REPORT_WORDS = re.compile(r"年报|年度报告|(?:19|20)\d{2}")
# A year tab's whole text: 2023, 2023年, 2023年度, 2023年度年报 (a column split into one
# list a year: static links here, tabs a script switches in crawler.browser).
YEAR_TAB = re.compile(r"^\s*(?:19|20)\d{2}\s*年?度?(?:年报|年度报告)?\s*$")


def looks_paged(text: str) -> bool:
    return bool(_PAGER.search(text))


# What a static read cannot read: lists that scripts draw or fetch, frames, postbacks.
_SIGNS = {
    "iframe": re.compile(r"<i?frame\b[^>]*\bsrc\s*=\s*[\"']?(?!about:|[\"'>\s])", re.I),
    "postback": re.compile(r"__doPostBack|__VIEWSTATE", re.I),
    "script_list": re.compile(
        r"\$\.(?:ajax|get|post|getJSON)\s*\(|\.load\s*\(\s*['\"]|\bfetch\s*\(|XMLHttpRequest"
        r"|\baxios\b|new\s+Vue\b|\bv-for=|\binitData\b|\blaypage\b|\bjsonp\b",
        re.I,
    ),
    # A pager a script draws from its own numbers (var pageCount = 5; pageIndex: 1).
    "script_pager": re.compile(
        r"\b(?:page_?(?:count|index|num|no|size|total)|total_?pages?|count_?page|max_?page"
        r"|pages_?count)\w*[\"']?\s*[:=]\s*[\"']?\d",
        re.I,
    ),
}


# A link a script follows (onclick, javascript:): read where it quotes an address.
_SCRIPTED_LINK = re.compile(
    r"<a\b[^>]*?(?:\bonclick\s*=|href\s*=\s*[\"']?javascript:(?!\s*(?:void|;|[\"'])))[^>]*>",
    re.I,
)


def unreadable_signs(text: str, items: int) -> list[str]:
    """What on a page may hold list items a static read cannot see; ``items``: how many
    it did see (none at all is a sign too: a shell whose list is drawn elsewhere)."""
    found = [name for name, sign in _SIGNS.items() if sign.search(text)]
    if any(not QUOTED_ADDRESS.search(m.group(0)) for m in _SCRIPTED_LINK.finditer(text)):
        found.append("script_links")
    return found if items else [*found, "no_items"]


def sublists(url: str, text: str, links: list[Link]) -> list[str]:
    """Sub-columns a landing page leads to: 更多 links under the column's own folder or
    under a heading that names 年报 or a year, and year tabs (2023年度, 2022年) under the
    column's own folder — a column split into one list a year."""
    folder = url.rsplit("/", 1)[0] + "/"
    here = url.split("#")[0]
    out = []
    for link in links:
        if link.url in out or link.url.split("#")[0] == here:
            continue
        if _MORE.match(link.title):
            if link.url.startswith(folder) or _heading_names_reports(text, link.url):
                out.append(link.url)
        elif YEAR_TAB.match(link.title) and link.url.startswith(folder):
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
