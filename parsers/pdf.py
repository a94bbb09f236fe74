"""PDF → text in reading order, tables as grids from their ruling lines.

pypdfium2 reads text at thousands of pages a second but knows no tables; pdfplumber finds
tables exactly (None in merged cells) at tens of pages a second. So pdfplumber is asked only
about pages that draw lines, and every other page is read by pdfium. A table cut by a page
break comes out as two grids whose rows follow each other, which the record builder reads
as one table.
"""

from __future__ import annotations

import io

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdfparser import PDFSyntaxError

from parsers.errors import DocumentError
from parsers.grid import render_grid

# A page that draws fewer paths than this has no ruled table worth the slow path.
_MIN_PATHS = 8


def _has_rules(page: pdfium.PdfPage) -> bool:
    objects = page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=2)
    return any(n >= _MIN_PATHS for n, _ in enumerate(objects, 1))


def _table_page(page: pdfplumber.page.Page) -> list[str]:
    tables = page.find_tables()
    if not tables:
        return [line["text"] for line in page.extract_text_lines()]
    blocks: list[tuple[float, list[str]]] = []
    outside = page
    for table in tables:
        blocks.append((table.bbox[1], render_grid(table.extract())))
        outside = outside.outside_bbox(table.bbox)
    blocks += [(line["top"], [line["text"]]) for line in outside.extract_text_lines()]
    blocks.sort(key=lambda b: b[0])
    return [line for _, lines in blocks for line in lines]


def pdf_text(data: bytes, max_pages: int) -> tuple[str, int]:
    """(text, page count)."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise DocumentError(f"unreadable PDF ({exc})") from None
    try:
        n = len(doc)
        if n > max_pages:
            raise DocumentError(f"PDF has {n} pages: refused (limit {max_pages})")
        plumber = None
        lines: list[str] = []
        for i in range(n):
            page = doc[i]
            if _has_rules(page):
                if plumber is None:
                    plumber = pdfplumber.open(io.BytesIO(data))
                lines += _table_page(plumber.pages[i])
                plumber.pages[i].close()
            else:
                lines.append(page.get_textpage().get_text_range())
            page.close()
        if plumber is not None:
            plumber.close()
        return "\n".join(lines), n
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError(f"unreadable PDF ({type(exc).__name__}: {exc})") from None
    finally:
        doc.close()
