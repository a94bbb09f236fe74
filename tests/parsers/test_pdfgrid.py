"""The fast path for ruled PDF pages gives, page by page, exactly the lines pdfplumber
gives, on every PDF of the corpus and the real report; a page it cannot be sure of goes
to pdfplumber."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest

from parsers import pdf
from parsers.pdfgrid import read_page

ROOT = Path(__file__).resolve().parents[2]
PDFS = sorted(
    [*ROOT.glob("tests/corpus/**/*.pdf"), *ROOT.glob("demo/files/*.pdf")]
    + ([p] if (p := ROOT.parent / "shared/corpus/real/hongze-2024.pdf").exists() else [])
)


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_ruled_pages_read_as_pdfplumber_reads_them(path: Path) -> None:
    data = path.read_bytes()
    doc = pdfium.PdfDocument(data)
    plumber = pdfplumber.open(io.BytesIO(data))
    ruled = 0
    for i in range(len(doc)):
        if not pdf._has_rules(doc[i]):
            continue
        ruled += 1
        assert read_page(doc[i]) == pdf._table_page(plumber.pages[i]), f"page {i + 1}"
    plumber.close()
    assert ruled or path.name.startswith("scan")


def test_a_page_it_cannot_be_sure_of_goes_to_pdfplumber() -> None:
    data = (ROOT / "tests/corpus/formats/merged-cells-2021.pdf").read_bytes()
    doc = pdfium.PdfDocument(data)
    doc[1].set_rotation(90)
    assert read_page(doc[1]) is None
    buf = io.BytesIO()
    doc.save(buf)
    pdf.STATS.clear()
    text, pages = pdf.pdf_text(buf.getvalue(), 10)
    assert pdf.STATS == {"text": 1, "grid": 1, "pdfplumber": 1} and pages == 3
    assert "予以公开" in text
