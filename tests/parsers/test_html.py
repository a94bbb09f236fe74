"""The report page's container, what is dropped from it, and merged cells as blanks.

The pages follow TRS portals' structure (``div.TRS_Editor`` inside page chrome); the
whole real pages are read by the golden corpus tests."""

from __future__ import annotations

from pathlib import Path

from parsers import Limits, parse_bytes
from parsers.html import content_pictures, html_page, join_pages
from report.sentences import sentence

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


ROOT_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PICTURED = ROOT_CORPUS / "pictured"


def test_the_pictures_a_report_page_shows_are_its_contents_not_its_chrome() -> None:
    """The real page with its tables as pictures: the three pictures in its content, in
    order, at their addresses; the site's logo in its header is not one of them."""
    html = (PICTURED / "real-page-tables-as-pictures.html").read_text(encoding="utf-8")
    assert '<img src="' in html.split("TRS_Editor")[0]  # the page's chrome has pictures
    assert content_pictures("http://www.pingtan.gov.cn/zwgk/nb/t1.htm", html) == [
        f"http://www.pingtan.gov.cn/picture/table-{n}.png" for n in (1, 2, 3)
    ]


def test_a_page_whose_tables_are_text_has_no_pictures_to_fetch() -> None:
    """The real page with its three tables as text and a picture under them (a QR code):
    the report is all there, the picture is not asked for."""
    html = (ROOT_CORPUS / "real-page-title-and-date-outside-content.html").read_text("utf-8")
    shown = html.replace("</table>", '</table><p><img src="/qr.png"></p>', 1)
    assert content_pictures("http://x.gov.cn/nb/t1.htm", shown) == []


def test_icons_and_inline_pictures_are_not_fetched() -> None:
    html = page(
        f'<div class="TRS_Editor"><p>{FILLER}</p><img src="a.gif" width="16">'
        '<img src="b.png" style="width: 40px; height:40px"><img src="data:image/png;base64,AA">'
        '<img src="t3.png" width="800"><img data-src="/up/t4.jpg"></div>'
    ).decode()
    assert content_pictures("http://x.gov.cn/nb/p.html", html) == [
        "http://x.gov.cn/nb/t3.png",
        "http://x.gov.cn/up/t4.jpg",
    ]


def test_pictures_are_put_into_the_page_where_it_shows_them() -> None:
    html = page(f'<div class="TRS_Editor"><p>{FILLER}</p><p><img src="t3.png"></p></div>')
    joined = join_pages(
        [html], None, {"http://x.gov.cn/nb/t3.png": b"\x89PNG"}, "http://x.gov.cn/nb/p.html"
    )
    assert b'<img src="data:image;base64,iVBORw==">' in joined
    # Without OCR asked for, a picture is no text.
    assert html_page(joined)[0] == html_page(html)[0]


def test_a_page_whose_pictured_tables_were_not_read_is_not_charged_with_missing_them() -> None:
    """The real page with its tables as pictures, read with OCR off (as without the extra,
    or when a picture could not be fetched): its tables are not charged as missing; a note
    says the pictures were not read, for a person to check."""
    page = (PICTURED / "real-page-tables-as-pictures.html").read_bytes()
    record = parse_bytes(page, limits=Limits(ocr="off"))
    (note,) = record["findings"]
    assert note["rule"] == "document.pictures_unread"
    assert note["evidence"]["pictures"] == 3 and len(note["evidence"]["not_seen"]) == 3
    assert "报告正文中有 3 幅图片未能识别" in sentence(note["rule"], note["evidence"])
    # A page without pictures that lacks a table is charged as before.
    plain = page.replace(b"<img ", b"<span ")
    rules = [f["rule"] for f in parse_bytes(plain, limits=Limits(ocr="off"))["findings"]]
    assert rules.count("template.missing_table") == 3
