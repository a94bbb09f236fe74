"""The one spider: the 年报 columns of the sources file → report groups for the archive.

Data drives it: every agency's ``list_urls`` are read by the adapter of their portal
software (crawler.adapters), report links are assigned to agencies by the names in their
titles, and each report's page is fetched with its attachments. Pages and documents
archived before are asked for conditionally (If-None-Match / If-Modified-Since); a 304
page is read from the archive to find its attachments. What goes wrong becomes counters
and the source health written when the crawl finishes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.adapters import read_list_page
from crawler.health import Health
from crawler.items import Doc, ReportGroup
from crawler.pages import attachments
from crawler.titles import read_title
from parsers.document import Limits
from parsers.html import decode_html, page_date
from parsers.sniff import sniff
from report.agencies import AgencyIndex
from storage.archive import Archive, document_bytes, now
from storage.db import connect
from storage.sources import load_sources

log = logging.getLogger(__name__)
# Statuses our callbacks see (and judge) instead of Scrapy dropping them.
SEEN_STATUSES = [304, 400, 401, 403, 404, 410, 429, 500, 502, 503, 504]
_HOME_PATHS = ("", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/default.htm")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


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
        rows = load_sources(sources)
        wanted = [a for a in agency.split(",") if a]
        unknown = set(wanted) - {r["id"] for r in rows}
        if unknown:
            raise ValueError(f"{sources}: no agency {', '.join(sorted(unknown))}")
        self.archive = Archive(connect(db))
        self.archive.load_agencies(rows)
        self.agencies = {r["id"]: r for r in rows if not wanted or r["id"] in wanted}
        self.years = {int(y) for y in year.split(",") if y}
        # Titles are matched against every agency, so that a title naming another one is
        # never given to the list's owner.
        self.names = AgencyIndex.from_rows(rows)
        self.hosts = {
            aid: {_host(u) for u in json.loads(r["list_urls"])}
            | {h.lower() for h in json.loads(r["allowed_hosts"])}
            for aid, r in self.agencies.items()
        }
        self.allowed_domains = sorted(set().union(*self.hosts.values()) - {""})
        self.lists: dict[str, list[str]] = {}
        for aid, r in self.agencies.items():
            for url in json.loads(r["list_urls"]):
                self.lists.setdefault(url, []).append(aid)
        self.health = {aid: Health() for aid in self.agencies}
        self.groups: dict[str, ReportGroup] = {}
        self.seen_pages: set[tuple[str, str]] = set()  # (page URL, agency id)
        self.run_id = self.archive.conn.execute(
            "INSERT INTO crawl_runs (started_at) VALUES (?)", (now(),)
        ).lastrowid
        self.counts: dict[str, int] = {}
        self.limits = Limits()

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n
        self.crawler.stats.inc_value(f"nianbao/{name}", n)

    # -- list pages -----------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        last_year = int(now()[:4]) - 1
        for url, owners in self.lists.items():
            if "{year}" not in url:
                yield self._list_request(url, url, first=True)
                continue
            # One URL per unit and year (Hanweb's xxgkAnnualReport.jsp?…&fbtime={year}):
            # the report pages themselves, no list to read.
            for agency_id in owners:
                self.health[agency_id].list_ok += 1
                row = self.agencies[agency_id]
                for year in range(row["since"], last_year + 1):
                    if self.years and year not in self.years:
                        continue
                    title = f"{row['name']}{year}年政府信息公开工作年度报告"
                    group = ReportGroup(agency_id, year, title, url.format(year=year))
                    yield self._document_request(
                        group.page_url, self.parse_page, group, by_year=True
                    )

    def _list_request(self, url: str, list_url: str, first: bool) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_list,
            errback=self.list_failed,
            cb_kwargs={"list_url": list_url, "first": first},
            meta={"handle_httpstatus_list": SEEN_STATUSES},
            dont_filter=True,
        )

    def _list_error(self, list_url: str, url: str, error: str) -> None:
        self.count("list_errors")
        for aid in self.lists[list_url]:
            self.health[aid].list_errors[url] = error
        log.warning("list page %s: %s", url, error)

    def list_failed(self, failure: Any) -> None:
        request = failure.request
        self._list_error(
            request.cb_kwargs["list_url"], request.url, f"unreachable: {failure.getErrorMessage()}"
        )

    def parse_list(self, response: Response, list_url: str, first: bool) -> Iterator[Any]:
        owners = self.lists[list_url]
        if response.status >= 400:
            self._list_error(list_url, response.url, f"http_error: HTTP {response.status}")
            return
        if response.meta.get("redirect_urls") and (
            urlsplit(response.url).path in _HOME_PATHS or "login" in response.url.lower()
        ):
            listed = response.meta["redirect_urls"][0]
            self._list_error(list_url, listed, f"redirected: sent to {response.url}")
            return
        self.count("list_pages")
        for aid in owners:
            self.health[aid].list_ok += 1
        text = decode_html(response.body, _header(response, "Content-Type"))
        software = next((self.agencies[a].get("software") for a in owners), None)
        page = read_list_page(response.url, text, first, software)
        for url in page.requests:
            if all(_host(url) in self.hosts[aid] for aid in owners):
                yield self._list_request(url, list_url, first=False)
        for link in page.links:
            title = read_title(link.title)
            year = title.year
            if not title.is_report or year is None:
                continue
            agency_id = self.names.attribute(title.issuer, owners, _host(response.url)).agency_id
            if agency_id is None:
                self.count("titles_unassigned")
                log.info("report title names none of the list's agencies: %s", link.title)
                continue
            self.health[agency_id].reports_found += 1
            if self.years and year not in self.years:
                continue
            if _host(link.url) not in self.hosts[agency_id]:
                self.count("offsite_links")
                continue
            if (link.url, agency_id) in self.seen_pages:
                continue
            self.seen_pages.add((link.url, agency_id))
            self.count("report_links")
            group = ReportGroup(agency_id, year, link.title, link.url, link.listed_date)
            yield self._document_request(link.url, self.parse_page, group)

    # -- report pages and attachments -----------------------------------------------------

    def _document_request(
        self, url: str, callback: Any, group: ReportGroup, by_year: bool = False
    ) -> scrapy.Request:
        headers = {}
        before = self.archive.fetched_before(url)
        archived_sha = before[0] if before else None
        if before:
            _, etag, last_modified = before
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.document_failed,
            headers=headers,
            cb_kwargs={
                "page_url": group.page_url,
                "agency_id": group.agency_id,
                "year": group.year,
                "title": group.title,
                "listed_date": group.listed_date,
                "by_year": by_year,
            },
            # archived_sha: the copy a 304 answer refers to.
            meta={"handle_httpstatus_list": SEEN_STATUSES, "archived_sha": archived_sha},
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
        if kw["by_year"] and response.status in (404, 410):
            return  # a per-year URL answering 404: no report that year, not a fault
        self.count("report_pages")
        if kw["by_year"]:
            self.health[kw["agency_id"]].reports_found += 1
        doc = self._doc(response)
        group = self._new_group(kw, [doc])
        body = doc.body
        if doc.known_sha:  # unchanged: its attachments are read from the archived copy
            body = document_bytes(self.archive.conn, doc.known_sha)
        links: list[str] = []
        if body is not None and sniff(body) == "html":
            html = decode_html(body, doc.content_type)
            doc.page_date = page_date(html)
            links = [
                u
                for u in attachments(response.url, html)
                if _host(u) in self.hosts[group.agency_id]
            ]
        if not links:
            yield group
            return
        group.pending = len(links)
        self.groups[self._key(group.agency_id, group.page_url)] = group
        for url in links:
            yield self._document_request(url, self.parse_attachment, group)

    def parse_attachment(self, response: Response, **kw: Any) -> Iterator[Any]:
        self.count("attachments")
        yield from self._arrived(self._doc(response), kw)

    def document_failed(self, failure: Any) -> Iterator[Any]:
        request = failure.request
        kw = request.cb_kwargs
        if failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage():
            self.count("robots_forbidden")  # the portal asks us not to: not its failure
            if request.callback == self.parse_page:
                return
        doc = Doc(request.url, error=f"unreachable: {failure.getErrorMessage()}")
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

    # -- the end of a run -----------------------------------------------------------------

    def closed(self, reason: str) -> None:
        conn = self.archive.conn
        stats = self.crawler.stats.get_stats()
        errors = (
            self.counts.get("list_errors", 0)
            + self.counts.get("documents_failed", 0)
            + self.counts.get("documents_unreadable", 0)
        )
        with self.archive.batch():
            if reason == "finished":  # a crawl stopped early proves nothing about sources
                self._store_health()
            conn.execute(
                """UPDATE crawl_runs SET finished_at = ?, pages = ?, documents_new = ?,
                       documents_changed = ?, documents_unchanged = ?, errors = ?, stats = ?
                   WHERE id = ?""",
                (
                    now(),
                    stats.get("response_received_count", 0),
                    self.counts.get("documents_new", 0),
                    self.counts.get("documents_changed", 0),
                    self.counts.get("documents_unchanged", 0),
                    errors,
                    json.dumps(
                        {"finish_reason": reason, **{k: str(v) for k, v in stats.items()}},
                        ensure_ascii=False,
                        sort_keys=True,
                    ),
                    self.run_id,
                ),
            )
        self.archive.close()

    def _store_health(self) -> None:
        checked = now()
        for aid, health in self.health.items():
            status, detail, findings = health.judge()
            self.archive.conn.execute(
                """INSERT INTO source_health (agency_id, checked_at, status, detail,
                       reports_found, run_id) VALUES (?,?,?,?,?,?)
                   ON CONFLICT (agency_id) DO UPDATE SET checked_at = excluded.checked_at,
                       status = excluded.status, detail = excluded.detail,
                       reports_found = excluded.reports_found, run_id = excluded.run_id""",
                (aid, checked, status, detail, health.reports_found, self.run_id),
            )
            self.archive.store_findings(
                aid,
                aid,
                self.agencies[aid]["name"],
                None,
                None,
                findings,
                checked,
                scope=("source.",),
            )
