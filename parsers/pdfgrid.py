"""Ruled tables of a PDF page from pdfium alone: the page's path segments give the ruling
lines, the text page gives each character with its box, and the grid is built the way
pdfplumber's lattice strategy builds it (snap and join the edges, intersect them, take the
smallest closed rectangles as cells, a cell's characters by their centres), at C speed for
the reading and a few milliseconds of Python per page for the grid.

When the page is not plain enough to be sure — paths inside form objects, a rotated page,
curves among the rules, characters that straddle a cell's edge — ``read_page`` says so
(returns None) and the caller asks pdfplumber.
"""

from __future__ import annotations

import ctypes
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from parsers.grid import render_grid

# pdfplumber's defaults for the lattice ("lines") strategy, in points.
SNAP = 3.0
JOIN = 3.0
MIN_EDGE = 3.0
INTERSECT = 3.0
X_TOLERANCE = 3.0  # a gap wider than this between two characters is a space
Y_TOLERANCE = 3.0  # characters whose tops differ less are on one line
_SKIPPED = frozenset("\x00\n\r\ufffe\uffff")


class Char:
    """One character: its box from the top of the page (as pdfplumber measures) and the
    centre that decides its cell."""

    __slots__ = ("bottom", "cx", "cy", "text", "top", "x0", "x1")

    def __init__(self, text: str, x0: float, x1: float, top: float, bottom: float) -> None:
        self.text, self.x0, self.x1, self.top, self.bottom = text, x0, x1, top, bottom
        self.cx, self.cy = (x0 + x1) / 2, (top + bottom) / 2


@dataclass
class Table:
    cells: list[tuple[float, float, float, float]]  # x0, top, x1, bottom
    bbox: tuple[float, float, float, float] = field(init=False)

    def __post_init__(self) -> None:
        self.bbox = (
            min(c[0] for c in self.cells),
            min(c[1] for c in self.cells),
            max(c[2] for c in self.cells),
            max(c[3] for c in self.cells),
        )

    def rows(self) -> list[list[tuple[float, float, float, float] | None]]:
        """pdfplumber's Table.rows: one row per distinct cell top, one position per
        distinct cell left edge, None where a merged cell covers the position."""
        xs = sorted({c[0] for c in self.cells})
        by_top: dict[float, dict[float, tuple]] = defaultdict(dict)
        for cell in self.cells:
            by_top[cell[1]][cell[0]] = cell
        return [[by_top[top].get(x) for x in xs] for top in sorted(by_top)]


class Unsure(Exception):
    """The page is not plain enough for the fast path."""


def _form_has_paths(form: Any) -> bool:
    for j in range(pdfium_c.FPDFFormObj_CountObjects(form)):
        child = pdfium_c.FPDFFormObj_GetObject(form, j)
        kind = pdfium_c.FPDFPageObj_GetType(child)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH or (
            kind == pdfium_c.FPDF_PAGEOBJ_FORM and _form_has_paths(child)
        ):
            return True
    return False


def _segments(page: pdfium.PdfPage, height: float) -> tuple[list, list]:
    """Horizontal (y, x0, x1) and vertical (x, top, bottom) lines drawn on the page, in
    pdfplumber's top-down coordinates; rectangles give their four sides. Read through
    pdfium's C API directly: the object wrappers cost more than the reading."""
    horizontal: list = []
    vertical: list = []
    x, y = ctypes.c_float(), ctypes.c_float()
    m = pdfium_c.FS_MATRIX()
    raw = page.raw
    # Bound once: attribute lookups on the C module cost as much as the calls.
    get_matrix, count_segments = pdfium_c.FPDFPageObj_GetMatrix, pdfium_c.FPDFPath_CountSegments
    get_segment, get_point = pdfium_c.FPDFPath_GetPathSegment, pdfium_c.FPDFPathSegment_GetPoint
    segment_type, is_closed = pdfium_c.FPDFPathSegment_GetType, pdfium_c.FPDFPathSegment_GetClose
    moveto, lineto = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO
    for k in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = pdfium_c.FPDFPage_GetObject(raw, k)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            if _form_has_paths(obj):
                raise Unsure("paths inside a form object")
            continue
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        get_matrix(obj, m)
        a, b, c, d, e, f = m.a, m.b, m.c, m.d, m.e, m.f
        start = prev = None
        for i in range(count_segments(obj)):
            seg = get_segment(obj, i)
            get_point(seg, x, y)
            px, py = x.value, y.value
            point = (a * px + c * py + e, height - (b * px + d * py + f))
            segment = segment_type(seg)
            if segment == moveto:
                start = prev = point
                continue
            if segment != lineto:
                raise Unsure("curves among the rules")
            _add(horizontal, vertical, prev, point)
            prev = point
            if is_closed(seg) and start is not None:
                _add(horizontal, vertical, prev, start)
                prev = start
    return horizontal, vertical


