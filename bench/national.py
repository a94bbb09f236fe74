"""A national yearly sweep, projected from rates measured on this machine: about 150,000
reports, 1.5 million PDF pages, on 2 cores.

Run from the repository root: ``python bench/national.py [--agencies N]``. Each stage is
measured here, in this run: the crawl (fetch, list pages, archive, HTML parsing in the
pool) against the synthetic portal of bench/crawl.py, PDF parsing per core on the real
county report repeated to 40 pages, and `nianbao check` per report on an archive built as
bench/archive.py builds it. The projection adds the stages as if none overlapped (the
crawl and the PDF parsing do overlap in a real crawl, on the same cores), so it is an
upper bound. Goal: < 6 hours. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import crawl as crawl_bench  # noqa: E402
import pdf as pdf_bench  # noqa: E402

from parsers import pdf  # noqa: E402
from parsers.record import parse_text  # noqa: E402

REPORTS = 150_000
PDF_PAGES = 1_500_000
PAGES_PER_REPORT = 1.3  # a report's page, plus its share of list pages
CORES = 2


def pdf_pages_per_second(rounds: int) -> float:
    """Pages/s on one core: text and tables (pdfium, the fast grid) and the record."""
    with tempfile.TemporaryDirectory() as tmp:
        forty = pdf_bench.repeated(pdf_bench.REAL, 8, Path(tmp) / "forty.pdf").read_bytes()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        text, pages = pdf.pdf_text(forty, 10_000)
        parse_text(text)
        times.append(time.perf_counter() - started)
    return pages / statistics.median(times)


def crawl_pages_per_second(agencies: int) -> float:
    years = list(range(2019, 2024))
    port = multiprocessing.Value("i", 0)
    server = multiprocessing.Process(
        target=crawl_bench.portal, args=(agencies, years, port), daemon=True
    )
    server.start()
    while not port.value:
        time.sleep(0.05)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            pages, _ = crawl_bench.crawl_once(
                Path(tmp), f"http://127.0.0.1:{port.value}", agencies, None, "crawl"
            )
    finally:
        server.terminate()
    return pages


def check_seconds_per_report(agencies: int) -> float:
    import archive as bench_archive  # bench/archive.py

    with tempfile.TemporaryDirectory() as tmp:
        archive, years, _ = bench_archive.build(Path(tmp) / "bench.db", agencies, 5, quiet=True)
        from monitor.runner import run_checks

        started = time.perf_counter()
        run_checks(archive, date(years[-1] + 1, 6, 1))
        seconds = time.perf_counter() - started
        reports = agencies * len(years)
        archive.close()
    return seconds / reports


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=300, help="agencies crawled and checked")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    crawl_rate = crawl_pages_per_second(args.agencies)
    pdf_rate = pdf_pages_per_second(args.rounds)
    check_cost = check_seconds_per_report(args.agencies)
    stages = {
        "crawl (fetch, lists, archive, HTML parsing)": REPORTS * PAGES_PER_REPORT / crawl_rate,
        f"PDF parsing, {PDF_PAGES:,} pages on {CORES} cores": PDF_PAGES / (pdf_rate * CORES),
        "nianbao check": REPORTS * check_cost,
    }
    print(
        f"measured: crawl {crawl_rate:.0f} pages/s (2 cores, the pool parsing HTML); PDF "
        f"{pdf_rate:.0f} pages/s per core; check {check_cost * 1000:.2f} ms per report"
    )
    for name, seconds in stages.items():
        print(f"  {name}: {seconds / 3600:.2f} h")
    total = sum(stages.values())
    print(
        f"projection for {REPORTS:,} reports: {total / 3600:.1f} h on {CORES} cores "
        f"(stages added, no overlap; goal < 6 h)"
    )


if __name__ == "__main__":
    main()
