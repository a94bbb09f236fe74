"""The one spider: the 年报 columns of the sources file → report groups for the archive.

Data drives it: every agency's ``list_urls`` are read by the adapter of their portal
family (crawler.adapters), each column to its end — every page it announces, each page
once, at most ``NIANBAO_LIST_PAGE_CAP`` of them — and what it read of each is kept, so that
a year without a report is called missing only where the column was read whole. Report
links go to the agency their title names (report.agencies), or to nobody: a title naming
an agency the sources file lacks is recorded as a discovered agency. Each report's page is
fetched with its attachments; a 更正 is fetched as a document related to its report.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.adapters import FAMILIES, ListPage, read_list_page
from crawler.browser import (
    CHALLENGE_STATUSES,
    SECONDS_PER_PAGE,
    click_next,
    click_tab,
    close_page,
    complete,
    fingerprint,
    is_challenge,
    loaded,
    needs_render,
    rendered_documents,
    rendered_html,
    rendered_key,
    settle,
    watched,
    year_tabs,
)
from crawler.completeness import Health, Ledger, ListRead
from crawler.items import Doc, RelatedDoc, ReportGroup
from crawler.pages import attachments, continuation_pages, drawn_by_scripts
from crawler.titles import read_title
from parsers.dates import now
from parsers.document import Limits
from parsers.html import content_pictures, decode_html, page_date
from parsers.sniff import sniff
from report.agencies import AgencyIndex, discovered_name, guess_level
from report.sites import site_of
from storage.sources import load_sources

log = logging.getLogger(__name__)
# Statuses our callbacks see (and judge) instead of Scrapy dropping them.
SEEN_STATUSES = [304, 400, 401, 403, 404, 410, 412, 429, 500, 502, 503, 504, 521]
_HOME_PATHS = ("", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/default.htm")
DEFAULT_PAGE_CAP = 500
# A picture in a report page larger than this is not fetched (a table's is 10–300 KB).
MAX_PICTURE_BYTES = 10 * 1024 * 1024


# What Playwright says when a request's browser context or browser closed under it.
_BROWSER_GONE = re.compile(
    r"Failed to find browser context|has been closed|Target closed|Browser closed", re.I
)


def _in_browser(url: str, seconds: float) -> dict[str, Any]:
    """A request's meta that has Chromium fetch it and hand the callback its page; a
    host's pages share one browser context, and with it the cookies a challenge set."""
    meta = {
        "playwright": True,
        "playwright_include_page": True,
        "playwright_context": site_of(url),
        "handle_httpstatus_list": SEEN_STATUSES,
    }
    return watched(meta, seconds)


