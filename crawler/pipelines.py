"""Report groups → the archive: every document kept, the best one parsed into the report.

A group's documents are parsed before the write (parsing is slow and may fail) in a pool
of worker processes (``NIANBAO_PARSE_WORKERS``, default one per core; 0 parses in the
crawler's own process), so the crawler goes on downloading while they work; then the group
is written in one transaction with the report of the best of them, so a crawl killed at
any point leaves whole groups or none. An unchanged document (answered 304, or bytes
already archived) is neither parsed nor written again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import os
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.items import Doc, RelatedDoc, ReportGroup
from crawler.pages import names_report_only, rank, rank_of
from crawler.spiders.portal import PortalSpider
from ingest import Listing, file_report, prepare
from parsers.dates import now
from parsers.guard import die_with_named
from parsers.html import decode_html, join_pages, page_date
from parsers.sniff import sniff
from storage.archive import Archive, Fetched, Prepared
from storage.db import connect

log = logging.getLogger(__name__)
PROGRESS_EVERY = 100  # report groups between progress lines


class ArchivePipeline:
    def __init__(self, crawler: Crawler, db_path: str) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.archive: Archive | None = None
        self.stopped = False
        self.groups = 0
        # (agency, year) → the precedence of the report written for it in this crawl.
        self.chosen: dict[tuple[str | None, int | None], tuple] = {}
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        db_path = crawler.settings.get("NIANBAO_DB")
        if not db_path:
            raise NotConfigured("no archive (NIANBAO_DB)")
        return cls(crawler, db_path)

    def open_spider(self) -> None:
        spider: PortalSpider = self.crawler.spider
        self.archive = Archive(connect(self.db_path))
        self.archive.load_agencies(spider.rows)
        workers = self.crawler.settings.getint("NIANBAO_PARSE_WORKERS", os.cpu_count() or 1)
        if workers > 0:
            # A fork server, not fork: the crawler has threads (DNS) a fork would copy
            # mid-flight. Workers load the parser once and die with the crawl.
            self.pool = parse_pool(workers)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.archive is None:
            return
        try:
            self.archive.close()
        except (sqlite3.Error, OSError) as exc:
            log.error("the archive could not be closed cleanly: %s", exc)

    async def process_item(self, item: Any) -> Any:
        if self.stopped:
            return item  # the archive cannot be written: the crawl is ending
        try:
            if isinstance(item, RelatedDoc):
                self._related(item)
            elif isinstance(item, ReportGroup):
                joined = _joined(item)  # (bytes, SHA-256) of the page joined, if any
                parsed = await self._parse(item, joined)
                if not self.stopped:
                    self._group(item, parsed, joined)
        except (sqlite3.Error, OSError) as exc:
            # The archive cannot be written (a full disk, a broken file): go on and every
            # later group is lost too. Stop: the crawl ends unfinished and says so.
            log.error("the archive cannot be written: %s; stopping the crawl", exc)
            self.crawler.stats.inc_value("nianbao/archive_errors")
            self.stopped = True
            self.crawler.engine.close_spider(self.crawler.spider, "archive_error")
        except Exception as exc:
            spider: PortalSpider = self.crawler.spider
            url = getattr(item, "page_url", None) or getattr(item, "url", "?")
            agency_id = getattr(item, "agency_id", None)
            log.error("report page %s could not be archived: %r", url, exc)
            spider.count("documents_failed")
            if agency_id in spider.health:
                error = f"not archived: {exc!r}"[:300]
                spider.health[agency_id].unread(url, error, getattr(item, "year", None))
        return item

    async def _parse(
        self, item: ReportGroup, joined: tuple[bytes, str] | None
    ) -> dict[str, Prepared]:
        """The group's new documents (and the page ``joined`` with its further pages and
        pictures) parsed, by SHA-256: in the pool, all at once, while the crawler goes on;
        in this process when there is no pool."""
        spider: PortalSpider = self.crawler.spider
        archive = self.archive
        assert archive is not None
        # (bytes, fetch, parse it, read its date as a report page's)
        jobs: dict[str, tuple[bytes, Fetched, bool, bool]] = {}
        page_sha = None  # the report page's, when it can be read
        for n, doc in enumerate(item.docs):
            if doc.error or doc.body is None or doc.picture:  # a picture: read in the page
                continue
            sha = hashlib.sha256(doc.body).hexdigest()
            if n == 0:
                page_sha = sha
            if sha not in jobs and not archive.has_document(sha):
                jobs[sha] = (doc.body, Fetched(content_type=doc.content_type), True, False)
        if joined is not None and not archive.has_document(joined[1]):
            jobs[joined[1]] = (joined[0], Fetched(content_type=_JOINED_TYPE), True, False)
        page = item.docs[0] if item.docs else None
        if jobs and page is not None and page_sha is not None:
            # The page's own date, for what the group writes (the page and attachments),
            # read by the worker that parses the page (alone when the page is archived).
            parse = page_sha in jobs
            jobs[page_sha] = (page.body, Fetched(content_type=page.content_type), parse, True)
        if self.pool is None:
            done = {sha: _prepare(*job, spider.limits) for sha, job in jobs.items()}
        else:
            loop = asyncio.get_running_loop()
            futures = {
                sha: loop.run_in_executor(self.pool, _prepare, *job, spider.limits)
                for sha, job in jobs.items()
            }
            done = {sha: await future for sha, future in futures.items()}
        if page is not None and page.page_date is None and page_sha in done:
            page.page_date = done[page_sha][1]
        parsed = {sha: p for sha, (p, _) in done.items() if p is not None}
        for p in parsed.values():
            for f in (p.record or {}).get("findings", ()):
                if f["rule"] == "cells.ocr":  # pages of scans, and pictures in documents
                    read = len(f["evidence"]["pages"]) + len(f["evidence"].get("pictures", ()))
                    self.crawler.stats.inc_value("nianbao/pages_ocr", read)
        return parsed

    def _group(
        self, item: ReportGroup, parsed: dict[str, Prepared], joined: tuple[bytes, str] | None
    ) -> None:
        """Write one report group: its documents, and its report if it is the best yet."""
        spider: PortalSpider = self.crawler.spider
        archive = self.archive
        assert archive is not None
        fresh, kept, known = self._sort(item, parsed)
        if joined is not None and (p := parsed.get(joined[1])):
            spider.count("pages_joined" if any(d.part for d in item.docs) else "pages_pictured")
            fresh.append((replace(p, fetched=_joined_fetch(item)), False))
        best = max(
            (p for p, _ in fresh if p.record is not None),
            key=lambda p: rank(p.record, p.format),
            default=None,
        )
        unread = None
        if best is not None and names_report_only(best.record, best.format):
            # Its page is not the report, and no document of the group was: nothing of the
            # year is proven, and the page must not stand for the report.
            unread = _document_unread(item, best, spider.health[item.agency_id].unreadable)
            best = None
        conflict = None
        if best is not None and best.record is not None:
            conflict = self._attribute(item, best)
        with archive.batch():
            for url, sha, fetched in known:
                archive.served(url, sha, fetched)
            archive.confirmed(
                [
                    d.url
                    for d in item.docs
                    if d.status == 304 and d.known_sha and not d.from_archive
                ],
                now(),
            )
            for p, before in fresh:
                archive.write(p, report=False)
                spider.count("documents_changed" if before else "documents_new")
            for finding, counter in (
                (conflict, "attribution_conflicts"),
                (unread, "documents_unread"),
            ):
                if finding is None:
                    continue
                spider.count(counter)
                archive.store_findings(
                    item.agency_id,
                    item.agency_id,
                    spider.agencies[item.agency_id]["name"],
                    item.year,
                    None,
                    [finding],
                    now(),
                    scope=(),
                )
            if (
                best is not None
                and self._first_choice(item, best)
                and rank(best.record, best.format)
                >= _kept_rank(archive, best.fetched.agency_id, best.fetched.year, kept)
            ):
                result = archive.add_report(best)
                spider.count(f"reports_{result.status}")
        self.groups += 1
        if self.groups % PROGRESS_EVERY == 0:
            log.info(
                "nianbao: %d reports' pages done, %d new and %d changed documents",
                self.groups,
                spider.counts.get("documents_new", 0),
                spider.counts.get("documents_changed", 0),
            )

    def _sort(
        self, item: ReportGroup, parsed: dict[str, Prepared]
    ) -> tuple[list[tuple[Prepared, bool]], set[str], list[tuple[str, str, Fetched]]]:
        """A group's documents by what is to be done with them: (the new ones, parsed, and
        whether their URL was fetched before; the archived documents the group still
        serves; (URL, SHA-256, fetch) of each archived one fetched again). Failures are
        counted and kept in the source's health."""
        spider: PortalSpider = self.crawler.spider
        archive = self.archive
        assert archive is not None
        health = spider.health[item.agency_id]
        fresh: list[tuple[Prepared, bool]] = []
        kept: set[str] = set()
        known: list[tuple[str, str, Fetched]] = []
        for doc in item.docs:
            if doc.error:
                spider.count("documents_failed")
                health.unread(doc.url, doc.error, item.year)
                continue
            if doc.picture:
                continue  # archived inside the page that shows it
            if doc.body is None:
                spider.count("documents_unchanged")
                if doc.known_sha:
                    kept.add(doc.known_sha)
                continue
            sha = hashlib.sha256(doc.body).hexdigest()
            fetched = _fetched(
                doc,
                agency_id=item.agency_id,
                year=item.year,
                listed_date=item.listed_date,
                page_date=doc.page_date or _page_date(item),
            )
            # Archived already, or meanwhile by another group, or listed twice here.
            if archive.has_document(sha) or (p := parsed.get(sha)) is None:
                spider.count("documents_unchanged")
                kept.add(sha)
                known.append((doc.url, sha, fetched))
                continue
            p = replace(p, fetched=fetched)
            if p.error:
                spider.count("documents_unreadable")
                health.unread(doc.url, p.error, item.year)
            fresh.append((p, archive.fetched_before(doc.url) is not None))
        return fresh, kept, known

    def _attribute(self, item: ReportGroup, best: Prepared) -> dict[str, Any] | None:
        """File the best document where its own text says (ingest.file_report); the
        conflict with its listing, if any, as a finding."""
        spider: PortalSpider = self.crawler.spider
        assert best.record is not None
        listing = Listing(
            item.agency_id,
            spider.agencies[item.agency_id]["name"],
            item.year,
            item.title,
            item.page_url,
        )
        filing = file_report(best.record, spider.names, listing, best.sha)
        best.fetched.agency_id, best.fetched.year = filing.agency_id, filing.year
        return filing.conflict

    def _first_choice(self, item: ReportGroup, best: Prepared) -> bool:
        """Of two listings of one agency's report for one year in a crawl, the better
        document (then the later listing date, then the address) becomes the latest,
        whatever the order they arrive in."""
        key = (best.fetched.agency_id, best.fetched.year)
        if key[0] is None:
            return True
        precedence = (rank(best.record, best.format), item.listed_date or "", item.page_url)
        before = self.chosen.get(key)
        if before is not None and before >= precedence:
            self.crawler.spider.count("reports_second_listing")
            return False
        self.chosen[key] = precedence
        return True

    def _related(self, item: RelatedDoc) -> None:
        spider: PortalSpider = self.crawler.spider
        doc = item.doc
        if doc is None or doc.body is None:
            return
        sha = hashlib.sha256(doc.body).hexdigest()
        fetched = _fetched(doc)
        archive = self.archive
        assert archive is not None
        p = prepare(doc.body, fetched, limits=spider.limits)
        year = p.record.get("year") if p.record else None
        with archive.batch():
            if not archive.has_document(sha):
                archive.write(p, report=False)
            archive.add_related(
                item.url, sha, item.agency_id, year, item.kind, item.title, fetched.fetched_at
            )


