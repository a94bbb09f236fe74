"""Parse speed on one core: text reports per second over the test corpus, then documents
and pages per second for each format.

Run from the repository root: ``python bench/parse.py [--seconds S] [--peer DIR]``.
Documents are parsed round after round until the time is up; the figures are printed,
nothing is asserted. Targets: 500 text reports/s; HTML 200 docs/s, DOCX 50 docs/s, PDF 20
pages/s; HTML extraction ≤ 2× lxml parse + itertext. The peer ratio is for information.

``--peer DIR``: a directory holding the package ``govnianbao`` (the ``src/`` of a checkout
of github.com/zxj6827111-blip/govnianbao, a parser of the same reports that does less: no
script conversion, no rules, no metadata); its ``parse_annual_report_text`` reads the same
texts, interleaved round by round with nianbao's, and the ratio is printed. The texts: the
corpus's text reports, and the text a reader gets of its two published reports (the portal
page's text as nianbao extracts it; the PDF's ``pdftotext -layout``, when poppler is
installed). Its code is not part of nianbao.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers import DocumentError, parse_bytes, parse_text  # noqa: E402

FULL_SIZE = 6 * 1024  # real reports run 6–20 KB of text; the oddity cases are smaller


def per_format(seconds: float) -> None:
    """Documents/s per format over tests/corpus/formats (and the real PDF), pages/s for PDF,
    in-process and through the guard (the resident child that reads them one after another)."""
    import pypdfium2 as pdfium

    from parsers.guard import parse_guarded

    formats = ROOT / "tests" / "corpus" / "formats"
    by_ext: dict[str, list[bytes]] = {}
    for path in sorted(formats.iterdir()):
        if path.suffix[1:] in ("html", "pdf", "docx", "doc", "ofd"):
            by_ext.setdefault(path.suffix[1:], []).append(path.read_bytes())
    by_ext["pdf"].append(
        (ROOT / "tests" / "corpus" / "real-county-report-ruled-tables.pdf").read_bytes()
    )
    print(f"{'format':<6} {'docs':>4} {'docs/s':>8} {'pages/s':>8} {'guarded docs/s':>15}")
    for ext, docs in by_ext.items():
        pages = sum(len(pdfium.PdfDocument(d)) for d in docs) if ext == "pdf" else 0
        rates = []
        for parse in (parse_bytes, parse_guarded):
            n, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds / 2 or n == 0:
                for data in docs:
                    parse(data)
                n += 1
            rates.append(n / (time.perf_counter() - start))
        docs_s = rates[0] * len(docs)
        pages_s = f"{rates[0] * pages:8.1f}" if pages else f"{'':>8}"
        print(f"{ext:<6} {len(docs):>4} {docs_s:8.1f} {pages_s} {rates[1] * len(docs):15.1f}")


def html_vs_lxml(rounds: int = 40) -> None:
    """The HTML pages' extraction (structure, tables as grids, title and date) against
    lxml's parse and itertext of the same bytes, interleaved, medians (goal ≤ 2×)."""
    import lxml.html

    from parsers import html

    pages = sorted((ROOT / "tests" / "corpus" / "formats").glob("*.html"))
    real = ROOT.parent / "shared" / "corpus" / "real" / "pingtan-2024.html"
    pages += [real] if real.exists() else []
    for path in pages:
        data = path.read_bytes()
        ours, theirs = [], []
        for _ in range(rounds):
            t0 = time.perf_counter()
            html.html_page(data)
            ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            "".join(lxml.html.fromstring(data).itertext())
            theirs.append(time.perf_counter() - t0)
        o, t = statistics.median(ours), statistics.median(theirs)
        print(
            f"HTML {path.name}: {o * 1000:.2f} ms vs lxml parse + itertext {t * 1000:.2f} ms"
            f" = {o / t:.1f}×"
        )


def published_texts() -> list[tuple[str, bytes]]:
    """The text of the corpus's published reports as a reader gets it (UTF-8): the portal
    page's text as nianbao extracts it, and the PDF's ``pdftotext -layout``."""
    from parsers.html import html_page

    page = ROOT / "tests" / "corpus" / "real-page-title-and-date-outside-content.html"
    texts = [(page.name, html_page(page.read_bytes())[0].encode())]
    pdf = ROOT / "tests" / "corpus" / "real-county-report-ruled-tables.pdf"
    if shutil.which("pdftotext"):
        layout = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True
        ).stdout
        texts.append((pdf.name, layout))
    else:
        print(f"{pdf.name}: pdftotext not installed (apt-get install poppler-utils), left out")
    return texts


