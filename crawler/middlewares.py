"""Per-request work of the crawler: retries with backoff, conditional requests, documents
the archive answers for."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from report.sites import site_of
from storage.crawls import fetched_before


class RetryBackoff:
    """Scrapy's RetryMiddleware retries at once; a struggling portal is better given time.
    A retried request waits RETRY_BACKOFF_BASE × 2^(n-1) seconds (at most
    RETRY_BACKOFF_MAX) before its n-th retry goes out."""

    def __init__(self, base: float, most: float):
        self.base, self.most = base, most

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoff:
        return cls(
            crawler.settings.getfloat("RETRY_BACKOFF_BASE", 1.0),
            crawler.settings.getfloat("RETRY_BACKOFF_MAX", 60.0),
        )

    async def process_request(self, request: Request) -> None:
        retries = request.meta.get("retry_times", 0)
        if not retries:
            return
        wait = min(self.base * 2 ** (retries - 1), self.most) if self.base > 0 else 0.0
        # A portal that says when to come back (429, 503 + Retry-After) is believed, up to
        # RETRY_BACKOFF_MAX: a hostile Retry-After of a year must not stall the crawl.
        wait = max(wait, min(request.meta.get("retry_after", 0.0), self.most))
        if wait > 0:
            await asyncio.sleep(wait)

    def process_response(self, request: Request, response: Response) -> Response:
        value = response.headers.get("Retry-After")
        if value and response.status in (429, 503):
            with contextlib.suppress(ValueError):  # an HTTP date: the backoff stands
                request.meta["retry_after"] = max(0.0, float(value.decode("latin-1")))
        return response


class OwnHosts:
    """Requests only to the hosts and ports of the agencies' own list URLs (and their
    ``allowed_hosts``), redirects included: a report page that redirects to another site,
    or a link to the same host on another port, is not fetched."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OwnHosts:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        own = getattr(spider, "own_hosts", None)
        if own is None or request.url.endswith("/robots.txt"):
            return
        if site_of(request.url) not in own:
            self.crawler.stats.inc_value("nianbao/offsite_requests")
            raise IgnoreRequest(f"not an agency's own host: {request.url}")


class ConditionalRequests:
    """Asks for what the archive holds only if it changed (If-None-Match /
    If-Modified-Since), and hands the archived copy to a 304 answer's callback
    (``response.meta["archived_body"]``). A document the portal confirmed within
    NIANBAO_REVISIT_DAYS is not asked for at all: the archive answers for it, as a 304
    marked ``meta["from_archive"]`` (0 asks for everything: ``nianbao crawl --full``).
    Requests opt in with ``meta["conditional"]``; without an archive (``NIANBAO_DB``) the
    middleware switches itself off."""

    def __init__(self, crawler: Crawler, db_path: str, revisit_days: float):
        from storage.db import connect

        self.conn = connect(db_path, readonly=True)
        self.stats = crawler.stats
        self.revisit = dt.timedelta(days=revisit_days)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequests:
        db_path = crawler.settings.get("NIANBAO_DB")
        if not db_path:
            raise NotConfigured("no archive (NIANBAO_DB)")
        middleware = cls(crawler, db_path, crawler.settings.getfloat("NIANBAO_REVISIT_DAYS"))
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def close(self) -> None:
        self.conn.close()

    def _recent(self, checked_at: str | None) -> bool:
        if not self.revisit or not checked_at:
            return False
        checked = dt.datetime.fromisoformat(checked_at)
        if checked.tzinfo is None:
            checked = checked.replace(tzinfo=dt.UTC)
        return dt.datetime.now(dt.UTC) - checked < self.revisit

    def process_request(self, request: Request) -> Response | None:
        if not request.meta.get("conditional") or "archived_sha" in request.meta:
            return None
        row = fetched_before(self.conn, request.url)
        request.meta["archived_sha"] = row[0] if row else None
        if row and self._recent(row[3]):
            request.meta["from_archive"] = True
            self.stats.inc_value("nianbao/documents_from_archive")
            return Response(request.url, status=304, request=request)
        if row:
            if row[1]:
                request.headers["If-None-Match"] = row[1]
            if row[2]:
                request.headers["If-Modified-Since"] = row[2]
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and request.meta.get("archived_sha"):
            from storage.archive import document_bytes

            request.meta["archived_body"] = document_bytes(self.conn, request.meta["archived_sha"])
        return response
