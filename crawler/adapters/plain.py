"""Plain lists: links, and a 下一页 / next link to the rest. The column ends where a page
has no next link (or one to itself); how long it is, its pager may say (共N页). A first
page without pager links may have a pager its script draws: read from the script
(crawler.scriptpager)."""

from __future__ import annotations

import re

from crawler.adapters import Family, ListPage, register, unreadable_signs
from crawler.adapters.links import Link, as_fetched, links_in
from crawler.scriptpager import further_pages

NAME = "plain"
_NEXT_WORDS = ("下一页", "下页", "next", "Next", "下一页>", "下一页>>", ">")
_LAST_WORDS = ("尾页", "末页", "最后一页", "尾 页", "last", "Last")
# 共5页; AspNetPager's 总页数：<font><b>5</b></font>.
_PAGE_COUNT = re.compile(
    r"共\s*(\d{1,15})\s*页|总页数\s*[:：]?\s*(?:<[^<>]{0,80}>\s*){0,4}(\d{1,15})"
)
_SCRIPT_PAGER = re.compile(
    r"""href\s*=\s*["']javascript:[^"']*["'][^>]*>\s*(?:下一页|下页|尾页|\d+)\s*<""", re.I
)


def detect(url: str, text: str) -> bool:
    return True


def read(url: str, text: str, first: bool) -> ListPage:
    links = links_in(url, text)
    # The page's own address as its links spell it or as it was fetched (escaped).
    here = as_fetched(url.split("#")[0])
    pager = [link for link in links if _is_pager(link)]
    last = next(
        (u.url for u in links if u.title.strip() in _LAST_WORDS and as_fetched(u.url) != here),
        None,
    )
    requests = list(dict.fromkeys(u.url for u in pager if as_fetched(u.url) != here))
    if last is not None and last not in requests:
        requests.append(last)
    scripted = further_pages(url, text) if first and not requests else None
    if scripted is not None:  # no pager link: the pages its script would go to
        requests = scripted[0]
    items = [link for link in links if link not in pager and link.title.strip() not in _LAST_WORDS]
    counts = _page_counts(text)
    records = sum(1 for link in items if link.listed_date)
    # What a list item looks like (a document's title), dated or not: none at all is a
    # shell whose list is drawn elsewhere.
    seen = sum(1 for link in items if link.listed_date or len(link.title.strip()) >= 8)
    signs = unreadable_signs(text, seen)
    more_pages = _has_pager(text, counts)
    shown = bool(pager) or last is not None or more_pages
    nexts = [u for u in pager if u.title.strip() in _NEXT_WORDS and as_fetched(u.url) != here]
    return ListPage(
        NAME,
        items,
        requests,
        records=records,
        pages_announced=scripted[1]
        if scripted is not None
        else (max(counts) if len(set(counts)) == 1 else None),
        unrecognized_paging=first and not requests and more_pages,
        # The last page: a pager it could read shows no next page, or there is no pager
        # and nothing on the page a static read could not read.
        ends_here=(not nexts and (bool(pager) or last is not None)) if shown else not signs,
        last_page=last,
        unreadable=signs,
    )


def _page_counts(text: str) -> list[int]:
    return [int(a or b) for a, b in _PAGE_COUNT.findall(text)]


def _is_pager(link: Link) -> bool:
    """下一页 / next, or a page number (2, 3 …)."""
    title = link.title.strip()
    return title in _NEXT_WORDS or (title.isdigit() and 1 < int(title) < 10_000)


def _has_pager(text: str, counts: list[int]) -> bool:
    """A first page without pager links that still shows more pages: a script pager, or
    共N页 with N over one (``counts``: the page counts it gives)."""
    return any(n > 1 for n in counts) or bool(_SCRIPT_PAGER.search(text))


register(Family(NAME, detect, read, order=99, next_links=True))
