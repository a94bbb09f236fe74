"""PDF reports: nianbao against `pdftotext -layout` (poppler), whole process, and the fast
path for ruled pages against pdfplumber, in-process — each pair interleaved in one run,
medians printed with their ratio.

Run from the repository root: ``python bench/pdf.py [--rounds N]``. The documents: the
real county report (5 pages, 4 of them ruled tables), the same report repeated to 40
pages, and the format corpus's PDFs. Needs poppler-utils for the whole-process figures.
Goal: whole process ≤ 5× pdftotext on the 40-page report.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium  # noqa: E402

from parsers import pdf  # noqa: E402

REAL = ROOT / "tests" / "corpus" / "real-county-report-ruled-tables.pdf"
NIANBAO = [str(Path(sys.executable).with_name("nianbao"))]


def repeated(path: Path, times: int, out: Path) -> Path:
    source = pdfium.PdfDocument(path.read_bytes())
    doc = pdfium.PdfDocument.new()
    for _ in range(times):
        doc.import_pages(source)
    doc.save(str(out))
    return out


def wall(command: list[str], cores: set[int] | None = None) -> float:
    """Seconds a command takes, on the given cores (default: all)."""
    started = time.perf_counter()
    subprocess.run(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
        preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None,
    )
    return time.perf_counter() - started


def in_process(data: bytes, fast: bool) -> float:
    original = pdf.read_page
    if not fast:
        pdf.read_page = lambda page: None  # every ruled page to pdfplumber
    try:
        started = time.perf_counter()
        pdf.pdf_text(data, 10_000)
        return time.perf_counter() - started
    finally:
        pdf.read_page = original


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        documents = {
            "real report, 5 pages": REAL,
            "real report ×8, 40 pages": repeated(REAL, 8, Path(tmp) / "forty.pdf"),
            **{p.name: p for p in sorted((ROOT / "tests/corpus/formats").glob("*.pdf"))},
        }
        print("in process, pdf_text (pages/s): fast path vs pdfplumber for the ruled pages")
        for name, path in documents.items():
            data = path.read_bytes()
            pages = len(pdfium.PdfDocument(data))
            fast, slow = [], []
            for _ in range(args.rounds):
                fast.append(in_process(data, True))
                slow.append(in_process(data, False))
            f, s = statistics.median(fast), statistics.median(slow)
            print(
                f"  {name}: {pages / f:.0f} pages/s vs {pages / s:.0f} pages/s "
                f"({s / f:.1f}× faster)"
            )
        pdf.STATS.clear()
        pdf.pdf_text(documents["real report ×8, 40 pages"].read_bytes(), 10_000)
        print(f"  pages by path on the 40-page report: {dict(pdf.STATS)}")
        if not shutil.which("pdftotext"):
            print("whole process: pdftotext not installed (apt-get install poppler-utils)")
            return
        cores = os.sched_getaffinity(0)
        one = {min(cores)}
        print(
            "whole process (medians): nianbao parse (its pages shared among the "
            f"{len(cores)} cores, then held to one) vs pdftotext -layout"
        )
        for name in ("real report, 5 pages", "real report ×8, 40 pages"):
            path = documents[name]
            ours, alone, theirs = [], [], []
            for _ in range(args.rounds):
                ours.append(wall([*NIANBAO, "parse", str(path)]))
                alone.append(wall([*NIANBAO, "parse", str(path)], one))
                theirs.append(wall(["pdftotext", "-layout", str(path), "-"]))
            o, a, t = (statistics.median(x) for x in (ours, alone, theirs))
            print(
                f"  {name}: {o:.2f} s vs {t:.2f} s = {o / t:.1f}× pdftotext (goal ≤ 5×); "
                f"on one core {a:.2f} s = {a / t:.1f}×"
            )
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        print(f"  (a bare Python process here: {time.perf_counter() - started:.2f} s)")


if __name__ == "__main__":
    main()
