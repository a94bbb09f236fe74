"""Pages without a text layer (a scan, a table pasted in as a picture) read by OCR.

The page is rendered, the recognizer (rapidocr, its models inside its wheel: nothing is
downloaded) gives boxes of text with their confidence, and the ruling lines are found on
the raster itself. Both then go the way a PDF's own characters and paths go
(parsers.pdfgrid.layout): lines snapped and joined into cells, each box in the cell that
holds its centre, the grid rendered as rows. What the recognizer is unsure of is never
passed on as a number: a box of digits below ``MIN_CONFIDENCE`` that two readings of its
crop alone do not confirm, one that straddles a cell's edge, or one a second reading of
its crop reads otherwise, becomes ``UNREAD``,
which the table reader takes as a cell it cannot read (the row is left empty and said so,
or filled where the template's sums leave one reading).

OCR is an extra (``pip install nianbao[ocr]``): without it, ``available()`` is False and
such pages stay without text, as before.
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from parsers.pdfgrid import Char, layout, tables_of
from parsers.tokens import UNREAD_MARK, is_footer

# Points to pixels: 200 dpi reads a 5-point digit (table cells' smallest) whole, and a
# page stays under the recognizer's own size limit.
DPI = 200
# A page with less of its area inked than this (a line of ten characters is 0.08 % of an
# A4 page at 200 dpi) is blank: the recognizer is not started.
_MIN_INK = 0.0002
# A box of digits read with less confidence than this is taken as a number only when two
# readings of its crop alone (as it is and twice as large) say the same, each with at least
# SURE; below FLOOR, never. (The recognizer is often unsure of a box whose edge caught a
# ruling line, and sure of its digits once they stand alone.)
MIN_CONFIDENCE = 0.8
SURE = 0.95
FLOOR = 0.5
# A box whose width lies more than this share outside the cell of its centre straddles
# two cells: which one it belongs to cannot be told.
STRADDLE = 0.25
_NUMBERISH = re.compile(r"^[\d,.，。\s/\\\-—–]+$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class PageRead:
    """One page's OCR: its lines, and what a person may want to check."""

    lines: list[str]
    boxes: int = 0
    unsure: list[dict[str, Any]] = field(default_factory=list)
    confidence: float = 1.0  # the lowest of the page's boxes

    def summary(self) -> dict[str, Any]:
        """What the record's cells.ocr finding says of the page."""
        return {"boxes": self.boxes, "confidence": self.confidence, "unsure": self.unsure}


@cache
def available() -> bool:
    """Whether the OCR extra is installed."""
    try:
        import cv2  # noqa: F401
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return True


_lock = threading.Lock()
# Told before each page is read (parsers.guard: each OCR'd page extends its document's
# time), in the process that set it only: a forked reader of a PDF's pages shares the pipe.
_on_page: tuple[int, Callable[[], None]] | None = None


def on_page(callback: Callable[[], None] | None) -> None:
    """Call ``callback`` in this process before each page is read by OCR."""
    global _on_page
    _on_page = None if callback is None else (os.getpid(), callback)


@cache
def _engine() -> Any:
    from rapidocr import RapidOCR

    # Quiet, and the page as rendered: the recognizer would shrink it past 2000 pixels.
    return RapidOCR(params={"Global.log_level": "error", "Global.max_side_len": 2000})


# A scan turned by up to this many degrees is set upright before it is read: ruling lines
# must run straight for cells to be found.
MAX_TURN = 3.0


