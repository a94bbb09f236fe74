"""Retries with backoff: Scrapy's RetryMiddleware retries at once; a struggling portal is
better given time. A retried request waits RETRY_BACKOFF_BASE × 2^(n-1) seconds (at most
RETRY_BACKOFF_MAX) before its n-th retry goes out."""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.crawler import Crawler


class RetryBackoff:
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
