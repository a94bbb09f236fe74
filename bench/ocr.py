"""OCR of scanned reports: seconds per page and cells right, on rasterised copies of real
reports, clean and degraded, against the record their text layer gives.

Run from the repository root: ``python bench/ocr.py [--only NAME]``. Needs the OCR extra
(``pip install -e .[ocr]``). Each report (the corpus's real PDF, ``../shared/corpus/real/``'s,
and the format corpus's PDFs) is rendered to pictures and saved as a PDF without text, as a
scanner gives it: at 300 and 150 dpi, and at 200 dpi degraded four ways — turned 1.5°, JPEG
noise, a red seal over a table's corner, a photocopy's grey background. Each copy is parsed
as any document is; its cells are compared with the text version's. A cell is right when
equal, flagged when the scan's record leaves it null (a finding says why), and wrong
otherwise: a wrong number that passes silently. Goals: ≥ 99 % right at 300 dpi, ≥ 97 % at
150 dpi and degraded, 0 wrong.
"""

from __future__ import annotations

import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from parsers import parse_bytes  # noqa: E402
from parsers import pdf as pdf_reader  # noqa: E402
from tests.corpus.scans import scanned, stamped  # noqa: E402


def _reports() -> dict[str, Path]:
    """The PDFs with a text layer to compare against, each once (the shared corpus may
    hold the repository's real report again)."""
    found = {
        "tests/corpus/real-county-report-ruled-tables.pdf": (
            ROOT / "tests/corpus/real-county-report-ruled-tables.pdf"
        ),
        **{
            f"shared/{p.name}": p
            for p in sorted((ROOT.parent / "shared/corpus/real").glob("*.pdf"))
        },
        **{p.name: p for p in sorted((ROOT / "tests/corpus/formats").glob("*.pdf"))},
    }
    seen: set[bytes] = set()
    out = {}
    for name, path in found.items():
        if (data := path.read_bytes()) not in seen:
            seen.add(data)
            out[name] = path
    return out


def _turned(image: Any) -> Any:
    from PIL import Image

    return image.rotate(1.5, resample=Image.BICUBIC, fillcolor="white")


def _jpeg(image: Any) -> Any:
    import numpy as np
    from PIL import Image

    pixels = np.asarray(image).astype(np.int16)
    noise = np.random.default_rng(1).normal(0, 12, pixels.shape)
    noisy = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=40)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def _photocopy(image: Any) -> Any:
    import numpy as np
    from PIL import Image

    grey = np.asarray(image.convert("L")).astype(np.float32)
    page = 70 + grey * 0.62 + np.random.default_rng(2).normal(0, 8, grey.shape)
    return Image.fromarray(np.clip(page, 0, 255).astype(np.uint8)).convert("RGB")


VARIANTS: dict[str, tuple[int, Callable[[Any], Any] | None]] = {
    "300 dpi": (300, None),
    "150 dpi": (150, None),
    "200 dpi, turned 1.5°": (200, _turned),
    "200 dpi, JPEG noise": (200, _jpeg),
    "200 dpi, red seal": (200, stamped),
    "200 dpi, photocopy grey": (200, _photocopy),
}


def compared(reference: dict, record: dict) -> tuple[int, int, list]:
    """(right, flagged, wrong) of the scan's cells against the text version's: a cell left
    null, or filled from the sums with a cells.inferred finding, is flagged."""
    inferred = {
        f"{f['evidence']['row']}.{column}"
        for f in record["findings"]
        if f["rule"] == "cells.inferred"
        for column in ("",)
    }
    right, flagged, wrong = 0, 0, []
    for key, value in reference["cells"].items():
        got = record["cells"].get(key)
        if got == value:
            right += 1
        elif got is None or any(key.startswith(row) for row in inferred):
            flagged += 1
        else:
            wrong.append((key, value, got))
    return right, flagged, wrong


def main() -> None:
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    random.seed(0)
    totals: dict[str, list[int]] = {}
    seconds: dict[str, list[float]] = {}
    for name, path in _reports().items():
        data = path.read_bytes()
        reference = parse_bytes(data)
        print(f"{name}: {len(reference['cells'])} cells in its text version")
        for variant, (dpi, spoil) in VARIANTS.items():
            if only and only not in variant:
                continue
            scan = scanned(data, dpi, spoil)
            pdf_reader.STATS.clear()
            started = time.perf_counter()
            record = parse_bytes(scan)
            took = time.perf_counter() - started
            pages = pdf_reader.STATS["ocr"] or 1
            right, flagged, wrong = compared(reference, record)
            n = len(reference["cells"]) or 1
            totals.setdefault(variant, [0, 0, 0, 0])
            for k, v in enumerate((right, flagged, len(wrong), n)):
                totals[variant][k] += v
            seconds.setdefault(variant, []).append(took / pages)
            print(
                f"  {variant}: {right}/{n} right ({100 * right / n:.1f} %), {flagged} flagged, "
                f"{len(wrong)} wrong {wrong[:3]}; {took / pages:.1f} s per page"
            )
    print("all reports:")
    for variant, (right, flagged, wrong, n) in totals.items():
        print(
            f"  {variant}: {100 * right / n:.1f} % right, {flagged} flagged, {wrong} wrong "
            f"(goal 0); median {statistics.median(seconds[variant]):.1f} s per page"
        )
    if not only:
        pictured_page()


def pictured_page() -> None:
    """The real Pingtan report page with its three tables as screenshots at a browser's
    own size (tests/corpus/pictured), joined with its pictures as the crawl archives it,
    against the page with its tables as HTML."""
    from parsers.html import join_pages

    here = ROOT / "tests/corpus/pictured"
    page = (here / "real-page-tables-as-pictures.html").read_bytes()
    shots = {
        f"http://x/picture/table-{n}.png": (here / f"table-{n}.png").read_bytes() for n in (1, 2, 3)
    }
    joined = join_pages([page], None, shots, "http://x/nb/t1.htm")
    reference = parse_bytes(
        (ROOT / "tests/corpus/real-page-title-and-date-outside-content.html").read_bytes()
    )
    started = time.perf_counter()
    record = parse_bytes(joined)
    took = time.perf_counter() - started
    right, flagged, wrong = compared(reference, record)
    n = len(reference["cells"])
    print(
        f"real report page, its tables as screenshots: {right}/{n} right "
        f"({100 * right / n:.1f} %), {flagged} flagged, {len(wrong)} wrong {wrong[:3]}; "
        f"{took / len(shots):.1f} s per picture"
    )


if __name__ == "__main__":
    main()