def _without_seals(image: Any) -> Any:
    """The page with its red ink (seals, red-headed letterheads) made white: a seal over a
    table hides digits and ruling lines from both readers, the black print under it stays."""
    import cv2
    import numpy as np
    from PIL import Image

    rgb = np.asarray(image.convert("RGB")).astype(np.int16)
    redness = rgb[..., 0] - np.maximum(rgb[..., 1], rgb[..., 2])
    red = (rgb[..., 0] > 120) & (redness > 50)
    if not red.any():
        return image
    # The seal's edges are pink, not red: left as they are, a faint ring joins the lines of
    # text it crosses into one box for the recognizer.
    near = cv2.dilate(red.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    red |= near & (rgb[..., 0] > 150) & (redness > 12)
    clean = rgb.copy()
    # Red ink lets red light through: in the red channel the seal over paper is light and
    # the print under it dark. Stretched between the two, it gives the print back.
    shade = rgb[..., 0][red].astype(np.float32)
    # Most of a seal lies over paper: its median shade is paper, and lighter is paper too.
    paper, print_ = np.percentile(shade, 50), np.percentile(shade, 1)
    if paper - print_ < 30:  # the seal covers no print
        under = np.full(shade.shape, 255.0)
    else:
        under = np.clip((shade - print_) * 255 / (paper - print_), 0, 255)
    clean[red] = np.repeat(under[:, None], 3, axis=1)
    return Image.fromarray(clean.astype(np.uint8))


def _turn(gray: Any) -> float:
    """The angle (degrees, counter-clockwise) that sets a page's lines level: the one whose
    rows of ink are sharpest, tried in tenths of a degree on a small copy."""
    import cv2
    import numpy as np

    height, width = gray.shape
    factor = 800 / width
    small = cv2.resize(gray, (800, max(1, int(height * factor))), interpolation=cv2.INTER_AREA)
    ink = (small < 160).astype(np.float32)
    centre = (small.shape[1] / 2, small.shape[0] / 2)

    def sharpness(angle: float) -> float:
        turn = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rows = cv2.warpAffine(ink, turn, (small.shape[1], small.shape[0])).sum(axis=1)
        return float((rows * rows).sum())

    steps = int(MAX_TURN * 10)
    return max((k / 10 for k in range(-steps, steps + 1)), key=lambda a: (sharpness(a), -abs(a)))


def _rulings(gray: Any, scale: float) -> tuple[list, list]:
    """Horizontal (y, x0, x1) and vertical (x, top, bottom) ruling lines of a page image,
    in points: dark runs longer than any stroke of a character, found by morphological
    opening with a long thin kernel."""
    import cv2

    height, width = gray.shape
    ink = cv2.adaptiveThreshold(
        255 - gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -10
    )
    out: list[list] = []
    for kernel, horizontal in (
        ((max(20, width // 40), 1), True),
        ((1, max(20, height // 60)), False),
    ):
        lines = cv2.morphologyEx(
            ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel)
        )
        count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        edges = []
        for x, y, w, h, _area in stats[1:count]:
            if horizontal:
                edges.append([(y + h / 2) / scale, x / scale, (x + w) / scale])
            else:
                edges.append([(x + w / 2) / scale, y / scale, (y + h) / scale])
        out.append(edges)
    return out[0], out[1]


# A ruling line on a raster that ends short of a line it meets by up to this (points) is
# taken to meet it: a seal's ring or a faint copy breaks lines where they cross. Both must
# be longer than LONG: a large heading's strokes are runs of ink too.
MEND = 8.0
LONG = 40.0


def _mended(lines: list, across: list) -> list:
    """Lines (position, start, end) whose ends fall short of a crossing line by less than
    MEND, carried to it."""
    out = []
    long_across = [a for a in across if a[2] - a[1] > LONG]
    for position, start, end in lines:
        if end - start <= LONG:
            out.append([position, start, end])
            continue
        for at, a_start, a_end in long_across:
            if a_start - MEND <= position <= a_end + MEND:
                if 0 < start - at <= MEND:
                    start = at
                if 0 < at - end <= MEND:
                    end = at
        out.append([position, start, end])
    return out


def _boxes(image: Any, scale: float) -> list[tuple[str, float, float, float, float, float]]:
    """(text, confidence, x0, x1, top, bottom) in points of each box the recognizer read."""
    with _lock:  # one inference at a time in a process: the engine is not thread-safe
        result = _engine()(image, use_det=True, use_cls=True, use_rec=True)
    if result.boxes is None:
        return []
    out = []
    for box, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
        xs = [float(p[0]) / scale for p in box]
        ys = [float(p[1]) / scale for p in box]
        out.append((str(text), float(score), min(xs), max(xs), min(ys), max(ys)))
    return out


_LABEL_THEN_NUMBER = re.compile(r"^(.*[^\d\s])\s*(\d[\d,.]*)$")


def _split_at_rules(tables: list, boxes: list[tuple]) -> list[tuple]:
    """Boxes as the cells have them: a label's box that runs on over a ruling line into
    the number beside it (行政规范性文件5, the recognizer seeing one line of text) is cut at
    the line: the label in its cell, the number in the next, read again there."""
    out = []
    for box in boxes:
        text, score, x0, x1, top, bottom = box
        edge = _edge_crossed(tables, x0, x1, top, bottom)
        m = _LABEL_THEN_NUMBER.match(text) if edge is not None and _CJK.search(text) else None
        if m is None:
            out.append(box)
            continue
        out.append((m.group(1), score, x0, edge - 0.5, top, bottom))
        out.append((m.group(2), score, edge + 0.5, x1, top, bottom))
    return out


def _cell_at(tables: list, x: float, y: float) -> tuple[float, float, float, float] | None:
    """The table cell (x0, top, x1, bottom) that holds a point, if any."""
    for table in tables:
        for cell in table.cells:
            if cell[0] <= x < cell[2] and cell[1] <= y < cell[3]:
                return cell
    return None


def _edge_crossed(tables: list, x0: float, x1: float, top: float, bottom: float) -> float | None:
    """The right edge of the cell holding a box's left end, when the box runs past it."""
    cell = _cell_at(tables, x0 + 2, (top + bottom) / 2)
    return cell[2] if cell is not None and x1 > cell[2] + 3 else None


def _read_again(
    image: Any, scale: float, box: tuple[float, float, float, float], times: int
) -> tuple[str, float]:
    """(text, confidence) of a number's box (x0, x1, top, bottom) read once more, alone and
    ``times`` as large: a digit the recognizer took for another (a 9 for a 6) is seldom
    misread the same way at another size, so readings that differ mark the number as not
    read with certainty."""
    x0, x1, top, bottom = box
    pad = 3
    crop = image.crop(
        (
            max(0, int(x0 * scale) - pad),
            max(0, int(top * scale) - pad),
            int(x1 * scale) + pad,
            int(bottom * scale) + pad,
        )
    )
    if times != 1:
        crop = crop.resize((crop.width * times, crop.height * times))
    with _lock:
        result = _engine()(crop, use_det=False, use_cls=False, use_rec=True)
    if not result.txts:
        return "", 0.0
    return str(result.txts[0]).replace(" ", ""), float(result.scores[0])


def _settled(
    image: Any, scale: float, text: str, score: float, box: tuple, clipped: bool = False
) -> dict | None:
    """None when a box (not a label) is taken as it was read; else what was read of it.
    A ``clipped`` box is the part inside one cell of a box that ran over its edge (often
    onto the ruling line): taken only when two readings of it alone confirm it."""
    plain = text.replace(" ", "")
    out: dict[str, Any] = {"text": text, "confidence": round(score, 3)}
    if not _NUMBERISH.match(plain):
        return out  # digits mixed with letters: a misread number (O for 0, l for 1)
    if not any(c.isdigit() for c in plain):
        return None
    if score < FLOOR:
        return out
    sure = score >= MIN_CONFIDENCE and not clipped
    for times in (2,) if sure else (1, 2):
        again, confidence = _read_again(image, scale, box, times)
        if again != plain or (not sure and confidence < SURE):
            return out | {"read_again": again}
    return None


def read_image(image: Any, scale: float | None = None) -> PageRead:
    """An image (PIL) of a page, read into lines, its tables as grids. ``scale``: pixels
    per point (a page rendered at DPI when None)."""
    import numpy as np

    if _on_page is not None and _on_page[0] == os.getpid():
        _on_page[1]()
    scale = scale or DPI / 72
    image = _without_seals(image)
    gray = np.asarray(image.convert("L"))
    if (gray < 128).mean() < _MIN_INK:  # a blank page, or a tint: nothing to read
        return PageRead([], 0)
    if angle := _turn(gray):
        from PIL import Image

        image = image.rotate(angle, resample=Image.BICUBIC, fillcolor="white")
        gray = np.asarray(image.convert("L"))
    horizontal, vertical = _rulings(gray, scale)
    tables = tables_of(_mended(horizontal, vertical), _mended(vertical, horizontal))
    chars, unsure = [], []
    boxes = _boxes(image, scale)
    for text, score, x0, x1, top, bottom in _split_at_rules(tables, boxes):
        # Words are read as words; a number is taken only when read with certainty, inside
        # one cell, and read the same again alone. Page furniture (- 2 -) is no cell,
        # however it was read.
        doubt = None
        if not _CJK.search(text) and not is_footer(text):
            cell = _straddled(tables, x0, x1, top, bottom)
            if cell is not None:
                inside = (max(x0, cell[0]), min(x1, cell[2]), top, bottom)
                doubt = _settled(image, scale, text, score, inside, clipped=True)
            else:
                doubt = _settled(image, scale, text, score, (x0, x1, top, bottom))
        if doubt is not None:
            unsure.append(doubt)
        chars.append(Char(UNREAD_MARK if doubt else text, x0, x1, top, bottom))
    return PageRead(
        layout(tables, chars),
        len(boxes),
        unsure,
        round(min((b[1] for b in boxes), default=1.0), 3),
    )


# An image file says nothing of its page's size: taken as an A4 page's width in points.
_PAGE_WIDTH = 595


# A picture smaller than this (a logo, a seal, a signature) holds no table.
_MIN_PICTURE = (300, 150)


def worth_reading(data: bytes) -> bool:
    """Whether an embedded picture is large enough to hold a table or a page."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.width >= _MIN_PICTURE[0] and image.height >= _MIN_PICTURE[1]
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return False


# A picture inside a container larger than this is not read.
_PICTURE_BYTES = 20 * 1024 * 1024


def read_picture(z: Any, part: str | None, log: list[dict] | None) -> list[str]:
    """The lines of a picture inside a zip container (DOCX, OFD), when OCR is asked for
    (``log`` given) and installed and the picture is large enough to hold a table; what
    was read of it goes into ``log``."""
    if part is None or log is None or not available():
        return []
    data = _member(z, part)
    return [] if data is None else read_picture_bytes(data, part, log)


def picture_in(z: Any, part: str | None) -> bytes | None:
    """A picture inside a zip container (DOCX, OFD), when it is large enough to hold a
    table."""
    data = None if part is None else _member(z, part)
    return data if data is not None and worth_reading(data) else None


def _member(z: Any, part: str) -> bytes | None:
    """A part of a zip container up to _PICTURE_BYTES, None when missing or larger."""
    from parsers.errors import DocumentError
    from parsers.zipsafe import read_member

    try:
        return read_member(z, part, [_PICTURE_BYTES])
    except DocumentError:
        return None


def read_picture_bytes(data: bytes, where: str, log: list[dict] | None) -> list[str]:
    """The lines of a picture in a document (``where`` names it), when OCR is asked for
    (``log`` given) and installed and the picture is large enough to hold a table; what
    was read of it goes into ``log``."""
    if log is None or not available() or len(data) > _PICTURE_BYTES or not worth_reading(data):
        return []
    from parsers.errors import DocumentError

    try:
        read = read_file(data)
    except DocumentError:
        return []  # a picture cut short: it costs itself, not its document
    log.append({"picture": where, **read.summary()})
    return read.lines


# A picture narrower than this is a screenshot of a web page's table (text 12–14 pixels
# tall), enlarged twice before it is read: at that size the recognizer misses lone digits.
_SMALL_PICTURE = 1000


def read_file(data: bytes) -> PageRead:
    """An image file (a photographed or scanned page), read by OCR; DocumentError when its
    bytes are not a picture that can be decoded."""
    from PIL import Image, UnidentifiedImageError

    from parsers.errors import DocumentError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            page = image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DocumentError(f"unreadable image ({type(exc).__name__})") from None
    if page.width < _SMALL_PICTURE and page.height < 5 * _SMALL_PICTURE:
        page = page.resize((page.width * 2, page.height * 2), Image.LANCZOS)
    return read_image(page, page.width / _PAGE_WIDTH)


def _straddled(
    tables: list, x0: float, x1: float, top: float, bottom: float
) -> tuple[float, float, float, float] | None:
    """The cell holding a box's centre when the box lies across that cell's edge: by more
    than STRADDLE of its width."""
    cell = _cell_at(tables, (x0 + x1) / 2, (top + bottom) / 2)
    if cell is None:
        return None
    outside = max(0.0, cell[0] - x0) + max(0.0, x1 - cell[2])
    return cell if outside > STRADDLE * max(x1 - x0, 1e-6) else None


def read_page(page: Any) -> PageRead:
    """A pdfium page without a text layer, read by OCR."""
    image = page.render(scale=DPI / 72).to_pil()
    return read_image(image)
