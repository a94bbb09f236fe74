"""Report groups → the archive: every document kept, the best one parsed into the report.

A group's documents are parsed before the write (parsing is slow and may fail), then
written in one transaction with the report of the best of them, so a crawl killed at any
point leaves whole groups or none. An unchanged document (answered 304, or bytes already
archived) is neither parsed nor written again.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from scrapy.crawler import Crawler

from crawler.items import ReportGroup
from crawler.pages import rank, rank_of
from crawler.spiders.portal import PortalSpider
from storage.archive import Archive, Fetched, Prepared, now, prepare

log = logging.getLogger(__name__)
PROGRESS_EVERY = 100  # report groups between progress lines


class ArchivePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.groups = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportGroup):
            return item
        spider: PortalSpider = self.crawler.spider
        archive = spider.archive
        health = spider.health[item.agency_id]
        fresh: list[tuple[Prepared, bool]] = []  # (prepared, its URL was fetched before)
        kept: set[str] = set()  # archived documents this group still serves
        known: list[tuple[str, str, Fetched]] = []  # (url, sha, fetch) of archived bytes
        for doc in item.docs:
            if doc.error:
                spider.count("documents_failed")
                health.unreadable[doc.url] = doc.error
                continue
            if doc.body is None:
                spider.count("documents_unchanged")
                if doc.known_sha:
                    kept.add(doc.known_sha)
                continue
            sha = hashlib.sha256(doc.body).hexdigest()
            fetched = Fetched(
                source_url=doc.url,
                final_url=doc.final_url,
                http_status=doc.status,
                content_type=doc.content_type,
                last_modified=doc.last_modified,
                etag=doc.etag,
                fetched_at=now(),
                agency_id=item.agency_id,
                year=item.year,
                listed_date=item.listed_date,
                page_date=doc.page_date or _page_date(item),
            )
            if archive.has_document(sha):
                spider.count("documents_unchanged")
                kept.add(sha)
                known.append((doc.url, sha, fetched))
                continue
            p = prepare(doc.body, fetched, limits=spider.limits)
            if p.error:
                spider.count("documents_unreadable")
                health.unreadable[doc.url] = p.error
            fresh.append((p, archive.fetched_before(doc.url) is not None))
        best = max(
            (p for p, _ in fresh if p.record is not None),
            key=lambda p: rank(p.record, p.format),
            default=None,
        )
        with archive.batch():
            for url, sha, fetched in known:
                archive.served(url, sha, fetched)
            for p, before in fresh:
                archive.write(p, report=False)
                spider.count("documents_changed" if before else "documents_new")
            if best is not None and rank(best.record, best.format) >= _kept_rank(
                archive, item, kept
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
        return item


def _page_date(item: ReportGroup) -> str | None:
    """The page's date, for the attachments of a page (the first document of a group)."""
    return item.docs[0].page_date if item.docs else None


def _kept_rank(archive: Archive, item: ReportGroup, kept: set[str]) -> tuple[int, int, int]:
    """How good the current report is when it comes from an unchanged document of this
    group: a changed page must not replace a report read from an unchanged attachment."""
    row = archive.conn.execute(
        """SELECT r.id, r.template, r.document_sha256, d.format FROM reports r
           JOIN documents d ON d.sha256 = r.document_sha256
           WHERE r.agency_id = ? AND r.year = ? AND r.is_latest = 1""",
        (item.agency_id, item.year),
    ).fetchone()
    if row is None or row[2] not in kept:
        return (0, 0, 0)
    report_id, template, _, fmt = row
    filled = archive.conn.execute(
        "SELECT count(*) FROM cells WHERE report_id = ? AND value IS NOT NULL", (report_id,)
    ).fetchone()[0]
    return rank_of(template, filled, fmt)
