"""The report page's container, what is dropped from it, and merged cells as blanks.

The pages follow TRS portals' structure (``div.TRS_Editor`` inside page chrome); the
whole real pages are read by the golden corpus tests."""

from __future__ import annotations

from parsers.html import html_page

FILLER = "本机关2023年度政府信息公开工作情况如下。" * 4  # a container holds real text


def page(body: str) -> bytes:
    return f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()


def test_the_container_named_first_is_read_not_the_page_around_it() -> None:
    text, _ = html_page(
        page(
            '<div class="nav">首页 > 政府信息公开</div>'
            f'<div class="zoom">{FILLER}低优先级容器</div>'
            f'<div id="wrap"><div class="article TRS_Editor">{FILLER}正文</div></div>'
        )
    )
    assert text == FILLER + "正文"


def test_chrome_and_scripts_inside_the_container_go_their_tails_stay() -> None:
    text, _ = html_page(
        page(
            f'<div class="TRS_Editor share-box">{FILLER}<span class="share">分享到</span>甲'
            '<script>var x = "脚本";</script>乙<form>搜索</form>丙'
            '<table><tr><td class="print">1</td></tr></table></div>'
        )
    )
    # The container's own chrome-like class word keeps it; a table cell's keeps the cell.
    assert text.split("\n") == [FILLER + "甲乙丙", "1"]


def test_merged_cells_are_blank_positions_never_copies() -> None:
    text, _ = html_page(
        page(
            f'<div class="TRS_Editor">{FILLER}<table>'
            '<tr><td rowspan="2">申请人</td><td colspan="2">自然人</td><td>总计</td></tr>'
            "<tr><td>1</td><td>2</td><td>3</td></tr>"
            "<tr><td>合计</td><td>4</td><td>5</td><td>9</td></tr>"
            "</table></div>"
        )
    )
    rows = [line.split("\t") for line in text.split("\n")[1:]]
    assert rows == [["申请人", "自然人", "", "总计"], ["", "1", "2", "3"], ["合计", "4", "5", "9"]]
