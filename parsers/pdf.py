"""PDF → text in reading order, tables as grids from their ruling lines.

pypdfium2 reads text at thousands of pages a second but knows no tables. A page that draws
lines is read by parsers.pdfgrid, which builds pdfplumber's grid from pdfium's paths and
characters; only a page it is unsure of (paths in form objects, curves, a rotation) goes
to pdfplumber itself (exact, None in merged cells, tens of pages a second). ``STATS``
counts the pages each way took. A table cut by a page break comes out as two grids whose
rows follow each other, which the record builder reads as one table.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from parsers.errors import DocumentError
from parsers.grid import render_grid
from parsers.pdfgrid import read_page

STATS: Counter[str] = Counter()  # pages read by pdfium alone, by pdfgrid, by pdfplumber

# A page that draws fewer paths than this has no ruled table worth the slow path.
_MIN_PATHS = 8


def _paths(objects: int, get: Any, parent: Any, depth: int) -> int:
    found = 0
    for k in range(objects):
        obj = get(parent, k)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            found += 1
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth > 1:
            found += _paths(
                pdfium_c.FPDFFormObj_CountObjects(obj), pdfium_c.FPDFFormObj_GetObject, obj, 1
            )
        if found >= _MIN_PATHS:
            break
    return found


def _has_rules(page: pdfium.PdfPage) -> bool:
    count = pdfium_c.FPDFPage_CountObjects(page.raw)
    return _paths(count, pdfium_c.FPDFPage_GetObject, page.raw, 2) >= _MIN_PATHS


def _table_page(page: Any) -> list[str]:
    """A pdfplumber page's lines, its tables as grids (the slow path, and the reference
    parsers.pdfgrid is measured against)."""
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


def _plumber(data: bytes) -> Any:
    import pdfplumber  # imported when a page needs it: it costs a third of a second

    return pdfplumber.open(io.BytesIO(data))


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
            if not _has_rules(page):
                lines.append(page.get_textpage().get_text_range())
                STATS["text"] += 1
            elif (fast := read_page(page)) is not None:
                lines += fast
                STATS["grid"] += 1
            else:
                if plumber is None:
                    plumber = _plumber(data)
                lines += _table_page(plumber.pages[i])
                plumber.pages[i].close()
                STATS["pdfplumber"] += 1
            page.close()
        if plumber is not None:
            plumber.close()
        return "\n".join(lines), n
    except (ValueError, KeyError, TypeError) as exc:
        raise DocumentError(f"unreadable PDF ({type(exc).__name__}: {exc})") from None
    except Exception as exc:
        if type(exc).__name__ == "PDFSyntaxError":  # pdfminer's, imported only when used
            raise DocumentError(f"unreadable PDF ({type(exc).__name__}: {exc})") from None
        raise
    finally:
        doc.close()
