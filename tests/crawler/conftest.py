"""What the crawler's unit tests share: a spider built on a sources file, as Scrapy builds
it, and responses read from saved pages (city-scrapers' ``file_response``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response
from scrapy.statscollectors import MemoryStatsCollector

from crawler.spiders.portal import PortalSpider

RESPONSES = Path(__file__).resolve().parent / "responses"


def file_response(name: str | Path, request: scrapy.Request, status: int = 200) -> Response:
    """The saved page ``responses/<name>`` (or at a path) as the answer to ``request``."""
    return HtmlResponse(
        url=request.url,
        status=status,
        body=(RESPONSES / name).read_bytes(),  # / an absolute path: that path
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=request,
    )


def answer(request: scrapy.Request, response: Response) -> list[Any]:
    """What the request's callback yields for ``response``."""
    return list(request.callback(response, **request.cb_kwargs))


def requests_in(output: Iterable[Any]) -> list[scrapy.Request]:
    return [r for r in output if isinstance(r, scrapy.Request)]


def pingtan_sources(list_url: str) -> str:
    """The sources file of the real Pingtan report's agency, its column at ``list_url``."""
    return f"""
[[agency]]
id = "pingtan"
name = "平潭综合实验区管理委员会"
aliases = ["平潭综合实验区"]
level = "city"
region = "福建省平潭综合实验区"
list_urls = ["{list_url}"]
"""


@pytest.fixture
def spider(tmp_path: Path) -> Callable[[str], PortalSpider]:
    """A spider for the sources file given as text, with its own stats."""

    def build(sources: str, **kwargs: Any) -> PortalSpider:
        path = tmp_path / "agencies.toml"
        path.write_text(sources, encoding="utf-8")
        # Not get_crawler: it freezes the settings the spider sets (its archive). Parsing
        # in this process: a unit test has no pool to wait for.
        crawler = Crawler(PortalSpider, {"NIANBAO_PARSE_WORKERS": 0})
        crawler.stats = MemoryStatsCollector(crawler)
        return PortalSpider.from_crawler(
            crawler, sources=str(path), db=str(tmp_path / "nianbao.db"), **kwargs
        )

    return build