def _add(horizontal: list, vertical: list, p: tuple | None, q: tuple) -> None:
    if p is None:
        return
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) < 0.5 and abs(x0 - x1) >= 0.5:
        horizontal.append([(y0 + y1) / 2, min(x0, x1), max(x0, x1)])
    elif abs(x0 - x1) < 0.5 and abs(y0 - y1) >= 0.5:
        vertical.append([(x0 + x1) / 2, min(y0, y1), max(y0, y1)])
    elif abs(x0 - x1) >= 0.5 and abs(y0 - y1) >= 0.5:
        raise Unsure("a slanted line")


def _snap(edges: list[list[float]]) -> list[list[float]]:
    """Edges whose positions lie within SNAP of the previous one (a chain, as pdfplumber
    clusters) move to their group's mean."""
    edges = sorted(edges)
    out, group = [], []
    for edge in edges:
        if group and edge[0] - group[-1][0] > SNAP:
            mean = sum(g[0] for g in group) / len(group)
            out += [[mean, g[1], g[2]] for g in group]
            group = []
        group.append(edge)
    if group:
        mean = sum(g[0] for g in group) / len(group)
        out += [[mean, g[1], g[2]] for g in group]
    return out


def _join(edges: list[list[float]]) -> list[list[float]]:
    """Collinear edges that overlap or nearly touch become one; short ones are dropped."""
    by_pos: dict[float, list[list[float]]] = defaultdict(list)
    for edge in edges:
        by_pos[edge[0]].append(edge)
    out = []
    for group in by_pos.values():
        group.sort(key=lambda e: e[1])
        current = list(group[0])
        for edge in group[1:]:
            if edge[1] <= current[2] + JOIN:
                current[2] = max(current[2], edge[2])
            else:
                out.append(current)
                current = list(edge)
        out.append(current)
    return [[p, a, b] for p, a, b in out if b - a >= MIN_EDGE]


def _tables(horizontal: list, vertical: list) -> list[Table]:
    """pdfplumber's intersections → cells → tables, on snapped and joined edges."""
    points: dict[tuple[float, float], tuple[set[int], set[int]]] = {}
    for vi, (vx, vtop, vbottom) in enumerate(vertical):
        for hi, (hy, hx0, hx1) in enumerate(horizontal):
            if (
                hx0 - INTERSECT <= vx <= hx1 + INTERSECT
                and vtop - INTERSECT <= hy <= vbottom + INTERSECT
            ):
                entry = points.setdefault((vx, hy), (set(), set()))
                entry[0].add(hi)
                entry[1].add(vi)
    ordered = sorted(points, key=lambda p: (p[1], p[0]))
    by_y: dict[float, list[tuple[float, float]]] = defaultdict(list)
    by_x: dict[float, list[tuple[float, float]]] = defaultdict(list)
    for p in ordered:
        by_y[p[1]].append(p)
        by_x[p[0]].append(p)

    def joined_h(p: tuple, q: tuple) -> bool:
        return bool(points[p][0] & points[q][0])

    def joined_v(p: tuple, q: tuple) -> bool:
        return bool(points[p][1] & points[q][1])

    cells = []
    for p in ordered:
        below = [q for q in by_x[p[0]] if q[1] > p[1] and joined_v(p, q)]
        right = [q for q in by_y[p[1]] if q[0] > p[0] and joined_h(p, q)]
        found = None
        for b in below:
            for r in right:
                corner = (r[0], b[1])
                if corner in points and joined_h(corner, b) and joined_v(corner, r):
                    found = (p[0], p[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    # Cells sharing a corner belong to one table.
    tables: list[list[tuple]] = []
    corners_of: list[set] = []
    for cell in cells:
        corners = {(cell[0], cell[1]), (cell[0], cell[3]), (cell[2], cell[1]), (cell[2], cell[3])}
        hits = [i for i, c in enumerate(corners_of) if c & corners]
        if not hits:
            tables.append([cell])
            corners_of.append(corners)
            continue
        first = hits[0]
        tables[first].append(cell)
        corners_of[first] |= corners
        for i in reversed(hits[1:]):
            tables[first] += tables.pop(i)
            corners_of[first] |= corners_of.pop(i)
    # pdfplumber keeps tables of more than one cell, top to bottom.
    return sorted((Table(t) for t in tables if len(t) > 1), key=lambda t: (t.bbox[1], t.bbox[0]))


def by_index(units: list[int]) -> list[str]:
    """Each character index's text from its UTF-16 code unit, as pdfium counts them: a
    character outside the BMP (𠀀 in a place name) is two indexes, a surrogate pair; it is
    one character at the first and nothing at the second. A lone half is U+FFFD."""
    out = [""] * len(units)
    i = 0
    while i < len(units):
        unit = units[i]
        if 0xD800 <= unit < 0xDC00 and i + 1 < len(units) and 0xDC00 <= units[i + 1] < 0xE000:
            out[i] = chr(0x10000 + ((unit - 0xD800) << 10) + (units[i + 1] - 0xDC00))
            i += 2
            continue
        out[i] = "\ufffd" if 0xD800 <= unit < 0xE000 else chr(unit)
        i += 1
    return out


def _chars(textpage: pdfium.PdfTextPage, height: float) -> list[Char]:
    """The page's characters with boxes as pdfminer measures them: from the origin (the
    left end of the baseline), one font size tall, one advance wide. The size is the
    font's size times the text matrix's scale; the advance is pdfium's loose box where
    that box is sane (for some fonts it is not: a 10-point character 200 points wide)."""
    out = []
    left, right = ctypes.c_double(), ctypes.c_double()
    bottom, top = ctypes.c_double(), ctypes.c_double()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    matrix, loose = pdfium_c.FS_MATRIX(), pdfium_c.FS_RECTF()
    raw = textpage.raw
    get_origin, get_matrix = pdfium_c.FPDFText_GetCharOrigin, pdfium_c.FPDFText_GetMatrix
    get_size, get_loose = pdfium_c.FPDFText_GetFontSize, pdfium_c.FPDFText_GetLooseCharBox
    count = textpage.count_chars()
    text: str | list[str] = textpage.get_text_range(0, count)  # one call for every code
    if len(text) != count:  # characters outside the BMP: ask for each
        text = by_index([pdfium_c.FPDFText_GetUnicode(raw, i) for i in range(count)])
    for i, char in enumerate(text):
        if not char or char in _SKIPPED:
            continue
        if char == " " and pdfium_c.FPDFText_IsGenerated(raw, i):
            continue  # a space pdfium inferred from a gap; the gap itself is measured
        code = ord(char)
        if not get_origin(raw, i, ox, oy):
            continue
        get_matrix(raw, i, matrix)
        scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5 or 1.0
        size = get_size(raw, i) * scale
        x0 = ox.value
        get_loose(raw, i, loose)
        width = loose.right - loose.left
        if abs(loose.left - x0) < 0.5 and 0 < width <= 1.5 * size:
            x1 = loose.right
        elif code >= 0x2E80:  # CJK: one em
            x1 = x0 + size
        else:
            pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top)
            x1 = max(right.value, x0 + 0.5 * size)
        baseline = height - oy.value
        out.append(Char(char, x0, x1, baseline - 0.85 * size, baseline + 0.15 * size))
    return out


def _lines(chars: list[Char]) -> list[tuple[float, str]]:
    """Characters as lines of text, top to bottom, a space where a gap is wider than
    X_TOLERANCE: (top, text) per line, as pdfplumber's extract_text_lines gives them."""
    rows: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: (c.bottom, c.x0)):  # by baseline: fonts differ
        if rows and abs(ch.bottom - rows[-1][0].bottom) <= Y_TOLERANCE:
            rows[-1].append(ch)
        else:
            rows.append([ch])
    out = []
    for row in rows:
        row.sort(key=lambda c: c.x0)
        text, prev = [], None
        for ch in row:
            gap = prev is not None and ch.x0 - prev.x1 > X_TOLERANCE
            if gap and ch.text != " " and text and text[-1] != " ":
                text.append(" ")
            text.append(ch.text)
            prev = ch
        line = "".join(text).strip()
        if line:
            out.append((min(c.top for c in row), line))
    return out


