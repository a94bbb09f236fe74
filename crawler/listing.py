"""List pages of the portal software families → report links and further list pages.

Pure functions over a page's URL and text: the spider fetches, these read. One adapter per
software family, chosen by what the page looks like:

- TRS WCM: links in the page; more pages announced by ``createPageHTML(...)``
  (index.html, index_1.html, … or list_2.shtml).
- Hanweb jcms: the first links inside ``<script type="text/xml"><datastore>`` as CDATA
  records (invisible to a plain link extractor); the rest from
  ``/module/web/jpage/dataproxy.jsp``, which answers the same records in XML.
- Plain lists: links in the page and a 下一页 / next link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit

import lxml.html
from lxml import etree

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DATE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_VAR = re.compile(r"var\s+(\w+)\s*=\s*(\d+)")
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_HANWEB_PARAM = re.compile(
    r"\b(columnid|unitid|webid|appid|col|sourceContentType|permissiontype)"
    r"\s*[=:]\s*['\"]?(\w+)"
)
_NEXT_WORDS = ("下一页", "下页", "next", "Next", ">")
HANWEB_PER_REQUEST = 45  # three pages of fifteen, as Hanweb portals answer them


@dataclass(frozen=True)
class Link:
    url: str
    title: str
    listed_date: str | None = None  # ISO date shown beside the link, if any


@dataclass
class ListPage:
    family: str
    links: list[Link] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # further list pages to fetch


def family(html: str) -> str:
    """The portal software a list page comes from: trs, hanweb or plain."""
    if "<datastore>" in html or "dataproxy.jsp" in html:
        return "hanweb"
    if "createPageHTML" in html:
        return "trs"
    return "plain"


def _iso(text: str) -> str | None:
    m = _DATE.search(text)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else None


def links_in(base_url: str, html: str) -> list[Link]:
    """Every link of a page fragment with its full title (the title attribute, since the
    text is often cut with …) and the date printed beside it."""
    html = _CONTROL.sub("", html)  # not allowed in HTML, and lxml asserts on some
    if not html.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError, AssertionError):
        return []
    out = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        title = (a.get("title") or "").strip() or "".join(a.itertext()).strip()
        holder = a.getparent()
        date = None
        while holder is not None and date is None and holder.tag not in ("div", "ul", "table"):
            date = _iso("".join(holder.itertext()))
            holder = holder.getparent()
        out.append(Link(urljoin(base_url, href), title, date))
    return out


def _trs_pages(url: str, html: str) -> list[str]:
    m = _CREATE_PAGE.search(html)
    if not m:
        return []
    names = dict(_VAR.findall(html))
    args = [a.strip().strip("'\"") for a in m.group(1).split(",")]
    values = [names.get(a, a) for a in args]
    if len(values) >= 5 and not values[0].isdigit():  # ('page_div', count, current, …)
        values = values[1:]
    try:
        count = int(values[0])
        prefix, ext = values[2], values[3]
    except (ValueError, IndexError):
        return []
    base = url.rsplit("/", 1)[0] + "/"
    return [urljoin(base, f"{prefix}_{n}.{ext}") for n in range(1, min(count, 1000))]


def _hanweb_pages(url: str, html: str, shown: int) -> list[str]:
    total = _TOTAL.search(html)
    if not total or int(total.group(1)) <= shown:
        return []
    params = dict(_HANWEB_PARAM.findall(html))
    nextgroup = _NEXTGROUP.search(html)
    if nextgroup:
        href = re.search(r"href=['\"]([^'\"]+)", nextgroup.group(1))
        if href:
            query = urlsplit(href.group(1)).query
            params.update(dict(p.split("=", 1) for p in query.split("&") if "=" in p))
    params.pop("page", None)
    proxy = urljoin(url, "/module/web/jpage/dataproxy.jsp")
    pages = []
    for start in range(shown + 1, int(total.group(1)) + 1, HANWEB_PER_REQUEST):
        query = {
            "startrecord": start,
            "endrecord": start + HANWEB_PER_REQUEST - 1,
            "perpage": 15,
            **params,
        }
        pages.append(f"{proxy}?{urlencode(query)}")
    return pages


def read_list_page(url: str, html: str, first: bool = True, kind: str | None = None) -> ListPage:
    """Links and further list pages of one page. ``first`` is False for pages reached by
    paging, whose own paging must not be followed again; ``kind`` names the software
    family when the source says which (else it is told from the page)."""
    kind = kind or family(html)
    if kind == "hanweb" or "<record>" in html:
        records = _RECORD.findall(html)
        links = [link for r in records for link in links_in(url, r)]
        pages = _hanweb_pages(url, html, len(records)) if first else []
        return ListPage("hanweb", links, pages)
    links = links_in(url, html)
    if kind == "trs":
        return ListPage("trs", links, _trs_pages(url, html) if first else [])
    nexts = [link.url for link in links if link.title.strip() in _NEXT_WORDS]
    return ListPage("plain", [link for link in links if link.url not in nexts], nexts[:1])