async def _close_page(request: scrapy.Request) -> None:
    """A browser page a failed request leaves open (playwright_include_page hands it to
    the errback): left open, it holds one of its host's pages for the rest of the crawl."""
    loaded(request.meta)
    page = request.meta.get("playwright_page")
    if page is not None:
        await close_page(page)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(
        self,
        sources: str = "agencies.toml",
        db: str = "nianbao.db",
        agency: str = "",
        year: str = "",
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        # A host that is down fails its robots.txt first, and Scrapy logs that with a whole
        # traceback; the same failure is reported once, in a line, by the source health.
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
        rows = load_sources(sources, FAMILIES)
        wanted = [a for a in agency.split(",") if a]
        unknown = set(wanted) - {r["id"] for r in rows}
        if unknown:
            raise ValueError(f"{sources}: no agency {', '.join(sorted(unknown))}")
        self.db_path = db
        self.rows = rows  # the archive pipeline loads them into the archive
        self.agencies = {r["id"]: r for r in rows if not wanted or r["id"] in wanted}
        self.years = {int(y) for y in year.split(",") if y}
        # Titles are matched against every agency, so that a title naming another one is
        # never given to the column's owner.
        self.names = AgencyIndex.from_rows(rows)
        self.hosts = {
            aid: {site_of(u) for u in json.loads(r["list_urls"])}
            | {h.lower() for h in json.loads(r["allowed_hosts"])}
            for aid, r in self.agencies.items()
        }
        # Only the agencies' own hosts and ports, after redirects too (crawler.middlewares
        # .OwnHosts); Scrapy's own offsite check knows no ports.
        self.own_hosts = set().union(*self.hosts.values()) - {""}
        self.lists: dict[str, list[str]] = {}
        for aid, r in self.agencies.items():
            for url in json.loads(r["list_urls"]):
                self.lists.setdefault(url, []).append(aid)
        self.ledger = Ledger(
            reads={url: ListRead(url) for url in self.lists},
            health={
                aid: Health(lists=json.loads(r["list_urls"])) for aid, r in self.agencies.items()
            },
            names={aid: r["name"] for aid, r in self.agencies.items()},
        )
        if wanted or self.years:
            everyone: dict[str, set[str]] = {}
            for r in rows:
                for url in json.loads(r["list_urls"]):
                    everyone.setdefault(url, set()).add(r["id"])
            self.ledger.evidence = (
                set()
                if self.years
                else {url for url in self.lists if everyone[url] <= set(self.agencies)}
            )
        self.reads, self.health = self.ledger.reads, self.ledger.health
        self.groups: dict[str, ReportGroup] = {}
        self.seen_pages: set[tuple[str, str]] = set()  # (page URL, agency id)
        self.counts: dict[str, int] = {}
        self.limits = Limits()
        self.reads_pictures = False
        # Cookies a browser got past a host's script challenge with: {site: {name: value}}.
        self.cookies: dict[str, dict[str, str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.limits = Limits(ocr=crawler.settings.get("NIANBAO_OCR", "auto"))
        if spider.limits.ocr != "off":
            from parsers import ocr

            # A report page's pictures are fetched only where they can be read.
            spider.reads_pictures = ocr.available()
        # The archive of this crawl, for the components that read and write it.
        crawler.settings.set("NIANBAO_DB", spider.db_path, priority="spider")
        return spider

    @property
    def page_cap(self) -> int:
        return self.settings.getint("NIANBAO_LIST_PAGE_CAP", DEFAULT_PAGE_CAP)

    @property
    def render_seconds(self) -> float:
        """What a page in the browser may take to load, settle, or show its next page."""
        return self.settings.getfloat("NIANBAO_RENDER_SECONDS", SECONDS_PER_PAGE)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n
        self.crawler.stats.inc_value(f"nianbao/{name}", n)

    # -- list pages -----------------------------------------------------------------------

    def _in_host_turns(self) -> list[tuple[str, list[str]]]:
        """The columns one host at a time in turn: the crawl takes its first requests in
        this order, so a host listed many times in a row in the sources file is not all
        the crawl is busy with while every other host waits."""
        by_host: dict[str, list[tuple[str, list[str]]]] = {}
        for url, owners in self.lists.items():
            by_host.setdefault(site_of(url), []).append((url, owners))
        turns = itertools.zip_longest(*by_host.values())
        return [column for turn in turns for column in turn if column is not None]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        last_year = int(now()[:4]) - 1
        for url, owners in self._in_host_turns():
            if "{year}" not in url:
                self.reads[url].want(url, self.page_cap)
                try:
                    request = self._list_request(url, url, column=url, first=True)
                except ValueError as exc:  # a list URL Scrapy cannot fetch: this source only
                    self._list_error(url, url, f"unreachable: not a URL Scrapy can fetch ({exc})")
                    continue
                yield request
                continue
            # One URL per unit and year (Hanweb's xxgkAnnualReport.jsp?…&fbtime={year}):
            # the report pages themselves, no list to read; the "list" is read to its end
            # when every year's URL has answered (a 404: no report that year).
            for agency_id in owners:
                row = self.agencies[agency_id]
                for year in range(row["since"], last_year + 1):
                    if self.years and year not in self.years:
                        continue
                    title = f"{row['name']}{year}年政府信息公开工作年度报告"
                    group = ReportGroup(agency_id, year, title, url.format(year=year))
                    self.reads[url].want(group.page_url, self.page_cap)
                    request = self._document_request(
                        group.page_url, self.parse_page, group, by_year=True
                    )
                    request.meta["year_list"] = url
                    yield request

    def _list_request(self, url: str, list_url: str, column: str, first: bool) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_list,
            errback=self.list_failed,
            cb_kwargs={"list_url": list_url, "column": column, "first": first},
            meta={"handle_httpstatus_list": SEEN_STATUSES},
            cookies=self.cookies.get(site_of(url), {}),
            dont_filter=True,
        )

    def _list_error(self, list_url: str, url: str, error: str) -> None:
        self.count("list_errors")
        self.reads[list_url].page_failed(url, error)
        named = ", ".join(f"{a} ({self.agencies[a]['name']})" for a in self.lists[list_url])
        log.warning("%s: list page %s: %s", named, url, error)

    def list_failed(self, failure: Any) -> None:
        request = failure.request
        self._list_error(
            request.cb_kwargs["list_url"], request.url, f"unreachable: {failure.getErrorMessage()}"
        )

    def parse_list(
        self, response: Response, list_url: str, column: str, first: bool
    ) -> Iterator[Any]:
        owners = self.lists[list_url]
        read = self.reads[list_url]
        asked = (response.meta.get("redirect_urls") or [response.url])[0]
        if is_challenge(response) and self._render_mode(owners) != "never":
            # A script that sets a cookie and reloads: a browser passes it, as a person's.
            self.count("challenges")
            read.handed_over(asked)
            yield self._render_request(asked, list_url, column)
            return
        if response.status >= 400:
            self._list_error(list_url, asked, f"http_error: HTTP {response.status}")
            return
        if response.meta.get("redirect_urls") and (
            urlsplit(response.url).path in _HOME_PATHS or "login" in response.url.lower()
        ):
            self._list_error(list_url, asked, f"redirected: sent to {response.url}")
            return
        self.count("list_pages")
        text = decode_html(response.body, _header(response, "Content-Type"))
        family = next((self.agencies[a].get("family") for a in owners), None)
        # A column's first page is read at the address the sources file gives, whose
        # fragment may name the column (…/gkmlpt/index#721).
        page = read_list_page(column if first else response.url, text, first, family)
        read.page_read(asked, column, page)
        if first and self._wants_render(owners, page):
            yield self._render_request(asked, list_url, column)
        hosts = set.intersection(*(self.hosts[a] for a in owners))
        for url in page.requests:
            if site_of(url) not in hosts:
                self.count("offsite_list_pages")
                continue
            if read.seen(url):
                if FAMILIES[page.family].next_links and url != asked:
                    read.looped(url)  # a next link back to a page already read
                continue
            if read.want(url, self.page_cap):
                yield self._list_request(url, list_url, column, first=False)
        for url in page.sublists:
            if site_of(url) in hosts and read.want(url, self.page_cap):
                yield self._list_request(url, list_url, url, first=True)
        for link in page.links:
            yield from self._listed(link, owners, response.url, read)

    # -- list pages a browser reads ----------------------------------------------------

    def _render_mode(self, owners: list[str]) -> str:
        """never (no browser, or the source says so), always, or auto."""
        if self.settings.get("NIANBAO_RENDER", "off") == "off":
            return "never"
        return next((self.agencies[a].get("render") for a in owners), None) or "auto"

    def _wants_render(self, owners: list[str], page: ListPage) -> bool:
        """A first page is rendered when its source says so, or when what the static read
        found proves nothing of the column's end and leads nowhere further."""
        mode = self._render_mode(owners)
        return mode == "always" if mode != "auto" else needs_render(page)

    def _render_request(self, url: str, list_url: str, column: str) -> scrapy.Request:
        self.reads[list_url].want(rendered_key(url, 1), self.page_cap)
        return scrapy.Request(
            url,
            callback=self.parse_rendered,
            errback=self.render_failed,
            cb_kwargs={"list_url": list_url, "column": column},
            meta=_in_browser(url, self.render_seconds),
            dont_filter=True,
        )

    async def render_failed(self, failure: Any) -> None:
        request = failure.request
        await _close_page(request)
        message = failure.getErrorMessage().splitlines()[0] if failure.getErrorMessage() else ""
        if _BROWSER_GONE.search(message) and not request.meta.get("nianbao_retried"):
            # The host's browser context was closed under the request (a page that would
            # not close took it along): asked once more, in a new context.
            self.count("render_retried")
            meta = {**_in_browser(request.url, self.render_seconds), "nianbao_retried": True}
            self.crawler.engine.crawl(request.replace(meta=meta))
            return
        if "Timeout" in message:
            message = (
                f"the page did not load in {self.render_seconds:g} s (a script challenge "
                "that never passes, or a page that never finishes loading)"
            )
        self._list_error(
            request.cb_kwargs["list_url"],
            rendered_key(request.url, 1),
            f"render_failed: {message[:300]}",
        )

    async def parse_rendered(
        self, response: Response, list_url: str, column: str
    ) -> AsyncIterator[Any]:
        """A column's first page as a browser shows it, and each page its next control
        leads to: the links of every state, counted like static pages under keys of
        their own (``rendered_key``)."""
        loaded(response.meta)
        page = response.meta.get("playwright_page")
        owners, read = self.lists[list_url], self.reads[list_url]
        base = response.url.split("#")[0]
        if page is None:
            self._list_error(list_url, rendered_key(base, 1), "render_failed: no browser page")
            return
        seconds = self.render_seconds
        error = await settle(page, response.status, seconds)
        if error is not None:
            await close_page(page)
            self._list_error(list_url, rendered_key(base, 1), f"render_failed: {error}")
            return
        if response.status in CHALLENGE_STATUSES:
            # Passed: the host's other pages are asked for with the cookies it set.
            self.count("challenges_passed")
            for cookie in await page.context.cookies():
                self.cookies.setdefault(site_of(base), {})[cookie["name"]] = cookie["value"]
        # What the static read could not read of this column, the browser has read.
        read.cut.discard("unrecognized_paging")
        read.rendered_instead(base, column)
        read.family = "rendered"
        state = _Rendered(page, read)
        try:
            async for out in self._page_through(state, base, owners, column):
                yield out
            if state.step == "end":
                # A column split into one list a year, the year switched by a script.
                for text in await year_tabs(page):
                    if not await click_tab(
                        page, text, fingerprint(await rendered_html(page)), seconds
                    ):
                        continue
                    await settle(page, 200, seconds)
                    # Each year's list is a part of the column that proves its own end.
                    tab = f"{column}#{text}"
                    async for out in self._page_through(state, base, owners, tab, tab=True):
                        yield out
                    if state.step == "cap":
                        break
        finally:
            await close_page(page)

    async def _page_through(
        self, state: _Rendered, base: str, owners: list[str], column: str, tab: bool = False
    ) -> AsyncIterator[Any]:
        """The list a browser page shows, and each page its pager leads to, until the
        pager shows its last page, a page shows nothing new, or the cap or time runs out:
        ``state.step`` then says which. Its end is proved only by a pager's last page (or
        by a page without a pager), never by a page that shows nothing new. A ``tab``
        whose first page shows nothing new is the list shown before any tab was clicked."""
        page, read, seconds = state.page, state.column_read, self.render_seconds
        at, step = 0, "next"
        while step == "next":
            key = rendered_key(base, state.n + 1)
            if not read.want(key, self.page_cap) and state.n:
                step = "cap"  # the column's page cap: recorded by want
                break
            self.count("rendered_pages")
            at += 1
            new, html, announced = await state.look()
            if not new and at > 1:  # the next page may still be arriving: once more
                await asyncio.sleep(0.5)
                await settle(page, 200, seconds)
                new, html, announced = await state.look()
            if tab and at == 1 and not new:
                read.handed_over(key)  # the tab shown before any was clicked: read already
                step = "seen"
                break
            # A page a click led to that shows nothing new: the pager went round, or the
            # click loaded nothing; the end is not proved. A first page with nothing on it
            # is a list a browser shows as empty: its pager, if any, says whether it ends.
            if new or at == 1:
                step = await click_next(page, fingerprint(html), seconds, at)
            else:
                step = "repeat"
            if step == "end" and not await complete(page):
                step = "unknown"  # a page still loading (a frame not there yet) proves no end
            if step == "next":
                await settle(page, 200, seconds)
            if step == "stuck":
                read.page_failed(key, "render_timeout: the next page did not appear")
            state.count(key, column, new, announced, ends_here=step == "end")
            for out in self._all_listed(new, owners, base, read):
                yield out
        state.step = step

    def _all_listed(
        self, links: list[Any], owners: list[str], list_page: str, read: ListRead
    ) -> Iterator[Any]:
        for link in links:
            yield from self._listed(link, owners, list_page, read)

    def _listed(
        self, link: Any, owners: list[str], list_page: str, read: ListRead
    ) -> Iterator[Any]:
        """One link of a list page: a report for an agency, a related document, or a
        counted reason why not."""
        title = read_title(link.title)
        if title.kind == "not_report":
            return
        if not title.is_report:
            self.count(f"links_not_report/{title.kind}")
            if title.kind == "correction":
                yield from self._related(link, owners, list_page)
            return
        found = self.names.attribute(title.issuer, owners, site_of(list_page))
        if found.agency_id is None or found.agency_id not in self.agencies:
            self.count("titles_unassigned")
            self.count(f"titles_unassigned/{found.reason}")
            read.not_assigned(link.title, link.url, found.issuer, found.reason)
            if found.reason == "unknown":
                self._discover(found.issuer, title.year, link.url, list_page, owners)
            log.info("report title not given to an agency (%s): %s", found.reason, link.title)
            return
        agency_id = found.agency_id
        self.health[agency_id].reports_found += 1
        if self.years and title.year is not None and title.year not in self.years:
            return
        if site_of(link.url) not in self.hosts[agency_id]:
            self.count("offsite_links")
            return
        if (link.url, agency_id) in self.seen_pages:
            return
        self.seen_pages.add((link.url, agency_id))
        self.count("report_links")
        group = ReportGroup(agency_id, title.year, link.title, link.url, link.listed_date)
        yield self._document_request(link.url, self.parse_page, group)

    def _discover(
        self, issuer: str, year: int | None, url: str, list_page: str, owners: list[str]
    ) -> None:
        name = discovered_name(issuer)
        found = self.ledger.discovered.setdefault(
            name,
            {
                "name": name,
                "issuer": issuer,
                "level": guess_level(name),
                "list_urls": set(),
                "years": set(),
                "urls": set(),
                "region": self.agencies[owners[0]].get("region") if owners else None,
            },
        )
        found["list_urls"].add(list_page)
        found["years"].add(year)
        found["urls"].add(url)

    def _related(self, link: Any, owners: list[str], list_page: str) -> Iterator[Any]:
        """A 更正 of a report: archived beside the report it corrects, never the report."""
        issuer = read_title(link.title.replace("更正", "")).issuer
        found = self.names.attribute(issuer, owners, site_of(list_page))
        agency_id = found.agency_id if found.agency_id in self.agencies else None
        if agency_id is None or site_of(link.url) not in self.hosts[agency_id]:
            return
        related = RelatedDoc(link.url, "correction", link.title, agency_id)
        yield scrapy.Request(
            link.url,
            callback=self.parse_related,
            errback=self.related_failed,
            cb_kwargs={"related": related},
            meta={"handle_httpstatus_list": SEEN_STATUSES, "conditional": True},
            dont_filter=True,
        )

    def parse_related(self, response: Response, related: RelatedDoc) -> Iterator[Any]:
        self.count("related_documents")
        related.doc = self._doc(response)
        yield related

    def related_failed(self, failure: Any) -> None:
        self.count("related_failed")

    # -- report pages and attachments -----------------------------------------------------

    def _document_request(
        self, url: str, callback: Any, group: ReportGroup, by_year: bool = False
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.document_failed,
            cb_kwargs={
                "page_url": group.page_url,
                "agency_id": group.agency_id,
                "year": group.year,
                "title": group.title,
                "listed_date": group.listed_date,
                "by_year": by_year,
            },
            # Asked for conditionally (crawler.middlewares.ConditionalRequests).
            meta={"handle_httpstatus_list": SEEN_STATUSES, "conditional": True},
            cookies=self.cookies.get(site_of(url), {}),
            dont_filter=True,
        )

    def _doc(self, response: Response) -> Doc:
        url = (response.meta.get("redirect_urls") or [response.url])[0]
        doc = Doc(
            url,
            final_url=response.url,
            status=response.status,
            content_type=_header(response, "Content-Type"),
            last_modified=_header(response, "Last-Modified"),
            etag=_header(response, "ETag"),
        )
        if response.status == 304:
            doc.known_sha = response.meta.get("archived_sha")
            doc.from_archive = bool(response.meta.get("from_archive"))
        elif response.status >= 400:
            doc.error = f"HTTP {response.status}"
        else:
            doc.body = response.body
        return doc

    @staticmethod
    def _new_group(kw: dict[str, Any], docs: list[Doc], pending: int = 0) -> ReportGroup:
        """The report group a request's cb_kwargs describe."""
        return ReportGroup(
            kw["agency_id"],
            kw["year"],
            kw["title"],
            kw["page_url"],
            kw["listed_date"],
            docs,
            pending,
        )

    @staticmethod
    def _key(agency_id: str, page_url: str) -> str:
        return f"{agency_id}|{page_url}"

    def parse_page(self, response: Response, **kw: Any) -> Iterator[Any]:
        if year_list := response.meta.get("year_list"):
            asked = (response.meta.get("redirect_urls") or [response.url])[0]
            if response.status >= 400 and response.status not in (404, 410):
                self.reads[year_list].page_failed(asked, f"http_error: HTTP {response.status}")
            else:
                # Each year's URL is its own last page: the years asked for are the column.
                self.reads[year_list].page_read(
                    asked, year_list, ListPage("by_year", ends_here=True)
                )
        if kw["by_year"] and response.status in (404, 410):
            return  # a per-year URL answering 404: no report that year, not a fault
        self.count("report_pages")
        if kw["by_year"]:
            self.health[kw["agency_id"]].reports_found += 1
        doc = self._doc(response)
        group = self._new_group(kw, [doc])
        body = doc.body
        if doc.known_sha:  # unchanged: its attachments are read from the archived copy
            body = response.meta.get("archived_body")
        links: list[str] = []
        parts: list[str] = []
        pictures: list[str] = []
        html = None
        if body is not None and sniff(body) == "html":
            html = decode_html(body, doc.content_type)
            if doc.known_sha:
                # A new page's date is read where it is parsed, off the crawler's loop
                # (the pipeline's workers); an unchanged page is parsed by nobody.
                doc.page_date = page_date(html)
            links = self._own(group.agency_id, attachments(response.url, html))
            parts = self._own(group.agency_id, continuation_pages(response.url, html))
            if self.reads_pictures and not links and not doc.known_sha:
                # Its tables may be pictures: fetched, to be read by OCR in their places.
                pictures = self._own(group.agency_id, content_pictures(response.url, html))
        if (
            not links
            and not parts
            and not pictures
            and html is not None
            and not doc.known_sha
            and self._render_mode([group.agency_id]) != "never"
            and drawn_by_scripts(html)
        ):
            # Its text is drawn by scripts: read the page as a browser shows it.
            self.count("report_pages_to_render")
            yield scrapy.Request(
                response.url,
                callback=self.parse_page_rendered,
                errback=self.rendered_page_failed,
                cb_kwargs=response.request.cb_kwargs,
                meta=_in_browser(response.url, self.render_seconds),
                dont_filter=True,
            )
            return
        yield from self._group_or_attachments(group, links, parts, pictures)

    async def parse_page_rendered(self, response: Response, **kw: Any) -> AsyncIterator[Any]:
        """A report page whose text scripts draw: the rendered page (its frames after it)
        is the page's document, and its attachments are those the rendered page shows."""
        loaded(response.meta)
        page = response.meta.get("playwright_page")
        doc = self._doc(response)
        group = self._new_group(kw, [doc])
        links: list[str] = []
        if page is not None:
            try:
                if await settle(page, response.status, self.render_seconds) is None:
                    documents = await rendered_documents(page)
                    doc.body = "\n".join(html for _, html in documents).encode("utf-8")
                    doc.content_type = "text/html; charset=utf-8"
                    links = self._own(
                        group.agency_id,
                        [u for address, html in documents for u in attachments(address, html)],
                    )
            finally:
                await close_page(page)
        for out in self._group_or_attachments(group, list(dict.fromkeys(links)), []):
            yield out

    async def rendered_page_failed(self, failure: Any) -> AsyncIterator[Any]:
        await _close_page(failure.request)
        for out in self.document_failed(failure):
            yield out

    def _own(self, agency_id: str, urls: list[str]) -> list[str]:
        """The addresses on the agency's own sites."""
        return [u for u in urls if site_of(u) in self.hosts[agency_id]]

    def _group_or_attachments(
        self,
        group: ReportGroup,
        links: list[str],
        parts: list[str],
        pictures: list[str] | None = None,
    ) -> Iterator[Any]:
        """The group itself when its page is all there is, else the requests of its
        attachments, further parts and pictures (the group follows when they have
        answered)."""
        pictures = pictures or []
        if not links and not parts and not pictures:
            yield group
            return
        group.pending = len(links) + len(parts) + len(pictures)
        self.groups[self._key(group.agency_id, group.page_url)] = group
        for url in links:
            yield self._document_request(url, self.parse_attachment, group)
        for kind, urls in (("part", parts), ("picture", pictures)):
            for url in urls:
                request = self._document_request(url, self.parse_attachment, group)
                request.meta[kind] = True
                if kind == "picture":
                    request.meta["download_maxsize"] = MAX_PICTURE_BYTES
                yield request

    def parse_attachment(self, response: Response, **kw: Any) -> Iterator[Any]:
        doc = self._doc(response)
        doc.part = bool(response.meta.get("part"))
        doc.picture = bool(response.meta.get("picture"))
        self.count("pictures" if doc.picture else "attachments")
        yield from self._arrived(doc, kw)

    def document_failed(self, failure: Any) -> Iterator[Any]:
        request = failure.request
        kw = request.cb_kwargs
        if failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage():
            self.count("robots_forbidden")  # the portal asks us not to: not its failure
            if request.callback == self.parse_page:
                return
        doc = Doc(request.url, error=f"unreachable: {failure.getErrorMessage()}")
        doc.picture = bool(request.meta.get("picture"))
        if year_list := request.meta.get("year_list"):
            self.reads[year_list].page_failed(request.url, doc.error or "")
        if request.callback == self.parse_page:
            yield self._new_group(kw, [doc])
        else:
            yield from self._arrived(doc, kw)

    def _arrived(self, doc: Doc, kw: dict[str, Any]) -> Iterator[ReportGroup]:
        key = self._key(kw["agency_id"], kw["page_url"])
        # A group unknown here: an attachment request restored from JOBDIR.
        group = self.groups.setdefault(key, self._new_group(kw, [], pending=1))
        group.docs.append(doc)
        group.pending -= 1
        if group.pending <= 0:
            del self.groups[key]
            yield group


class _Rendered:
    """What a browser has shown of one column: the links seen, the states counted."""

    def __init__(self, page: Any, read: ListRead):
        self.page, self.column_read = page, read
        self.seen: set[str] = set()
        self.n = 0
        self.step = "next"  # how the last list shown ended (Spider._page_through)

    async def look(self) -> tuple[list[Any], str, int | None]:
        """(the links not seen before, the page's HTML, the pages it announces)."""
        documents = await rendered_documents(self.page)
        states = [read_list_page(u, text, first=False, family="plain") for u, text in documents]
        links = [link for state in states for link in state.links]
        announced = [s.pages_announced for s in states if s.pages_announced is not None]
        new = [link for link in dict.fromkeys(links) if link.url not in self.seen]
        self.seen.update(link.url for link in new)
        html = "\n".join(text for _, text in documents)
        return new, html, max(announced, default=None)

    def count(
        self, key: str, column: str, new: list[Any], announced: int | None, ends_here: bool
    ) -> None:
        self.n += 1
        self.column_read.page_read(
            key,
            column,
            ListPage(
                "rendered",
                new,
                records=sum(1 for link in new if link.listed_date),
                pages_announced=announced,
                ends_here=ends_here,
            ),
        )
