"""A column is read to its end only on proof: saved pages of each kind, read as the spider
reads them, and what the crawl then says of the column and of its source."""

from __future__ import annotations

import pytest

from crawler.adapters import read_list_page
from crawler.completeness import Health, ListRead
from tests.crawler.conftest import RESPONSES

COLUMN = "http://www.qingshi.gov.cn/xxgk/nb/index.html"


def _read_one(name: str) -> tuple[ListRead, list[str]]:
    """The column read from the saved page alone; the sub-columns it leads to."""
    text = (RESPONSES / name).read_text(encoding="utf-8")
    page = read_list_page(COLUMN, text)
    read = ListRead(COLUMN)
    read.want(COLUMN, 10)
    read.page_read(COLUMN, COLUMN, page)
    return read, page.sublists


@pytest.mark.parametrize(
    ("name", "reason", "unreadable"),
    [
        ("proven-static-list-without-pager.html", "end", []),
        (
            "unproven-list-drawn-by-ajax-shell.html",
            "unproven_end",
            ["no_items", "script_list", "script_pager"],
        ),
    ],
)
def test_a_column_ends_only_where_its_pages_prove_it(
    name: str, reason: str, unreadable: list[str]
) -> None:
    read, _ = _read_one(name)
    summary = read.summary()
    assert (summary["stop_reason"], summary["complete"]) == (reason, reason == "end")
    assert summary["detail"]["unreadable"] == unreadable


def test_a_list_drawn_by_scripts_is_incomplete_not_without_reports() -> None:
    """The source is not told "the column may have moved": its years are unverified."""
    read, _ = _read_one("unproven-list-drawn-by-ajax-shell.html")
    status, _, findings = Health(lists=[COLUMN]).judge({COLUMN: read.summary()})
    assert status == "incomplete"
    assert [f["rule"] for f in findings] == ["source.incomplete"]


def test_year_tabs_are_sub_columns_each_to_be_proved() -> None:
    read, sublists = _read_one("year-tabs-one-list-a-year.html")
    base = "http://www.qingshi.gov.cn/xxgk/nb/"
    assert sublists == [f"{base}{y}/index.html" for y in (2023, 2022, 2021)]
    for url in sublists:  # a tab not yet read: the column is not read to its end
        read.want(url, 10)
    assert read.stop_reason() == "not_read"
    page = read_list_page(
        sublists[1],
        (RESPONSES / "proven-static-list-without-pager.html").read_text(encoding="utf-8"),
    )
    for url in sublists:
        read.page_read(url, url, page)
    assert read.stop_reason() == "end"


def test_a_further_page_that_repeats_an_earlier_one_proves_nothing() -> None:
    """A server that ignores ?page=N serves page 1 again: that is a failed page, not the
    column's second page, whatever the column announced."""
    text = (RESPONSES / "proven-static-list-without-pager.html").read_text(encoding="utf-8")
    read = ListRead(COLUMN)
    for n, url in enumerate((COLUMN, COLUMN + "?page=2"), 1):
        page = read_list_page(url, text, first=n == 1)
        page.pages_announced = 2
        read.want(url, 10)
        read.page_read(url, COLUMN, page)
    assert read.stop_reason() == "page_failed"
    assert read.summary()["detail"]["failed"] == {
        COLUMN + "?page=2": "repeats an earlier page: the page asked for was not served"
    }


def test_a_pager_a_script_draws_is_read_from_the_scripts_numbers() -> None:
    """laypage's count and limit give the pages, its jump the address of each: read to
    the end when every page is served, and not when one repeats another."""
    text = (RESPONSES / "scripted-laypage-pager-pageindex.html").read_text(encoding="utf-8")
    first = read_list_page(COLUMN, text)
    assert (first.family, first.pages_announced) == ("plain", 4)  # 46 records, 15 a page
    assert first.requests == [f"{COLUMN}?pageIndex={n}" for n in (2, 3, 4)]

    def read_all(repeat: bool) -> str:
        read = ListRead(COLUMN)
        read.want(COLUMN, 10)
        read.page_read(COLUMN, COLUMN, first)
        for n, url in enumerate(first.requests, 2):
            served = text.replace("t2024", f"p{3 if repeat and n == 4 else n}")
            read.want(url, 10)
            read.page_read(url, COLUMN, read_list_page(url, served, first=False))
        return read.stop_reason()

    assert read_all(repeat=False) == "end"
    assert read_all(repeat=True) == "page_failed"


def test_a_script_pager_without_an_address_is_unproven() -> None:
    page = read_list_page(
        COLUMN,
        '<ul><li><a href="/nb/t1.html">青石县人民政府2023年政府信息公开工作年度报告</a>'
        "<span>2024-01-20</span></li></ul>"
        "<script>var pageCount = 5; function goPage(n) { submitForm(n); }</script>",
    )
    read = ListRead(COLUMN)
    read.want(COLUMN, 10)
    read.page_read(COLUMN, COLUMN, page)
    assert (page.family, read.stop_reason()) == ("plain", "unproven_end")


def test_a_real_aspnetpager_list_of_one_page_is_read_without_a_browser() -> None:
    """AspNetPager says 总页数：1: one page announced and read is the column's end, though
    its pager posts back; its items' dates are written into their links, in brackets."""
    from crawler.browser import needs_render

    text = (RESPONSES / "real-aspnetpager-one-page.html").read_text(encoding="utf-8")
    page = read_list_page(COLUMN, text)
    assert [(link.title, link.listed_date) for link in page.links][:2] == [
        ("学院网站教职工个人信息注册", "2014-04-17"),
        ("人才测评软件培训通知", "2013-06-24"),
    ]
    read = ListRead(COLUMN)
    read.want(COLUMN, 10)
    read.page_read(COLUMN, COLUMN, page)
    assert (page.pages_announced, read.stop_reason(), needs_render(page)) == (1, "end", False)
    # Five pages posted back: nothing a static read can follow, so a browser reads it.
    more = read_list_page(COLUMN, text.replace("<b>1</b></font> 当前页", "<b>5</b></font> 当前页"))
    assert (more.unrecognized_paging, needs_render(more)) == (True, True)
