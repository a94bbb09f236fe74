"""The archive pipeline's glue on saved responses, without a crawl: a report page the
spider read becomes archived documents and a report filed where its own text says."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from scrapy.http import Response

from crawler.items import ReportGroup
from crawler.pipelines import ArchivePipeline
from crawler.spiders.portal import PortalSpider
from parsers import parse_bytes
from storage.archive import document_bytes
from storage.db import connect
from storage.query import findings, latest_cells
from tests.crawler.conftest import answer, file_response, pingtan_sources
from tests.support import ROOT, reports

PAGE = ROOT / "tests" / "corpus" / "real-page-title-and-date-outside-content.html"
URL = "http://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202503/t20250310_97791.htm"
SOURCES = pingtan_sources("http://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/")


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


HONGZE = """
[[agency]]
id = "hongze"
name = "淮安市洪泽区人民政府"
aliases = ["洪泽区"]
level = "county"
region = "江苏省淮安市洪泽区"
list_urls = ["http://www.hongze.gov.cn/hzq/nb/index.html"]
"""
VIEWER = "http://www.hongze.gov.cn/hzq/nb/202501/t20250120_1.html"
PDF = ROOT / "tests" / "corpus" / "real-county-report-ruled-tables.pdf"


def _viewer_group(spider: PortalSpider, pdf_status: int) -> ReportGroup:
    """The viewer page read by the spider, and the PDF its viewer names, answered."""
    listed = ReportGroup(
        "hongze", 2024, "淮安市洪泽区人民政府2024年政府信息公开工作年度报告", VIEWER
    )
    request = spider._document_request(VIEWER, spider.parse_page, listed)
    (attachment,) = answer(request, file_response("report-page-pdf-viewer-only.html", request))
    assert attachment.url == "http://www.hongze.gov.cn/uploadfiles/2025/01/hz-nb-2024.pdf"
    response = file_response(PDF, attachment, status=pdf_status)
    (group,) = answer(attachment, response)
    return group


def test_the_pdf_a_viewer_page_shows_is_the_report(
    spider: Callable[..., PortalSpider], tmp_path: Path
) -> None:
    s = spider(HONGZE)
    _archive(s, _viewer_group(s, 200))
    assert reports(tmp_path / "nianbao.db") == [("hongze", 2024, 1)]


def test_a_page_that_only_names_the_report_is_not_the_report(
    spider: Callable[..., PortalSpider], tmp_path: Path
) -> None:
    """Its PDF gone, the viewer page is archived as a document but filed as no report:
    the year is unverified, with a finding that says why."""
    s = spider(HONGZE)
    _archive(s, _viewer_group(s, 404))
    assert reports(tmp_path / "nianbao.db") == []
    conn = connect(tmp_path / "nianbao.db", readonly=True)
    (unread,) = findings(conn, rule="report.document_unread")
    conn.close()
    assert (unread["agency_id"], unread["year"]) == ("hongze", 2024)
    assert unread["evidence"]["documents"] == {
        "http://www.hongze.gov.cn/uploadfiles/2025/01/hz-nb-2024.pdf": "HTTP 404"
    }


def test_a_document_confirmed_lately_is_answered_by_the_archive(
    spider: Callable[..., PortalSpider], tmp_path: Path
) -> None:
    """Within revisit_days of the portal's last word on it, a report page is not asked for:
    the archive answers (a 304 marked from_archive) and the year is read from the archived
    copy. Later it is asked for conditionally, and the portal's 304 renews the confirmation."""
    import scrapy

    from crawler.middlewares import ConditionalRequests

    s = spider(SOURCES)
    _archive(s, _group(s, 2024))
    db = tmp_path / "nianbao.db"
    middleware = ConditionalRequests(s.crawler, str(db), 30)
    listed = ReportGroup("pingtan", 2024, "平潭综合实验区2024年度政府信息公开工作年度报告", URL)

    request = s._document_request(URL, s.parse_page, listed)
    kept = middleware.process_request(request)
    assert kept is not None and kept.status == 304 and request.meta["from_archive"]
    (group,) = answer(request, middleware.process_response(request, kept))
    assert group.docs[0].from_archive and group.docs[0].known_sha
    assert s.crawler.stats.get_value("nianbao/documents_from_archive") == 1

    conn = connect(db)
    conn.execute("UPDATE document_urls SET checked_at = '2000-01-01T00:00:00+00:00'")
    conn.commit()
    asked = s._document_request(URL, s.parse_page, listed)
    assert middleware.process_request(asked) is None and "from_archive" not in asked.meta
    unchanged = scrapy.http.HtmlResponse(URL, status=304, request=asked)
    (group,) = answer(asked, middleware.process_response(asked, unchanged))
    assert not group.docs[0].from_archive and group.docs[0].known_sha
    _archive(s, group)
    (checked,) = conn.execute("SELECT checked_at FROM document_urls").fetchone()
    assert checked > "2000-01-01T00:00:00+00:00"
    conn.close()
    middleware.close()


PICTURED = ROOT / "tests" / "corpus" / "pictured"


def _pictured_group(spider: PortalSpider) -> ReportGroup:
    """The real page with its three tables put in as pictures (tests/corpus/pictured, made
    by make_pictured.py): the spider asks for each picture, each answers."""
    listed = ReportGroup("pingtan", 2024, "平潭综合实验区2024年度政府信息公开工作年度报告", URL)
    request = spider._document_request(URL, spider.parse_page, listed)
    page = PICTURED / "real-page-tables-as-pictures.html"
    pictures = answer(request, file_response(page, request))
    assert [p.url for p in pictures] == [
        f"http://www.pingtan.gov.cn/picture/table-{n}.png" for n in (1, 2, 3)
    ]
    groups = []
    for picture in pictures:
        body = (PICTURED / picture.url.rsplit("/", 1)[1]).read_bytes()
        png = Response(picture.url, body=body, headers={"Content-Type": "image/png"})
        groups += answer(picture, png.replace(request=picture))
    (group,) = groups
    return group


@pytest.mark.slow
def test_a_page_whose_tables_are_pictures_is_read_whole_by_ocr(
    spider: Callable[..., PortalSpider], tmp_path: Path
) -> None:
    """Its pictures are fetched, put into the page and read in their places: the report
    has every cell the page with its tables gives, accuses no missing table, and the
    archived page holds its pictures (a re-parse needs nothing else)."""
    s = spider(SOURCES)
    _archive(s, _pictured_group(s))
    assert reports(tmp_path / "nianbao.db") == [("pingtan", 2024, 1)]
    text = parse_bytes(PAGE.read_bytes())
    conn = connect(tmp_path / "nianbao.db", readonly=True)
    cells = {key: value for _, _, key, value in latest_cells(conn)}
    assert len(cells) == 200 and cells == text["cells"]
    rules = [f["rule"] for f in findings(conn, agency="pingtan")]
    assert "template.missing_table" not in rules and "cells.unreadable" not in rules
    ((sha,),) = conn.execute("SELECT document_sha256 FROM reports").fetchall()
    archived = document_bytes(conn, sha)
    conn.close()
    assert archived.count(b'src="data:image;base64,') == 3
    assert s.counts["pictures"] == 3 and s.counts["pages_pictured"] == 1
    assert s.crawler.stats.get_value("nianbao/pages_ocr") == 3
