"""Scans read by OCR: a real report rasterised reads as its text version does, and what
the recognizer is unsure of never becomes a number (tests/corpus/ocr-*.txt show how the
table reader takes an unread cell)."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from parsers import Limits, parse_bytes
from parsers.guard import parse_guarded

REAL = Path(__file__).resolve().parent.parent / "corpus" / "real-county-report-ruled-tables.pdf"


def rasterised(data: bytes, dpi: int) -> bytes:
    """The PDF as a scanner would give it: each page a picture, no text layer."""
    doc = pdfium.PdfDocument(data)
    pages = [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return out.getvalue()


def _without_ocr(findings: list[dict]) -> list[tuple]:
    return [(f["rule"], f["evidence"].get("key")) for f in findings if f["rule"] != "cells.ocr"]


@pytest.mark.slow
@pytest.mark.parametrize("dpi", [150, 300])
def test_a_rasterised_real_report_reads_as_its_text_does(dpi: int) -> None:
    text = parse_bytes(REAL.read_bytes())
    scan = rasterised(REAL.read_bytes(), dpi)
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
    record = parse_bytes(out.getvalue())
    read = {k: v for k, v in record["cells"].items() if v is not None}
    assert len(read) >= 60
    assert read == {k: text["cells"][k] for k in read}
    assert "cells.ocr" in [f["rule"] for f in record["findings"]]