def tables_of(horizontal: list, vertical: list) -> list[Table]:
    """The tables drawn by these ruling lines (in top-down points), as pdfplumber finds
    them: snapped, joined, intersected."""
    return _tables(_join(_snap(horizontal)), _join(_snap(vertical)))


def read_page(page: pdfium.PdfPage) -> list[str] | None:
    """A ruled page's text lines, its tables as grids; None when unsure."""
    if page.get_rotation() % 360:
        return None
    height = page.get_height()
    try:
        horizontal, vertical = _segments(page, height)
    except Unsure:
        return None
    tables = tables_of(horizontal, vertical)
    textpage = page.get_textpage()
    try:
        chars = _chars(textpage, height)
    finally:
        textpage.close()
    return layout(tables, chars)


def layout(tables: list[Table], chars: list[Char]) -> list[str]:
    """A page's lines, top to bottom: each table a grid of the characters whose centres
    its cells hold, the characters around the tables as lines of text."""
    if not tables:
        return [text for _, text in _lines(chars)]
    blocks: list[tuple[float, list[str]]] = []
    rest = chars
    for table in tables:
        x0, top, x1, bottom = table.bbox
        # A cell takes the characters whose centre it holds: found by their centres' height.
        inside = sorted(
            (c for c in chars if x0 <= c.cx <= x1 and top <= c.cy <= bottom), key=lambda c: c.cy
        )
        heights = [c.cy for c in inside]
        # The text around a table: characters that do not touch it at all (one that
        # straddles its edge belongs to neither, as with pdfplumber).
        rest = [c for c in rest if c.x1 < x0 or c.x0 > x1 or c.bottom < top or c.top > bottom]
        grid = []
        for row in table.rows():
            values = []
            for cell in row:
                if cell is None:
                    values.append(None)
                    continue
                cx0, ctop, cx1, cbottom = cell
                band = inside[bisect_left(heights, ctop) : bisect_left(heights, cbottom)]
                mine = [c for c in band if cx0 <= c.cx < cx1]
                values.append("\n".join(text for _, text in _lines(mine)))
            grid.append(values)
        blocks.append((top, render_grid(grid)))
    blocks += [(top, [text]) for top, text in _lines(rest)]
    blocks.sort(key=lambda b: b[0])
    return [line for _, lines in blocks for line in lines]
