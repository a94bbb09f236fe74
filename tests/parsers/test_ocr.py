"""Scans read by OCR: a real report rasterised reads as its text version does, and what
the recognizer is unsure of never becomes a number (tests/corpus/ocr-*.txt show how the
table reader takes an unread cell)."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from parsers import Limits, parse_bytes
from parsers.errors import DocumentError
from parsers.guard import IN_PROCESS_BYTES, parse_guarded
from parsers.html import join_pages
from parsers.ocr import read_picture_bytes
from tests.corpus.scans import scanned, stamped

REAL = Path(__file__).resolve().parent.parent / "corpus" / "real-county-report-ruled-tables.pdf"


def _without_ocr(findings: list[dict]) -> list[tuple]:
    return [(f["rule"], f["evidence"].get("key")) for f in findings if f["rule"] != "cells.ocr"]


@pytest.mark.slow
@pytest.mark.parametrize("dpi", [150])  # 300 dpi and degraded copies: bench/ocr.py
def test_a_rasterised_real_report_reads_as_its_text_does(dpi: int) -> None:
    text = parse_bytes(REAL.read_bytes())
    scan = scanned(REAL.read_bytes(), dpi)
    assert "no text layer" in parse_bytes(scan, limits=Limits(ocr="off"))["findings"][0]["message"]
    # Through the guard: the recognizer's memory and each page's time within its bounds.
    record = parse_guarded(scan)
    assert len(text["cells"]) == 186
    assert record["cells"] == text["cells"]
    for field in ("agency", "year", "title", "template", "sections", "doc_number"):
        assert record[field] == text[field], field
    assert _without_ocr(record["findings"]) == _without_ocr(text["findings"])
    (ocr,) = [f for f in record["findings"] if f["rule"] == "cells.ocr"]
    assert ocr["evidence"]["pages"] == [1, 2, 3, 4, 5]
    assert ocr["evidence"]["boxes"] > 300


@pytest.mark.slow
def test_a_photographed_page_is_read_and_its_numbers_are_the_reports() -> None:
    """A page sent as a picture (PNG): every number read is the text version's."""
    text = parse_bytes(REAL.read_bytes())
    page = pdfium.PdfDocument(REAL.read_bytes())[2].render(scale=150 / 72).to_pil()
    out = io.BytesIO()
    page.save(out, "PNG")
    record = parse_guarded(out.getvalue())  # OCR in the parser child, as a crawl runs it
    read = {k: v for k, v in record["cells"].items() if v is not None}
    assert len(read) >= 60
    assert read == {k: text["cells"][k] for k in read}
    assert "cells.ocr" in [f["rule"] for f in record["findings"]]


def docx_with_pictured_tables(data: bytes) -> bytes:
    """A Word file as agencies make one from the real report: its first page as text, the
    pages with tables pasted in as screenshots."""
    import zipfile
    from xml.sax.saxutils import escape

    doc = pdfium.PdfDocument(data)
    body, pictures = [], {}
    for i in range(len(doc)):
        if i == 0:
            text = doc[i].get_textpage().get_text_range()
            body += [
                f"<w:p><w:r><w:t>{escape(line)}</w:t></w:r></w:p>" for line in text.split("\n")
            ]
            continue
        shot = io.BytesIO()
        doc[i].render(scale=150 / 72).to_pil().save(shot, "PNG")
        pictures[f"rId{i}"] = shot.getvalue()
        body.append(f'<w:p><w:r><w:drawing><a:blip r:embed="rId{i}"/></w:drawing></w:r></w:p>')
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{w}" xmlns:a="{a}" xmlns:r="{r}"><w:body>'
            + "".join(body)
            + "</w:body></w:document>",
        )
        z.writestr(
            "word/_rels/document.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="{rid}" Target="media/{rid}.png"/>' for rid in pictures)
            + "</Relationships>",
        )
        for rid, png in pictures.items():
            z.writestr(f"word/media/{rid}.png", png)
    return out.getvalue()


@pytest.mark.slow
def test_a_word_file_whose_tables_are_screenshots_reads_as_the_report() -> None:
    text = parse_bytes(REAL.read_bytes())
    docx = docx_with_pictured_tables(REAL.read_bytes())
    # Unread, its pictured tables are a note for a person, not charged as missing.
    unread = [f["rule"] for f in parse_bytes(docx, limits=Limits(ocr="off"))["findings"]]
    assert "document.pictures_unread" in unread and "template.missing_table" not in unread
    record = parse_guarded(docx)
    assert record["cells"] == text["cells"]
    (ocr,) = [f for f in record["findings"] if f["rule"] == "cells.ocr"]
    assert ocr["evidence"]["pages"] == [] and len(ocr["evidence"]["pictures"]) == 4
    assert _without_ocr(record["findings"]) == _without_ocr(text["findings"])


