"""TRS WCM lists: links in the page; further pages announced by a pager script.

- ``createPageHTML(count, current, prefix, ext)`` numbers pages from 0: prefix.ext,
  prefix_1.ext … prefix_{count-1}.ext;
- ``createPageHTML('div', count, current, prefix, ext, total)`` numbers them from 1:
  prefix.ext, prefix_2.ext … prefix_count.ext, and announces the total of records;
- an inline pager (``var countPage = N``, ``currentPage``) without createPageHTML numbers
  them like the first, after the list page's own file name.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.adapters import MAX_REQUESTS, Family, ListPage, register
from crawler.adapters.links import links_in

NAME = "trs"
_CREATE_PAGE = re.compile(r"(?<!function\s)createPageHTML\s*\(([^)]*)\)")
_VAR = re.compile(r"var\s+(\w+)\s*=\s*(\d{1,15})")
_COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*(\d{1,15})")
_INLINE_PREFIX = re.compile(r"""href=\\?["'](\w+)["']?\s*\+\s*["']_["']""")


def detect(url: str, text: str) -> bool:
    return "createPageHTML" in text or bool(_COUNT_PAGE.search(text))


def _pager(url: str, text: str) -> tuple[list[str], int | None, int | None]:
    """(further pages, pages announced, records announced)."""
    base = url.split("#")[0].rsplit("/", 1)[0] + "/"
    m = _CREATE_PAGE.search(text)
    if m:
        names = dict(_VAR.findall(text))
        args = [a.strip().strip("'\"") for a in m.group(1).split(",")]
        values = [names.get(a, a) for a in args]
        one_based = len(values) >= 5 and not values[0].isdigit()
        if one_based:  # ('page_div', count, current, prefix, ext, total)
            values = values[1:]
        try:
            count = int(values[0])
            prefix, ext = values[2], values[3]
        except (ValueError, IndexError):
            return [], None, None
        total = int(values[4]) if len(values) > 4 and values[4].isdigit() else None
        numbers = range(2, count + 1) if one_based else range(1, count)
    else:
        c = _COUNT_PAGE.search(text)
        if not c:
            return [], None, None
        count, total = int(c.group(1)), None
        name = urlsplit(url).path.rsplit("/", 1)[-1] or "index.html"
        stem, _, ext = name.rpartition(".")
        inline = _INLINE_PREFIX.search(text)
        prefix = inline.group(1) if inline else (stem or "index")
        ext = ext if stem else "html"
        numbers = range(1, count)
    pages = [urljoin(base, f"{prefix}_{n}.{ext}") for n in numbers[:MAX_REQUESTS]]
    return pages, count, total


def read(url: str, text: str, first: bool) -> ListPage:
    links = links_in(url, text)
    pages, count, total = _pager(url, text) if first else ([], None, None)
    return ListPage(
        NAME,
        links,
        pages,
        records=sum(1 for link in links if link.listed_date),
        pages_announced=count,
        records_announced=total,
    )


register(Family(NAME, detect, read, order=30))