# The joined page's bytes: UTF-8 HTML, whatever the pages were.
_JOINED_TYPE = "text/html; charset=utf-8"


def _joined(item: ReportGroup) -> tuple[bytes, str] | None:
    """The report's page with the further pages a CMS split it into and the pictures it
    shows, as one document (parsers.html.join_pages), with its SHA-256; None when it has
    neither."""
    page = item.docs[0] if item.docs else None
    parts = [d.body for d in item.docs if d.part and d.body is not None]
    pictures = {d.url: d.body for d in item.docs if d.picture and d.body is not None}
    if page is None or page.body is None or not (parts or pictures):
        return None
    address = page.final_url or item.page_url
    data = join_pages([page.body, *parts], page.content_type, pictures, address)
    return data, hashlib.sha256(data).hexdigest()


def _joined_fetch(item: ReportGroup) -> Fetched:
    return Fetched(
        final_url=item.page_url,
        content_type=_JOINED_TYPE,
        fetched_at=now(),
        agency_id=item.agency_id,
        year=item.year,
        listed_date=item.listed_date,
        page_date=item.docs[0].page_date,
    )


def _page_date(item: ReportGroup) -> str | None:
    """The page's date, for the attachments of a page (the first document of a group)."""
    return item.docs[0].page_date if item.docs else None


