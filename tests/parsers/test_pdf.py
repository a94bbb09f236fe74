"""A long PDF's pages shared among processes read exactly as one process reads them, in
order, with every page counted by the path it took."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium

from parsers import pdf

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests/corpus/real-county-report-ruled-tables.pdf"


def repeated(path: Path, times: int, rotate: int | None = None) -> bytes:
    source = pdfium.PdfDocument(path.read_bytes())
    doc = pdfium.PdfDocument.new()
    for _ in range(times):
        doc.import_pages(source)
    if rotate is not None:
        doc[rotate].set_rotation(90)  # a page the fast path leaves to pdfplumber
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def read(data: bytes, workers: int) -> tuple[str, int, dict[str, int]]:
    pdf.STATS.clear()
    text, pages = pdf.pdf_text(data, 500, workers)
    return text, pages, dict(pdf.STATS)


def test_pages_shared_among_processes_read_as_one_process_reads_them() -> None:
    data = repeated(REAL, 8)  # 40 pages
    alone = read(data, 1)
    assert alone[1] == 40 and alone[2]["grid"] >= 8
    for workers in (2, 3):
        assert read(data, workers) == alone, workers


def test_a_page_for_pdfplumber_in_a_childs_share_is_read_and_counted() -> None:
    source = ROOT / "tests/corpus/formats/merged-cells-2021.pdf"
    data = repeated(source, 6, rotate=16)  # 18 pages; the 17th is in the second share
    alone = read(data, 1)
    assert alone[2]["pdfplumber"] == 1
    assert read(data, 2) == alone
    assert alone[0].count("予以公开") == 6


def test_a_short_pdf_reads_the_same_whatever_the_workers() -> None:
    data = repeated(REAL, 1)  # 5 pages: not worth a fork
    assert read(data, 4) == read(data, 1)
