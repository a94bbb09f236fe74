"""List pages of each portal software family, as they are served (small cases beside the
real pages of test_adapters)."""

# ruff: noqa: E501 - the pages are kept as portals print them, one element a line

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from crawler.adapters import read_list_page
from crawler.titles import report_year

TRS = """<html><body><ul class="list">
<li><a href="./202101/t20210127_6412.html" title="高龙镇人民政府2020年政府信息公开工作年度报告"
       target="_blank">高龙镇人民政府2020年政府信息公开工作...</a><span>2021-01-27</span></li>
<li><a href="./202001/t20200120_5231.html">高龙镇人民政府2019年政府信息公开工作年度报告</a>
    <span>2020/01/20</span></li>
<li><a href="../../zwgk/t20200301_1.html">关于做好政务公开工作的通知</a></li>
</ul>
<script>var countPage = 3//共多少页
var currentPage = 0;
createPageHTML(countPage, currentPage, "index", "html");</script></body></html>"""

TRS_VARIANT = """<div><a href="t1.shtml" title="某局2022年政府信息公开工作年度报告">某局…</a>
<script>createPageHTML('page_div', 4, 1, 'list', 'shtml', 60);</script></div>"""

HANWEB = """<html><body><div id="470"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=1229&unitid=8016&webname=%E6%9F%90%E5%8E%BF&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2021/1/27/art_1229_3320.html" title="某县人民政府2020年政府信息公开工作年度报告" target="_blank">某县人民政府2020年政府信息...</a><span>2021-01-27</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2021/1/20/art_1229_3300.html" title="某县民政局2020年政府信息公开工作年度报告">某县民政局2020年...</a><span>2021-01-20</span></li>]]></record>
</recordset><totalrecord>100</totalrecord></datastore></script></div></body></html>"""

PROXY = """<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>100</totalrecord>
<recordset><record><![CDATA[<li><a href="/art/2020/1/15/art_1229_2900.html" title="某县人民政府2019年政府信息公开工作年度报告">x</a><span>2020-01-15</span></li>]]></record></recordset></datastore>"""

PLAIN = """<div class="news"><ul>
<li><a href="/info/1045/3621.htm">某镇2022年政府信息公开工作年度报告</a> 2023-01-30</li>
<li><a href="/info/1045/3500.htm">某镇2021年政府信息公开工作年度报告</a> 2022-01-28</li>
</ul><a href="/info/1045/list2.htm">下一页</a></div>"""


def test_trs_links_titles_dates_and_pages() -> None:
    url = "http://127.0.0.1:8000/gov/xxgk/nb/index.html"
    page = read_list_page(url, TRS)
    assert page.family == "trs"
    assert [(link.url, link.listed_date) for link in page.links] == [
        ("http://127.0.0.1:8000/gov/xxgk/nb/202101/t20210127_6412.html", "2021-01-27"),
        ("http://127.0.0.1:8000/gov/xxgk/nb/202001/t20200120_5231.html", "2020-01-20"),
        ("http://127.0.0.1:8000/gov/zwgk/t20200301_1.html", None),
    ]
    assert [report_year(link.title) for link in page.links] == [2020, 2019, None]
    assert page.requests == [
        "http://127.0.0.1:8000/gov/xxgk/nb/index_1.html",
        "http://127.0.0.1:8000/gov/xxgk/nb/index_2.html",
    ]
    assert read_list_page(page.requests[0], TRS, first=False).requests == []


def test_trs_variant_paging() -> None:
    page = read_list_page("http://127.0.0.1/a/list.shtml", TRS_VARIANT)
    # One-based: list.shtml, then list_2 … list_4, never list_1.
    assert page.requests == [f"http://127.0.0.1/a/list_{n}.shtml" for n in (2, 3, 4)]
    assert (page.pages_announced, page.records_announced) == (4, 60)
    assert report_year(page.links[0].title) == 2022


def test_hanweb_records_inside_the_datastore_and_proxy_pages() -> None:
    url = "http://127.0.0.1:8000/col/col1229/index.html"
    page = read_list_page(url, HANWEB)
    assert page.family == "hanweb"
    assert [(link.url, link.listed_date) for link in page.links] == [
        ("http://127.0.0.1:8000/art/2021/1/27/art_1229_3320.html", "2021-01-27"),
        ("http://127.0.0.1:8000/art/2021/1/20/art_1229_3300.html", "2021-01-20"),
    ]
    starts = [parse_qs(urlsplit(p).query)["startrecord"][0] for p in page.requests]
    assert starts == ["3", "48", "93"]
    query = parse_qs(urlsplit(page.requests[0]).query)
    assert (query["columnid"], query["unitid"], query["webid"]) == (["1229"], ["8016"], ["3"])
    assert page.requests[0].startswith("http://127.0.0.1:8000/module/web/jpage/dataproxy.jsp?")
    more = read_list_page(page.requests[0], PROXY, first=False)
    assert [(link.url, report_year(link.title)) for link in more.links] == [
        ("http://127.0.0.1:8000/art/2020/1/15/art_1229_2900.html", 2019)
    ]
    assert more.requests == []


def test_plain_list_follows_next() -> None:
    page = read_list_page("http://127.0.0.1/info/1045/list.htm", PLAIN)
    assert page.family == "plain"
    assert [(link.url, link.listed_date) for link in page.links] == [
        ("http://127.0.0.1/info/1045/3621.htm", "2023-01-30"),
        ("http://127.0.0.1/info/1045/3500.htm", "2022-01-28"),
    ]
    assert page.requests == ["http://127.0.0.1/info/1045/list2.htm"]


def test_empty_or_broken_pages_give_nothing() -> None:
    for html in ("", "<html>", "\x00\x01", "<script>createPageHTML(x, y)</script>"):
        page = read_list_page("http://127.0.0.1/a.html", html)
        assert page.links == [] and page.requests == []