def versus_peer(docs: list[tuple[str, bytes]], seconds: float, peer: Path) -> None:
    """Text reports/s of nianbao and of the peer parser on the same decoded texts (the
    peer reads text only): nianbao to its plain-data record, the peer to its objects and to
    plain data as it gives them to its web API. Rounds interleaved; medians of the rates
    and of each round's ratio."""
    sys.path.insert(0, str(peer))
    try:
        from govnianbao import annual_report_parser as theirs
    except ImportError as exc:
        print(f"peer: cannot import govnianbao from {peer}: {exc}")
        return
    import logging

    from parsers.decode import decode_text

    logging.getLogger("govnianbao").setLevel(logging.ERROR)  # it logs every table it reads
    texts = [decode_text(data) for _, data in docs]  # it reads text only: decoded for it
    runs = {
        "nianbao": lambda: [parse_text(t) for t in texts],
        "govnianbao, objects": lambda: [theirs.parse_annual_report_text(t) for t in texts],
        "govnianbao, plain data": lambda: [
            theirs.parse_annual_report_text_to_dict(t) for t in texts
        ],
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or not times["nianbao"]:
        for name, run in runs.items():
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    rate = {name: len(docs) / statistics.median(t) for name, t in times.items()}
    kb = sum(len(d) for _, d in docs) / len(docs) / 1024
    print(
        f"text, the same {len(docs)} reports ({kb:.1f} KB average), {len(times['nianbao'])} "
        "interleaved rounds (for information):"
    )
    for name, r in rate.items():
        rounds = zip(times[name], times["nianbao"], strict=True)
        paired = statistics.median(theirs_t / ours for theirs_t, ours in rounds)
        print(
            f"  {name}: {r:.0f} reports/s (nianbao at {rate['nianbao'] / r:.2f}× it; "
            f"per round {paired:.2f}×)"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="how long to run (default 5)")
    ap.add_argument("--peer", type=Path, help="directory holding the govnianbao package")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    docs = []
    for path in sorted((ROOT / "tests" / "corpus").iterdir()):
        if path.suffix != ".txt":
            continue
        data = path.read_bytes()
        try:
            if parse_bytes(data)["template"] in ("2019", "2021", "legacy"):
                docs.append((path.name, data))
        except DocumentError:
            pass
    size = sum(len(d) for _, d in docs)
    print(f"corpus: {len(docs)} reports, {size / len(docs) / 1024:.1f} KB average")

    per_doc: dict[str, list[float]] = {name: [] for name, _ in docs}
    parsed, start = 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        for name, data in docs:
            t0 = time.perf_counter()
            parse_bytes(data)
            per_doc[name].append(time.perf_counter() - t0)
            parsed += 1
    elapsed = time.perf_counter() - start
    rounds = parsed // len(docs)
    print(f"parsed: {parsed} reports in {elapsed:.2f} s ({rounds} rounds)")
    print(f"speed: {parsed / elapsed:.0f} reports/s, {size * rounds / elapsed / 1048576:.1f} MB/s")
    full = [(n, len(d)) for n, d in docs if len(d) >= FULL_SIZE]
    if full:
        mean = statistics.mean(statistics.median(per_doc[n]) for n, _ in full)
        avg_kb = statistics.mean(size for _, size in full) / 1024
        print(
            f"full-size reports (>= {FULL_SIZE // 1024} KB, {len(full)} of them, "
            f"{avg_kb:.1f} KB average): {1 / mean:.0f} reports/s"
        )
    medians = sorted(((statistics.median(t), n) for n, t in per_doc.items()), reverse=True)
    print("slowest (median ms):", ", ".join(f"{n} {t * 1000:.2f}" for t, n in medians[:3]))
    if args.peer:
        texts = docs + published_texts()
        versus_peer(texts, args.seconds, args.peer)
        versus_peer([(n, d) for n, d in texts if len(d) >= FULL_SIZE], args.seconds, args.peer)
    print()
    per_format(args.seconds)
    html_vs_lxml()


if __name__ == "__main__":
    main()
