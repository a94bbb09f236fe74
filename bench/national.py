"""A national sweep projected from what this machine measures in this run, as a sweep would
really run: polite, across many hosts, with real PDFs, the year's first sweep and a
re-crawl apart, each bounded by the resource that runs out first.

Run from the repository root: ``python bench/national.py [--hosts 100] [--latency 1]``.
Measured here, on bench/hosts.py's portal (loopback hosts, each answer ``--latency``
late, every column with a distinct copy of a real report's PDF):

- **politeness**: one host crawled alone, as shipped: the seconds per request a host
  allows (AutoThrottle, two at a time);
- **the crawl's reach**: every host at once, as shipped: requests/s with hundreds in flight;
- **CPU**: the same portal without latency or politeness, crawled with one parser worker
  and with the pool as shipped: documents/s of the whole crawl (fetch, parse, hash,
  pack, archive), so the pool's speed-up is measured, not assumed;
- **a re-crawl**: the share of the first crawl's requests it asks again.

The nation is given, not measured: ``--agencies`` 年报 columns (140,000) on ``--portals``
hosts (3,200: the county, city and province portals that host their departments' and
townships' columns), the largest ``--skew`` times the mean; per column and year, its list
pages (``--list-pages``), the new report's page and, for ``--attachments`` of them, a PDF.
Bandwidth is ``--mbit``. Each bound is printed; the sweep takes as long as the largest
(they overlap in one crawl). Nothing is asserted; goal < 24 h on one 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))

import hosts  # noqa: E402  bench/hosts.py

from crawler.settings import CONCURRENT_REQUESTS as IN_FLIGHT  # noqa: E402

# Politeness off: the portal answers at once, the crawl runs as fast as its CPU allows.
UNBOUND = [
    "-s",
    "AUTOTHROTTLE_ENABLED=0",
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
]


def measure(args: argparse.Namespace) -> dict[str, float]:
    years = list(range(2024 - args.years, 2024))
    polite, polite_port = hosts.start(args.hosts, args.agencies, years, args.latency)
    quick, quick_port = hosts.start(args.cpu_hosts, args.agencies, years, 0.0)
    out: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = {k: Path(tmp) / k for k in ("one", "all", "cpu1", "cpu")}
            for w in work.values():
                w.mkdir()
            hosts.sources(work["one"], 1, args.agencies, polite_port)
            hosts.sources(work["all"], args.hosts, args.agencies, polite_port)
            for k in ("cpu1", "cpu"):
                hosts.sources(work[k], args.cpu_hosts, args.agencies, quick_port)
            wall, asked, _ = hosts.crawl(work["one"], "one host alone", polite_port, [])
            out["per_request"] = wall / sum(asked.values())
            wall, asked, _ = hosts.crawl(work["all"], "every host at once", polite_port, [])
            out["reach"] = sum(asked.values()) / wall
            first = sum(asked.values())
            wall, asked, cpu = hosts.crawl(work["all"], "re-crawl", polite_port, [])
            out["recrawl_share"] = sum(asked.values()) / first
            out["cpu_per_request"] = cpu / sum(asked.values())  # lists: no parsing
            docs = args.cpu_hosts * args.agencies * (len(years) + 1)
            for key, workers in (("cpu1", "1"), ("cpu", None)):
                extra = ["-s", f"NIANBAO_PARSE_WORKERS={workers}"] if workers else []
                label = "CPU-bound, one worker" if workers else "CPU-bound, the pool as shipped"
                wall, asked, _ = hosts.crawl(work[key], label, quick_port, UNBOUND + extra)
                out[f"{key}_docs_per_s"] = docs / wall
    finally:
        polite.terminate()
        quick.terminate()
    out["pool_speedup"] = out["cpu_docs_per_s"] / out["cpu1_docs_per_s"]
    out["bytes_per_pdf"] = sum(p.stat().st_size for p in hosts.PDFS) / len(hosts.PDFS)
    return out


def project(args: argparse.Namespace, m: dict[str, float]) -> None:
    columns, portals = args.agencies_national, args.portals
    per_column_first = args.list_pages + 1 + args.attachments  # lists, the page, its PDF
    sweeps = {
        "the year's first sweep": (
            columns * per_column_first + portals,  # + robots.txt
            columns * (1 + args.attachments),  # documents parsed
            # a list page ~40 KB, a report page ~30 KB, a PDF as the real ones
            columns * (args.list_pages * 40_000 + 30_000 + args.attachments * m["bytes_per_pdf"]),
        ),
        "a re-crawl": (
            round(columns * per_column_first * m["recrawl_share"]),
            0,
            columns * args.list_pages * 40_000,
        ),
    }
    cores_rate = m["cpu_docs_per_s"]
    for name, (requests, documents, size) in sweeps.items():
        largest = requests / portals * args.skew
        bounds = {
            "politeness (the largest portal, one request at a time as it allows)": largest
            * m["per_request"],
            f"the crawl's reach ({m['reach']:.0f} requests/s measured over {args.hosts} hosts, "
            f"at most {IN_FLIGHT} in flight at {args.latency:g} s each)": requests
            / min(m["reach"] * max(1.0, portals / args.hosts), IN_FLIGHT / args.latency),
            f"CPU ({cores_rate:.1f} documents/s measured with the pool on {os.cpu_count()} "
            "cores; lists at the measured CPU per request)": documents / cores_rate
            + requests * m["cpu_per_request"] / (os.cpu_count() or 1),
            f"network ({args.mbit:g} Mbit/s)": size * 8 / (args.mbit * 1e6),
        }
        bound = max(bounds, key=lambda k: bounds[k])
        print(f"{name}: {requests:,.0f} requests, {documents:,.0f} documents parsed")
        for what, seconds in bounds.items():
            mark = "  ← bounds it" if what == bound else ""
            print(f"  {what}: {seconds / 3600:.2f} h{mark}")
        print(f"  projection: {bounds[bound] / 3600:.1f} h (goal < 24 h)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=100, help="hosts of the polite portal")
    ap.add_argument("--cpu-hosts", type=int, default=50, help="hosts of the CPU-bound portal")
    ap.add_argument("--agencies", type=int, default=2, help="columns per bench host")
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--latency", type=float, default=1.0)
    ap.add_argument("--agencies-national", type=int, default=140_000, metavar="N")
    ap.add_argument("--portals", type=int, default=3_200)
    ap.add_argument("--skew", type=float, default=3.0, help="largest portal ÷ the mean")
    ap.add_argument("--list-pages", type=float, default=2.0, help="per column")
    ap.add_argument("--attachments", type=float, default=0.6, help="PDFs per report")
    ap.add_argument("--mbit", type=float, default=50.0)
    args = ap.parse_args()
    m = measure(args)
    print(
        f"measured: {m['per_request']:.2f} s per request on one host (politeness); "
        f"{m['reach']:.1f} requests/s over {args.hosts} hosts; a re-crawl asks "
        f"{m['recrawl_share']:.0%} of the first crawl's requests; CPU-bound "
        f"{m['cpu_docs_per_s']:.1f} documents/s with the pool, {m['cpu1_docs_per_s']:.1f} with "
        f"one worker (speed-up {m['pool_speedup']:.2f}×, whole crawl, start-up included)"
    )
    project(args, m)


if __name__ == "__main__":
    main()
