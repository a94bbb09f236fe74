"""Scanned copies of real reports, as agencies publish them: each page a picture, no text
layer, optionally spoiled on the way (a red seal stamped on it). bench/ocr.py's copies and
tests/parsers/test_ocr.py make them here."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any


def scanned(data: bytes, dpi: int, spoil: Callable[[Any], Any] | None = None) -> bytes:
    """A PDF as a scanner gives it: each page rendered at ``dpi`` (then ``spoil``ed), saved
    as a PDF of pictures."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    pages = []
    for i in range(len(doc)):
        page = doc[i].render(scale=dpi / 72).to_pil().convert("RGB")
        pages.append(spoil(page) if spoil else page)
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return out.getvalue()


def stamped(image: Any) -> Any:
    """A copy of a PIL page image with a red seal (a ring and a star) over its upper left:
    on the 2019 form's second page, over table 三's label column."""
    from PIL import ImageDraw

    sealed = image.copy()
    draw = ImageDraw.Draw(sealed, "RGBA")
    w, h = sealed.size
    cx, cy, r = int(w * 0.2), int(h * 0.18), int(w * 0.09)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(220, 30, 30, 200), width=r // 12)
    draw.regular_polygon((cx, cy, r // 3), 5, fill=(220, 30, 30, 170))
    return sealed
