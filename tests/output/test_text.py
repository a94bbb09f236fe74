"""What the crawl prints at its end: Chinese by default, each troubled source said as its
finding says it; English on request."""

from __future__ import annotations

from output.text import crawl_summary

RUN = {"id": 3, "finish_reason": "finished", "pages": 96, "new": 72, "changed": 1}
RUN |= {"unchanged": 5, "errors": 4}
INCOMPLETE = {
    "agency_id": "bp-water",
    "status": "incomplete",
    "detail": "http://x/nb/index.html: page_failed (2 of 3 pages)",
    "rule": "source.incomplete",
    "evidence": {
        "lists": [
            {
                "list_url": "http://x/nb/index.html",
                "stop_reason": "page_failed",
                "pages_read": 2,
                "pages_announced": 3,
            }
        ]
    },
}
GONE = {
    "agency_id": "gone",
    "status": "unreachable",
    "detail": "http://x/gone/index.html: http_error: HTTP 404",
    "rule": "source.unreachable",
    "evidence": {"list_pages": {"http://x/gone/index.html": "http_error: HTTP 404"}},
}
# A source whose finding is not there (dismissed, or an archive from before findings).
BARE = {**GONE, "agency_id": "bare", "evidence": None}


def test_the_crawl_summary_reads_in_chinese_or_english() -> None:
    zh = crawl_summary(RUN, [INCOMPLETE, GONE, BARE]).splitlines()
    assert zh[0] == "第 3 次抓取完成：96 页；文件新增 72、变化 1、未变 5；错误 4"
    assert zh[1] == (
        "  bp-water：栏目未能读完：http://x/nb/index.html（有页面无法读取，已读 2/3 页）。"
        "未找到的年度判为无法核实，不认定缺失。"
    )
    assert zh[2] == (
        "  gone：年报栏目无法访问：http://x/gone/index.html（服务器返回错误 HTTP 404）。"
        "各年度判为无法核实，不认定缺失。"
    )
    assert zh[3] == "  bare：栏目无法访问：http://x/gone/index.html: http_error: HTTP 404"
    en = crawl_summary({**RUN, "finish_reason": "shutdown"}, [INCOMPLETE], "en").splitlines()
    assert en[0] == "crawl 3 shutdown: 96 pages; documents 72 new, 1 changed, 5 unchanged; 4 errors"
    assert en[1].startswith("  bp-water: Not read to its end: http://x/nb/index.html (a page")


def test_the_crawl_summary_counts_what_it_asked_for_and_the_pages_read_by_ocr() -> None:
    stats = {
        "nianbao/list_pages": 4,
        "nianbao/report_pages": 10,
        "nianbao/attachments": 6,
        "downloader/request_count": 20,
        "nianbao/pages_ocr": 3,
        "nianbao/pictures": 2,
    }
    zh = crawl_summary({**RUN, "stats": stats}, []).splitlines()
    assert zh[1] == (
        "  栏目页 4、报告页 10、附件 6、报告页中的图片 2；其中 0 份近期已核对、取自存档，"
        "0 份网站答复未修改（304）；共向网站发出请求 20 次；3 页扫描图像或图片经文字识别读出"
    )
    en = crawl_summary(
        {**RUN, "stats": {**stats, "nianbao/pages_ocr": 0, "nianbao/pictures": 0}}, [], "en"
    )
    assert "OCR" not in en and en.splitlines()[1].endswith("20 requests sent")
