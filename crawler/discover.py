"""`nianbao sources discover`: one 年报 column → a draft sources file of every agency whose
reports it lists, so that a user can start from a column instead of typing 100 agencies.

The column is read as the crawler reads it (the same adapters, its paging and sub-columns,
its own host only, robots.txt obeyed), one page at a time, at most ``max_pages`` pages.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.adapters import read_list_page
from crawler.browser import needs_render
from crawler.titles import read_title
from parsers.html import decode_html
from report.agencies import discovered_name, guess_level, normal_name, place_of
from report.sites import site_of

Fetch = Callable[[str], tuple[int, bytes, str | None]]
USER_AGENT = "nianbao/0.1 (government annual report archive)"
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class Found:
    """One agency the column's titles name, under every name they give it."""

    issuers: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    urls: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The fullest name a title gives (never one no title gives)."""
        return max(self.issuers, key=lambda n: (len(n), n))

    @property
    def aliases(self) -> list[str]:
        return sorted(self.issuers - {self.name})


@dataclass
class Column:
    url: str
    pages_read: int = 0
    pages_rendered: int = 0  # states of its first page a browser showed
    pages_failed: dict[str, str] = field(default_factory=dict)
    agencies: dict[str, Found] = field(default_factory=dict)
    unnamed: list[str] = field(default_factory=list)  # report titles naming no agency


def fetch(url: str, timeout: float = 30.0) -> tuple[int, bytes, str | None]:
    """One GET: (status, body, Content-Type); network errors as status 0."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, r.read(MAX_BYTES), r.headers.get("Content-Type")
    except urllib.error.HTTPError as exc:
        return exc.code, b"", None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return 0, str(exc).encode(), None


def _robots(url: str, get: Fetch) -> urllib.robotparser.RobotFileParser:
    parts = urlsplit(url)
    robots = urllib.robotparser.RobotFileParser()
    status, body, _ = get(f"{parts.scheme}://{parts.netloc}/robots.txt")
    robots.parse(body.decode("utf-8", "replace").splitlines() if status == 200 else [])
    return robots


Render = Callable[[str, int], tuple[list[list[tuple[str, str]]], str | None]]


def read_column(
    url: str, get: Fetch = fetch, max_pages: int = 50, render: Render | None = None
) -> Column:
    """Every report title of one column, by the agency each names. A first page whose
    static read proves nothing of the column is read by ``render`` too (a browser:
    crawler.browser.render_states), when one is given."""
    column = Column(url)
    site = site_of(url)
    robots = _robots(url, get)
    queue: list[tuple[str, str, bool]] = [(url, url, True)]
    seen = {url.split("#")[0]}
    while queue and column.pages_read < max_pages:
        page_url, column_url, first = queue.pop(0)
        if not robots.can_fetch(USER_AGENT, page_url):
            column.pages_failed[page_url] = "forbidden by robots.txt"
            continue
        status, body, content_type = get(page_url.split("#")[0])
        if status != 200:
            column.pages_failed[page_url] = f"HTTP {status}" if status else body.decode()
            continue
        column.pages_read += 1
        page = read_list_page(
            column_url if first else page_url, decode_html(body, content_type), first
        )
        links = list(page.links)
        if first and render is not None and needs_render(page):
            states, error = render(page_url.split("#")[0], max_pages - column.pages_read + 1)
            if error:
                column.pages_failed[f"{page_url} (rendered)"] = error
            column.pages_rendered += len(states)
            links += [
                link
                for documents in states
                for address, html in documents
                for link in read_list_page(address, html, False, "plain").links
            ]
        for nxt, is_first in [
            *((u, False) for u in page.requests),
            *((u, True) for u in page.sublists),
        ]:
            bare = nxt.split("#")[0]
            if site_of(nxt) == site and bare not in seen:
                seen.add(bare)
                queue.append((nxt, nxt if is_first else column_url, is_first))
        for link in dict.fromkeys(links):
            title = read_title(link.title)
            if not title.is_report:
                continue
            if not title.issuer:
                column.unnamed.append(link.title)
                continue
            found = column.agencies.setdefault(discovered_name(title.issuer), Found())
            found.issuers.add(normal_name(title.issuer))
            if title.year:
                found.years.add(title.year)
            found.urls.append(link.url)
    _merge_short_names(column.agencies)
    return column


def _merge_short_names(agencies: dict[str, Found]) -> None:
    """One agency under two names (市民政局 beside 云州市民政局): a name that only drops
    the place the other begins with is the other's."""
    for key in sorted(agencies, key=len):
        short = agencies[key]
        longer = [
            k for k, f in agencies.items() if k != key and len(k) > len(key) and k.endswith(key)
        ]
        if len(longer) == 1 and key[0] in "省市州县区旗盟镇乡":
            into = agencies[longer[0]]
            into.issuers |= short.issuers
            into.years |= short.years
            into.urls += short.urls
            del agencies[key]


def draft(column: Column) -> str:
    """The sources-file entries of a column's agencies, for the user to review: names as
    the titles give them, levels and regions guessed from the names, ids that stay the
    same for the same agency."""
    host = (urlsplit(column.url).hostname or "site").split(".")
    label = next((p for p in host if p not in ("www", "zwgk", "xxgk")), "site")
    label = "".join(c for c in label.lower() if c.isalnum()) or "site"
    lines = [
        f"# Draft from {column.url}: {column.pages_read} page(s) read"
        + (f" ({column.pages_rendered} in a browser)" if column.pages_rendered else "")
        + (f", {len(column.pages_failed)} failed" if column.pages_failed else "")
        + f", {len(column.agencies)} agencies. Review names, levels and regions before use.",
    ]
    lines += [f"# not read: {url} ({why})" for url, why in sorted(column.pages_failed.items())]
    if column.unnamed:
        lines.append(
            f"# {len(column.unnamed)} report title(s) name no agency: they are the column "
            "owner's; add the owner by hand with this list URL."
        )
    for found in sorted(column.agencies.values(), key=lambda f: f.name):
        years = ", ".join(str(y) for y in sorted(found.years)) or "no year in the titles"
        digest = hashlib.sha1(found.name.encode()).hexdigest()[:8]
        lines += [
            "",
            f"# {found.name}: {years} ({len(found.urls)} report link(s))",
            "[[agency]]",
            f'id = "{label}-{digest}"',
            f"name = {json.dumps(found.name, ensure_ascii=False)}",
            f'level = "{guess_level(found.name)}"',
        ]
        if found.aliases:
            lines.append(f"aliases = {json.dumps(found.aliases, ensure_ascii=False)}")
        if region := place_of(found.name):
            lines.append(f"region = {json.dumps(region, ensure_ascii=False)}")
        lines.append(f"list_urls = [{json.dumps(column.url, ensure_ascii=False)}]")
    return "\n".join(lines) + "\n"
