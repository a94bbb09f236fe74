"""A red seal stamped on a page image, as agencies stamp their reports: a ring and a star
over the page's upper left (on the 2019 form's second page, over table 三's label column).
bench/ocr.py's sealed copies and tests/parsers/test_ocr.py stamp with it."""

from __future__ import annotations

from typing import Any


def stamped(image: Any) -> Any:
    """A copy of a PIL image with the seal on it."""
    from PIL import ImageDraw

    sealed = image.copy()
    draw = ImageDraw.Draw(sealed, "RGBA")
    w, h = sealed.size
    cx, cy, r = int(w * 0.2), int(h * 0.18), int(w * 0.09)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(220, 30, 30, 200), width=r // 12)
    draw.regular_polygon((cx, cy, r // 3), 5, fill=(220, 30, 30, 170))
    return sealed
