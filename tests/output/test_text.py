"""What the crawl prints at its end: Chinese by default, each troubled source's state in
words; English on request."""

from __future__ import annotations

from output.text import crawl_summary

RUN = {"id": 3, "finish_reason": "finished", "pages": 96, "new": 72, "changed": 1}
RUN |= {"unchanged": 5, "errors": 4}
TROUBLED = [("bp-water", "incomplete", "http://x/nb/index.html: page_failed (2 of 3 pages)")]


def test_the_crawl_summary_reads_in_chinese_or_english() -> None:
    zh = crawl_summary(RUN, TROUBLED).splitlines()
    assert zh[0] == "第 3 次抓取完成：96 页；文件新增 72、变化 1、未变 5；错误 4"
    assert zh[1].startswith("  bp-water：栏目未能读完：")
    en = crawl_summary({**RUN, "finish_reason": "shutdown"}, TROUBLED, "en").splitlines()
    assert en[0] == "crawl 3 shutdown: 96 pages; documents 72 new, 1 changed, 5 unchanged; 4 errors"
    assert en[1] == "  bp-water: incomplete: http://x/nb/index.html: page_failed (2 of 3 pages)"
