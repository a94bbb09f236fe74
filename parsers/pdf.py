"""PDF → text in reading order, tables as grids from their ruling lines.

pypdfium2 reads text at thousands of pages a second but knows no tables. A page that draws
lines is read by parsers.pdfgrid, which builds pdfplumber's grid from pdfium's paths and
characters; only a page it is unsure of (paths in form objects, curves, a rotation) goes
to pdfplumber itself (exact, None in merged cells, tens of pages a second). ``STATS``
counts the pages each way took. A table cut by a page break comes out as two grids whose
rows follow each other, which the record builder reads as one table.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import signal
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


def pdf_text(
    data: bytes, max_pages: int, workers: int = 1, ocr: list[dict] | None = None
) -> tuple[str, int]:
    """(text, page count); with ``workers`` > 1, a long PDF's pages are shared among that
    many processes (this one and forked children). Given ``ocr`` (a list), pages without a
    text layer are read by OCR when the extra is installed, and what it read of each is
    appended to the list."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise DocumentError(f"unreadable PDF ({exc})") from None
    try:
        n = len(doc)
        if n > max_pages:
            raise DocumentError(f"PDF has {n} pages: refused (limit {max_pages})")
        if workers > 1 and n >= _SPLIT_PAGES:
            pages = _read_shared(doc, data, n, workers, ocr)
        else:
            pages = _read_pages(doc, data, range(n), ocr)
        return "\n".join(line for lines in pages for line in lines), n
    except (ValueError, KeyError, TypeError) as exc:
        raise DocumentError(f"unreadable PDF ({type(exc).__name__}: {exc})") from None
    except pdfium.PdfiumError as exc:  # a page pdfium cannot load: a damaged file
        raise DocumentError(f"unreadable PDF ({exc})") from None
    except Exception as exc:
        # pdfminer's, imported only when used: a damaged object or dictionary.
        if type(exc).__name__ in ("PDFSyntaxError", "PdfminerException"):
            raise DocumentError(f"unreadable PDF ({type(exc).__name__}: {exc})") from None
        raise
    finally:
        doc.close()


def _read_pages(
    doc: pdfium.PdfDocument, data: bytes, indices: range, ocr: list[dict] | None = None
) -> list[list[str]]:
    """Each page's lines, in order."""
    plumber = None
    out: list[list[str]] = []
    try:
        for i in indices:
            page = doc[i]
            if not _has_rules(page):
                text = page.get_textpage().get_text_range()
                if ocr is not None and not text.strip() and _has_images(page):
                    out.append(_ocr_page(page, i, ocr))
                    page.close()
                    continue
                out.append([text])
                STATS["text"] += 1
            elif (fast := read_page(page)) is not None:
                out.append(fast)
                STATS["grid"] += 1
            else:
                if plumber is None:
                    plumber = _plumber(data)
                out.append(_table_page(plumber.pages[i]))
                plumber.pages[i].close()
                STATS["pdfplumber"] += 1
            page.close()
    finally:
        if plumber is not None:
            plumber.close()
    return out


def _has_images(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2))


def _ocr_page(page: pdfium.PdfPage, index: int, log: list[dict]) -> list[str]:
    """A page without a text layer, read by OCR when the extra is installed (else no
    lines, as before); what it read goes into ``log``."""
    from parsers import ocr

    if not ocr.available():
        return []
    read = ocr.read_page(page)
    STATS["ocr"] += 1
    log.append({"page": index + 1, **read.summary()})
    return read.lines


# Pages below which a second process costs more (a fork, a pipe) than it saves.
_SPLIT_PAGES = 12


def _read_shared(
    doc: pdfium.PdfDocument, data: bytes, n: int, workers: int, ocr: list[dict] | None = None
) -> list[list[str]]:
    """_read_pages over all pages, in consecutive shares: the first here, the others each
    in a forked child (the document already open in it) that dies with this process."""
    from parsers.guard import die_with  # it imports this module

    share = -(-n // workers)
    shares = [range(k, min(n, k + share)) for k in range(0, n, share)]
    parent = os.getpid()
    children: list[tuple[int, int]] = []
    for indices in shares[1:]:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: read its share, send it, leave without cleanup
            os.close(read_end)
            die_with(parent)
            STATS.clear()
            log: list[dict] | None = None if ocr is None else []
            try:
                result: tuple = (None, _read_pages(doc, data, indices, log), dict(STATS), log)
            except Exception as exc:  # raised again in the parent, as if read there
                result = (exc, None, {}, None)
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
            os._exit(0)
        os.close(write_end)
        children.append((pid, read_end))
    unread = {read_end for _, read_end in children}
    try:
        pages = _read_pages(doc, data, shares[0], ocr)
        for _, read_end in children:
            unread.discard(read_end)
            with os.fdopen(read_end, "rb") as got:
                try:
                    raised, result, stats, log = pickle.load(got)
                except EOFError:
                    raise DocumentError("a process reading the PDF's pages died") from None
            if raised is not None:
                raise raised
            pages += result
            STATS.update(stats)
            if ocr is not None and log:
                ocr += log
        return pages
    finally:
        for read_end in unread:
            os.close(read_end)
        for pid, _ in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # gone already, unless this share failed
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