def _kept_rank(
    archive: Archive, agency_id: str | None, year: int | None, kept: set[str]
) -> tuple[int, int, int]:
    """How good the current report is when it comes from an unchanged document of this
    group: a changed page must not replace a report read from an unchanged attachment."""
    latest = archive.latest_report(agency_id, year)
    if latest is None or latest["document_sha256"] not in kept:
        return (0, 0, 0)
    return rank_of(latest["template"], latest["filled"], latest["format"])


def parse_pool(workers: int) -> ProcessPoolExecutor:
    """The crawl's parse workers: a fork server's children, that load the parser once and
    die with the crawl, however it ends (crawler.poolserver)."""
    os.environ["NIANBAO_CRAWL_PID"] = str(os.getpid())
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["crawler.poolserver", "ingest", "parsers.guard"])
    return ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=die_with_named,
        initargs=("NIANBAO_POOL_SERVER_PID",),
    )


def _prepare(
    data: bytes, fetched: Fetched, parse: bool, date: bool, limits: Any
) -> tuple[Prepared | None, str | None]:
    """ingest.prepare when ``parse``; when ``date``, the date the document shows as a
    report page (an HTML page's only). Runs in a pool worker: it is sent by name."""
    day = None
    if date and sniff(data[:4096]) == "html":
        day = page_date(decode_html(data, fetched.content_type))
    return (prepare(data, fetched, limits=limits) if parse else None), day


def _fetched(doc: Doc, **listing: Any) -> Fetched:
    """How a document was fetched, and (for a report's documents) how it was listed."""
    return Fetched(
        source_url=doc.url,
        final_url=doc.final_url,
        http_status=doc.status,
        content_type=doc.content_type,
        last_modified=doc.last_modified,
        etag=doc.etag,
        fetched_at=now(),
        **listing,
    )


def _document_unread(
    item: ReportGroup, page: Prepared, unreadable: dict[str, str]
) -> dict[str, Any]:
    """The finding of a year whose listed report page only names the report."""
    tried = {d.url: unreadable.get(d.url, "not a report") for d in item.docs[1:] if not d.picture}
    return {
        "rule": "report.document_unread",
        "severity": "warning",
        "message": f"{item.page_url} names the {item.year} report but holds none of its text, "
        + (
            f"and its {len(tried)} document(s) could not be read"
            if tried
            else "and links to no document"
        ),
        "evidence": {
            "key": item.page_url,
            "page": {
                "url": item.page_url,
                "title": page.record.get("title") if page.record else None,
            },
            "documents": tried,
        },
    }
