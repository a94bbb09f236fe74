"""PDF reports: nianbao against `pdftotext -layout` (poppler), whole process, and the fast
path for ruled pages against pdfplumber, in-process — each pair interleaved in one run,
medians printed with their ratio.

Run from the repository root: ``python bench/pdf.py [--rounds N]``. The documents: the
real reports (the corpus's and ``../shared/corpus/real/``: 5 pages, 4 of them ruled
tables), the same report repeated to 40 pages, and the format corpus's PDFs. Needs
poppler-utils for the whole-process figures.

Whole process, on one core: what a crawl pays per document — the document sent to the
parser's resident child, read under its time and memory bounds, hashed and packed for the
archive (``ingest.prepare``) — against one ``pdftotext -layout`` process per document, and
against the same work with a fresh child forked per document (the parser before children
were kept). Goal: ≤ 5× pdftotext on the real PDFs. ``nianbao parse`` of one file, which pays
Python's start-up, is printed beside them.
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
SHARED_REAL = ROOT.parent / "shared" / "corpus" / "real"
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
        reals = {"tests/corpus/" + REAL.name: REAL}
        reals.update({f"shared/{p.name}": p for p in sorted(SHARED_REAL.glob("*.pdf"))})
        reals["real report ×8, 40 pages"] = documents["real report ×8, 40 pages"]
        whole_process(reals, args.rounds)


def per_document(data: bytes, fresh_child: bool) -> float:
    """Seconds ingest.prepare takes on one document, through the resident child or a
    child forked for it alone."""
    from ingest import prepare
    from parsers import Limits, guard

    kept = guard.DOCUMENTS_PER_CHILD
    if fresh_child:
        guard.release()
        guard.DOCUMENTS_PER_CHILD = 1  # the child leaves after its document
    else:
        prepare(data, limits=Limits())  # untimed: the resident child is there
    try:
        started = time.perf_counter()
        prepared = prepare(data, limits=Limits())
        took = time.perf_counter() - started
    finally:
        guard.DOCUMENTS_PER_CHILD = kept
    assert prepared.record is not None, prepared.error
    return took


def whole_process(documents: dict[str, Path], rounds: int) -> None:
    cores = os.sched_getaffinity(0)
    one = {min(cores)}
    os.sched_setaffinity(0, one)  # the parser's children inherit it
    print(
        "whole process, one core (medians): a document through the resident parser "
        "(sent, read, hashed, packed) vs pdftotext -layout, one process per document"
    )
    try:
        for name, path in documents.items():
            data = path.read_bytes()
            kept, fresh, theirs, parse = [], [], [], []
            for _ in range(rounds):
                kept.append(per_document(data, False))
                fresh.append(per_document(data, True))
                theirs.append(wall(["pdftotext", "-layout", str(path), "-"]))
                parse.append(wall([*NIANBAO, "parse", str(path)], one))
            k, f, t, p = (statistics.median(x) for x in (kept, fresh, theirs, parse))
            print(
                f"  {name}: {k * 1000:.1f} ms vs pdftotext {t * 1000:.1f} ms = {k / t:.1f}× "
                f"(goal ≤ 5×); a child forked per document {f * 1000:.1f} ms = {f / t:.1f}×; "
                f"`nianbao parse` of this file alone {p:.2f} s = {p / t:.0f}×"
            )
    finally:
        os.sched_setaffinity(0, cores)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    print(f"  (a bare Python process here: {time.perf_counter() - started:.2f} s)")


if __name__ == "__main__":
    main()