def ofd_with_pictured_tables(data: bytes, pictured: range) -> bytes:
    """The real report as an OFD: its first page as text objects, the pages ``pictured``
    with tables as pictures (ImageObject → MultiMedia in DocumentRes.xml)."""
    import zipfile
    from xml.sax.saxutils import escape

    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    doc = pdfium.PdfDocument(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "OFD.xml",
            f"<ofd:OFD {ns}><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
            "</ofd:DocBody></ofd:OFD>",
        )
        pages, media = [], []
        for i in [0, *pictured]:
            if i == 0:
                lines = doc[i].get_textpage().get_text_range().split("\n")
                body = "".join(
                    f'<ofd:TextObject ID="{100 + k}" Boundary="15 {10 + 5 * k} 180 5" Font="1" '
                    f'Size="3"><ofd:TextCode X="0" Y="4">{escape(line)}</ofd:TextCode>'
                    "</ofd:TextObject>"
                    for k, line in enumerate(lines)
                )
            else:
                shot = io.BytesIO()
                doc[i].render(scale=150 / 72).to_pil().save(shot, "PNG")
                z.writestr(f"Doc_0/Res/page{i}.png", shot.getvalue())
                media.append(
                    f'<ofd:MultiMedia ID="{i}" Type="Image">'
                    f"<ofd:MediaFile>page{i}.png</ofd:MediaFile></ofd:MultiMedia>"
                )
                body = f'<ofd:ImageObject ID="{500 + i}" ResourceID="{i}" Boundary="0 0 210 297"/>'
            z.writestr(
                f"Doc_0/Pages/Page_{i}/Content.xml",
                f"<ofd:Page {ns}><ofd:Content><ofd:Layer>{body}</ofd:Layer></ofd:Content>"
                "</ofd:Page>",
            )
            pages.append(f'<ofd:Page ID="{i + 10}" BaseLoc="Pages/Page_{i}/Content.xml"/>')
        z.writestr(
            "Doc_0/Document.xml",
            f"<ofd:Document {ns}><ofd:CommonData><ofd:DocumentRes>DocumentRes.xml"
            f"</ofd:DocumentRes></ofd:CommonData><ofd:Pages>{''.join(pages)}</ofd:Pages>"
            "</ofd:Document>",
        )
        z.writestr(
            "Doc_0/DocumentRes.xml",
            f'<ofd:Res {ns} BaseLoc="Res"><ofd:MultiMedias>{"".join(media)}'
            "</ofd:MultiMedias></ofd:Res>",
        )
    return out.getvalue()


@pytest.mark.slow
def test_an_ofd_whose_table_is_a_picture_reads_it_in_its_place() -> None:
    """The page holding most of table 三 as a picture: each of its numbers the report's."""
    text = parse_bytes(REAL.read_bytes())
    record = parse_guarded(ofd_with_pictured_tables(REAL.read_bytes(), range(2, 3)))
    read = {k: v for k, v in record["cells"].items() if v is not None}
    assert len([k for k in read if k.startswith("applications.")]) >= 90
    assert read == {k: text["cells"][k] for k in read}
    (ocr,) = [f for f in record["findings"] if f["rule"] == "cells.ocr"]
    assert ocr["evidence"]["pictures"] == ["Doc_0/Res/page2.png"]


PICTURED = Path(__file__).resolve().parent.parent / "corpus" / "pictured"


def test_a_page_holding_pictures_is_read_within_the_bounds_of_a_scan() -> None:
    """The real page with its tables as pictures, as the crawl archives it: read in the
    bounded child (not in-process, as a page of text is), so its time limit stops it."""
    page = (PICTURED / "real-page-tables-as-pictures.html").read_bytes()
    pictures = {
        f"http://x.gov.cn/picture/table-{n}.png": (PICTURED / f"table-{n}.png").read_bytes()
        for n in (1, 2, 3)
    }
    joined = join_pages([page], None, pictures, "http://x.gov.cn/nb/t1.htm")
    assert len(joined) < IN_PROCESS_BYTES  # small enough to be read in-process as text
    with pytest.raises(DocumentError, match=r"took longer than 0\.5 s"):
        parse_guarded(joined, limits=Limits(seconds=0.5, ocr_seconds=0))
    # Without pictures to read, the same page is read at once, in this process.
    assert parse_guarded(page, limits=Limits(seconds=0.5))["template"] == "2021"


def test_a_ruling_line_broken_where_a_seal_crossed_it_still_meets_its_line() -> None:
    """(position, start, end) in points: the row rule a seal's ring cut 5 points short of
    the column rule is carried to it; a large heading's short strokes are left alone."""
    from parsers.ocr import _mended

    rows, columns = [[173.2, 164.9, 568.1]], [[160.0, 47.9, 180.7], [570.0, 47.9, 566.6]]
    assert _mended(rows, columns) == [[173.2, 160.0, 570.0]]
    strokes = [[115.4, 334.6, 351.8]]
    assert _mended(strokes, [[343.0, 115.2, 130.1], [359.0, 115.2, 132.0]]) == strokes


@pytest.mark.slow
def test_a_seal_stamped_over_a_table_hides_no_number() -> None:
    """The 2019 form scanned with a seal on each page, over table 三's rows 3–5 on its
    second (the ring crosses their rules and labels): every number read is the text
    version's, and those rows are read whole."""
    data = (REAL.parent / "formats" / "merged-cells-2019.pdf").read_bytes()
    text = parse_bytes(data)
    record = parse_guarded(scanned(data, 200, stamped))
    read = {k: v for k, v in record["cells"].items() if v is not None}
    assert read == {k: text["cells"][k] for k in read}
    for row in ("safety_stability", "third_party", "internal_affairs"):
        assert f"applications.denied.{row}.total" in read, row


def test_a_picture_that_cannot_be_decoded_is_one_line_or_costs_only_itself() -> None:
    """A PNG cut short: as a file, a one-line error; inside a document, no text and no
    entry in what OCR read."""
    page = io.BytesIO()
    pdfium.PdfDocument(REAL.read_bytes())[0].render(scale=1).to_pil().save(page, "PNG")
    cut = page.getvalue()[: len(page.getvalue()) // 2]
    with pytest.raises(DocumentError, match=r"^unreadable image"):
        parse_bytes(cut)
    log: list[dict] = []
    assert read_picture_bytes(cut, "picture 1", log) == [] and log == []
