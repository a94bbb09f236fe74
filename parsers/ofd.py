"""OFD (GB/T 33190) → text: a zip of XML pages of positioned text objects.

Text objects are grouped into lines by their vertical position and ordered left to right;
a wide gap between two objects on a line is a cell boundary and becomes a tab. Tags are
matched by local name, because producers disagree on namespaces.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from lxml import etree

from parsers import ocr
from parsers.errors import DocumentError
from parsers.zipsafe import local, xml_reader

# Positions are in millimetres: objects whose baselines are this close share a line,
# and a gap wider than this between them separates two cells.
_SAME_LINE = 1.5
_CELL_GAP = 2.0


def _floats(value: str | None, n: int) -> list[float]:
    try:
        parts = [float(v) for v in (value or "").split()]
    except ValueError:
        parts = []
    return (parts + [0.0] * n)[:n]


def _texts(page: etree._Element) -> list[tuple[float, float, float, str]]:
    """(y, x, right edge, text) of every text code on a page."""
    out = []
    for obj in page.iter():
        if local(obj) != "TextObject":
            continue
        bx, by, bw, _ = _floats(obj.get("Boundary"), 4)
        for code in obj:
            if local(code) != "TextCode" or not code.text:
                continue
            x = bx + _floats(code.get("X"), 1)[0]
            y = by + _floats(code.get("Y"), 1)[0]
            out.append((y, x, bx + bw, code.text))
    return out


def _media(read: Any, document: etree._Element, base: str) -> dict[str, str]:
    """Resource id → the part of each picture the document's resources name."""
    out = {}
    for res in document.iter():
        if local(res) not in ("PublicRes", "DocumentRes") or not res.text:
            continue
        path = posixpath.normpath(posixpath.join(base, res.text.strip().lstrip("/")))
        try:
            root = read(path)
        except DocumentError:
            continue
        folder = posixpath.join(posixpath.dirname(path), root.get("BaseLoc", ""))
        for media in root.iter():
            if local(media) != "MultiMedia":
                continue
            file = next((c.text for c in media if local(c) == "MediaFile" and c.text), None)
            if file:
                out[media.get("ID", "")] = posixpath.normpath(posixpath.join(folder, file.strip()))
    return out


def _pictures(page: etree._Element) -> list[tuple[float, str]]:
    """(top, resource id) of every picture on a page."""
    return sorted(
        (_floats(obj.get("Boundary"), 4)[1], obj.get("ResourceID", ""))
        for obj in page.iter()
        if local(obj) == "ImageObject"
    )


def _lines(items: list[tuple[float, float, float, str]]) -> list[str]:
    return [line for _, line in _placed_lines(items)]


def _placed_lines(items: list[tuple[float, float, float, str]]) -> list[tuple[float, str]]:
    items.sort()
    rows: list[list[tuple[float, float, float, str]]] = []
    for item in items:
        if rows and abs(item[0] - rows[-1][0][0]) <= _SAME_LINE:
            rows[-1].append(item)
        else:
            rows.append([item])
    lines = []
    for row in rows:
        row.sort(key=lambda i: i[1])
        text, right = "", None
        for _, x, end, s in row:
            if right is not None:
                text += "\t" if x - right > _CELL_GAP else ""
            text += s
            right = max(end, x)
        lines.append((row[0][0], text))
    return lines


def _opened(data: bytes) -> tuple[Any, Any, str, etree._Element]:
    """(zip, part reader, the document's folder, Document.xml) of an OFD."""
    z, read = xml_reader(data)
    names = {n.lower(): n for n in z.namelist()}
    root = read(names.get("ofd.xml", "OFD.xml"))
    doc_roots = [
        el.text.strip().lstrip("/") for el in root.iter() if local(el) == "DocRoot" and el.text
    ]
    if not doc_roots:
        raise DocumentError("OFD without a DocRoot")
    doc_path = doc_roots[0]
    return z, read, posixpath.dirname(doc_path), read(doc_path)


def _page_contents(read: Any, base: str, document: etree._Element) -> Iterator[etree._Element]:
    for page in document.iter():
        if local(page) == "Page" and page.get("BaseLoc"):
            yield read(posixpath.normpath(posixpath.join(base, page.get("BaseLoc").lstrip("/"))))


def ofd_text(data: bytes, log: list[dict] | None = None) -> str:
    """The document's text; given ``log`` (a list), its pictures (a table pasted in as a
    screenshot) are read by OCR in their places when the extra is installed, and what was
    read of each is appended to the list."""
    z, read, base, document = _opened(data)
    templates = {
        el.get("ID"): posixpath.join(base, el.get("BaseLoc", "").lstrip("/"))
        for el in document.iter()
        if local(el) == "TemplatePage"
    }
    media = _media(read, document, base) if log is not None else {}
    lines: list[str] = []
    for content in _page_contents(read, base, document):
        items = _texts(content)
        for ref in content.iter():
            if local(ref) == "Template" and ref.get("TemplateID") in templates:
                items += _texts(read(templates[ref.get("TemplateID")]))
        placed = _placed_lines(items)
        if media:
            for top, resource in _pictures(content):
                at = sum(1 for y, _ in placed if y <= top)
                pictured = [(top, line) for line in ocr.read_picture(z, media.get(resource), log)]
                placed[at:at] = pictured
        lines += [line for _, line in placed]
    return "\n".join(lines)


def picture_count(data: bytes) -> int:
    """How many pictures large enough to hold a table the document's pages show."""
    z, read, base, document = _opened(data)
    media = _media(read, document, base)
    return sum(
        ocr.picture_in(z, media.get(resource)) is not None
        for content in _page_contents(read, base, document)
        for _, resource in _pictures(content)
    )
