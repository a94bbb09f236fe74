"""Per-request work of the crawler: retries with backoff, conditional requests."""

from __future__ import annotations

import asyncio

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response


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
        if retries and self.base > 0:
            await asyncio.sleep(min(self.base * 2 ** (retries - 1), self.most))


class ConditionalRequests:
    """Asks for what the archive holds only if it changed (If-None-Match /
    If-Modified-Since), and hands the archived copy to a 304 answer's callback
    (``response.meta["archived_body"]``). Requests opt in with ``meta["conditional"]``;
    without an archive (``NIANBAO_DB``) the middleware switches itself off."""

    def __init__(self, db_path: str):
        from storage.db import connect

        self.conn = connect(db_path, readonly=True)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequests:
        db_path = crawler.settings.get("NIANBAO_DB")
        if not db_path:
            raise NotConfigured("no archive (NIANBAO_DB)")
        middleware = cls(db_path)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def close(self) -> None:
        self.conn.close()

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional") or "archived_sha" in request.meta:
            return
        row = self.conn.execute(
            "SELECT sha256, etag, last_modified FROM document_urls WHERE url = ?", (request.url,)
        ).fetchone()
        request.meta["archived_sha"] = row[0] if row else None
        if row:
            if row[1]:
                request.headers["If-None-Match"] = row[1]
            if row[2]:
                request.headers["If-Modified-Since"] = row[2]

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and request.meta.get("archived_sha"):
            from storage.archive import document_bytes

            request.meta["archived_body"] = document_bytes(self.conn, request.meta["archived_sha"])
        return response
