"""The spider's request and parse logic on saved responses, without a crawl: what each list
page leads to, and what the crawl proves of the column."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from crawler.items import ReportGroup
from crawler.spiders.portal import PortalSpider
from tests.crawler.conftest import answer, file_response, requests_in

COLUMN = "http://www.qingshi.gov.cn/xxgk/list.jsp?lm=年报"
SOURCES = f"""
[[agency]]
id = "qs-dongling"
name = "青石县东岭镇人民政府"
aliases = ["东岭镇"]
level = "township"
region = "某省某市青石县"
list_urls = ["{COLUMN}"]
"""


async def _first_requests(spider: PortalSpider) -> list:
    return [r async for r in spider.start()]


def test_a_last_page_whose_next_link_is_itself_ends_the_column(
    spider: Callable[..., PortalSpider],
) -> None:
    """共2页, both read; page 2's 下一页 names page 2 under its unescaped address (the
    column's name in Chinese): the column is read to its end, not cut by a loop."""
    s = spider(SOURCES)
    (first,) = asyncio.run(_first_requests(s))
    out = answer(first, file_response("plain-two-pages-last-next-to-itself-1.html", first))
    (second,) = [r for r in requests_in(out) if r.callback == s.parse_list]
    assert "page=2" in second.url
    out += answer(second, file_response("plain-two-pages-last-next-to-itself-2.html", second))
    assert [r for r in requests_in(out) if r.callback == s.parse_list and r is not second] == []
    read = s.reads[COLUMN]
    assert read.stop_reason() == "end", read.summary()
    assert read.summary()["pages_read"] == 2
    years = sorted(r.cb_kwargs["year"] for r in requests_in(out) if r.callback == s.parse_page)
    assert years == [2019, 2020, 2021, 2022]
    assert s.health["qs-dongling"].reports_found == 4


def test_a_report_page_without_attachments_is_one_group(
    spider: Callable[..., PortalSpider],
) -> None:
    s = spider(SOURCES)
    (first,) = asyncio.run(_first_requests(s))
    out = answer(first, file_response("plain-two-pages-last-next-to-itself-1.html", first))
    page = next(r for r in requests_in(out) if r.callback == s.parse_page)
    (group,) = answer(page, file_response("plain-two-pages-last-next-to-itself-2.html", page))
    assert isinstance(group, ReportGroup)
    assert (group.agency_id, group.year, group.page_url) == (
        "qs-dongling",
        2022,
        "http://www.qingshi.gov.cn/art/2023/1/20/art_1_301.html",
    )
    assert group.docs[0].body.startswith(b"<!-- structure")


def test_a_next_link_back_is_a_loop_unless_the_pages_announced_were_all_read() -> None:
    from crawler.adapters import ListPage
    from crawler.completeness import ListRead

    def read(announced: int | None) -> ListRead:
        r = ListRead("http://x.gov.cn/nb/list1.htm")
        for n in (1, 2):
            url = f"http://x.gov.cn/nb/list{n}.htm"
            r.want(url, 10)
            r.page_read(url, r.list_url, ListPage("plain", pages_announced=announced))
        r.looped("http://x.gov.cn/nb/list1.htm")
        return r

    assert read(None).stop_reason() == "loop"
    assert read(3).stop_reason() == "loop"  # announced more than were read
    assert read(2).stop_reason() == "end"
