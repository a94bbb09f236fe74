"""The archive pipeline's glue on saved responses, without a crawl: a report page the
spider read becomes archived documents and a report filed where its own text says."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from crawler.items import ReportGroup
from crawler.pipelines import ArchivePipeline
from crawler.spiders.portal import PortalSpider
from storage.db import connect
from storage.query import findings
from tests.crawler.conftest import answer, file_response
from tests.support import ROOT, reports

PAGE = ROOT / "tests" / "corpus" / "real-page-title-and-date-outside-content.html"
URL = "http://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202503/t20250310_97791.htm"
SOURCES = """
[[agency]]
id = "pingtan"
name = "平潭综合实验区管理委员会"
aliases = ["平潭综合实验区"]
level = "city"
region = "福建省平潭综合实验区"
list_urls = ["http://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"]
"""


def _archive(spider: PortalSpider, *groups: ReportGroup) -> None:
    crawler = spider.crawler
    crawler.spider = spider
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    try:
        for group in groups:
            asyncio.run(pipeline.process_item(group))
    finally:
        pipeline.close_spider()


def _group(spider: PortalSpider, year: int) -> ReportGroup:
    listed = ReportGroup("pingtan", year, f"平潭综合实验区{year}年度政府信息公开工作年度报告", URL)
    request = spider._document_request(URL, spider.parse_page, listed)
    (group,) = answer(request, file_response(PAGE, request))
    return group


def test_a_report_page_is_archived_and_filed_once(
    spider: Callable[..., PortalSpider], tmp_path: Path
) -> None:
    s = spider(SOURCES)
    _archive(s, _group(s, 2024))
    assert reports(tmp_path / "nianbao.db") == [("pingtan", 2024, 1)]
    assert (s.counts["documents_new"], s.counts["reports_new_report"]) == (1, 1)
    _archive(s, _group(s, 2024))  # the same bytes again: kept, not written twice
    assert reports(tmp_path / "nianbao.db") == [("pingtan", 2024, 1)]
    assert s.counts["documents_unchanged"] == 1


def test_a_report_listed_under_another_year_is_filed_under_its_own(
    spider: Callable[..., PortalSpider], tmp_path: Path
) -> None:
    s = spider(SOURCES)
    _archive(s, _group(s, 2023))
    assert reports(tmp_path / "nianbao.db") == [("pingtan", 2024, 1)]
    conn = connect(tmp_path / "nianbao.db", readonly=True)
    (conflict,) = findings(conn, rule="report.attribution_conflict")
    conn.close()
    assert (conflict["agency_id"], conflict["year"]) == ("pingtan", 2023)
