"""The whole crawl pipeline (fetch, archive, parse) against a synthetic portal.

Run from the repository root: ``python bench/crawl.py [--agencies N] [--years Y]
[--rounds R]`` (default 2,000 agencies × 5 years, one round). A portal of one 年报 column
per agency, each listing its reports as HTML pages with full template tables, is served on
127.0.0.1 by another process; ``nianbao crawl`` crawls it into a new archive with
politeness delays off. The same portal is crawled by nianbao as it was at ``--baseline`` (a
commit, default 3531e38: the last before the parse pool and the PDF fast path; its files
are taken with ``git archive``, the repository is not touched), parsing in the crawler's
process and in the pool. Then ``scrapy bench`` runs on the same machine for comparison.
Figures are printed; nothing is asserted. Targets: at least half of scrapy bench's
pages/s; ≥ 1.8× the baseline's documents/s on 2 cores. With ``--rounds`` the set-ups take
turns, and the ratios printed are the medians of each round's.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import statistics
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.crawls import last_run  # noqa: E402
from storage.db import connect  # noqa: E402
from storage.query import report_count  # noqa: E402
from tests.corpus import make_formats  # noqa: E402


def portal(agencies: int, years: list[int], port: multiprocessing.Value) -> None:
    """Serve the synthetic portal until killed (runs in its own process)."""
    bodies = {t: make_formats.body("AGENCY", 2000, t, None) for t in ("2019", "2021")}

    def name(n: int) -> str:
        return f"某省某市第{n}单位"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            m = re.match(r"^/a(\d+)/(?:index\.html|(\d{4})\.html)$", self.path)
            if self.path == "/robots.txt":
                return self.send(b"User-agent: *\nAllow: /\n", "text/plain")
            if not m or int(m.group(1)) >= agencies:
                return self.send(b"not found", "text/plain", 404)
            n, year = int(m.group(1)), m.group(2)
            if year is None:
                items = "".join(
                    f'<li><a href="{y}.html" title="{name(n)}{y}年政府信息公开工作年度报告">'
                    f"{name(n)}{y}年政府信息公开...</a><span>{y + 1}-01-20</span></li>"
                    for y in years
                )
                page = f'<html><head><meta charset="utf-8"></head><body><ul>{items}</ul>'
            else:
                body = bodies["2019" if int(year) <= 2020 else "2021"]
                body = body.replace("AGENCY", name(n)).replace("2000", year)
                page = (
                    f'<html><head><meta charset="utf-8"><meta name="PubDate" '
                    f'content="{int(year) + 1}-01-20"></head><body>'
                    f'<div class="TRS_Editor">{body}</div>'
                )
            self.send((page + "</body></html>").encode(), "text/html; charset=utf-8")

        def send(self, data: bytes, kind: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port.value = server.server_address[1]
    server.serve_forever()


def scrapy_bench(workdir: Path) -> float | None:
    """pages/s that `scrapy bench` reports (its own server and spider, on this machine)."""
    run = subprocess.run(
        [sys.executable, "-m", "scrapy", "bench", "-s", "LOGSTATS_INTERVAL=1"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    rates = [int(r) for r in re.findall(r"at (\d+) pages/min", run.stderr)]
    rates = [r for r in rates if r > 0]
    if not rates:
        return None
    steady = sorted(rates)[len(rates) // 2]  # the median of its per-second figures
    return steady / 60


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=2_000)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--baseline", default="3531e38", help="commit to compare with ('' for none)")
    ap.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="crawls of each set-up, taken in turn; ratios are per round, then their median",
    )
    args = ap.parse_args()
    years = list(range(2024 - args.years, 2024))
    port = multiprocessing.Value("i", 0)
    server = multiprocessing.Process(target=portal, args=(args.agencies, years, port), daemon=True)
    server.start()
    while not port.value:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port.value}"
    print(
        f"crawling {args.agencies} agencies × {len(years)} years "
        f"({args.agencies * (len(years) + 1)} pages) on {url}, parsing in the crawler's "
        "process (NIANBAO_PARSE_WORKERS=0, as before the pool) and in the pool (default)",
        flush=True,
    )
    rates: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as old:
        # The browser's download handler is always on where Chromium is: its cost on a
        # static crawl is measured against the same crawl without it.
        runs = [
            ("inline", "0", ROOT, []),
            ("pool", None, ROOT, []),
            ("pool, browser off", None, ROOT, ["-s", "NIANBAO_RENDER=off"]),
        ]
        if args.baseline:
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", args.baseline], capture_output=True
            )
            if archive.returncode == 0:
                subprocess.run(["tar", "-x", "-C", old], input=archive.stdout, check=True)
                runs.insert(0, (f"baseline {args.baseline}", None, Path(old), []))
            else:
                print(f"baseline {args.baseline}: {archive.stderr.decode().strip()}")
        # A shared machine's speed drifts: the set-ups take turns, and each round's
        # ratios compare crawls made minutes apart.
        for _ in range(args.rounds):
            for label, workers, code, settings in runs:
                with tempfile.TemporaryDirectory() as tmp:
                    rate = crawl_once(Path(tmp), url, args.agencies, workers, label, code, settings)
                    rates.setdefault(label, []).append(rate)
    pool = rates["pool"]
    compared = [("inline", ""), ("pool, browser off", "")]
    if f"baseline {args.baseline}" in rates:
        compared.append((f"baseline {args.baseline}", " (goal ≥ 1.8× on 2 cores)"))
    for label, goal in compared:
        pages = [p[0] / b[0] for p, b in zip(pool, rates[label], strict=True)]
        docs = [p[1] / b[1] for p, b in zip(pool, rates[label], strict=True)]
        each = f" (rounds: {', '.join(f'{r:.2f}×' for r in pages)})" if len(pages) > 1 else ""
        print(
            f"pool vs {label}: {statistics.median(pages):.2f}× pages/s, "
            f"{statistics.median(docs):.2f}× documents/s{goal}{each}"
        )
    server.terminate()
    with tempfile.TemporaryDirectory() as tmp:
        rate = scrapy_bench(Path(tmp))
    if rate:
        print(
            f"scrapy bench: {rate:.0f} pages/s; nianbao crawl (pool) is "
            f"{statistics.median(p[0] for p in pool) / rate:.0%} of it"
        )
    else:
        print("scrapy bench gave no figure")


def crawl_once(
    work: Path,
    url: str,
    agencies: int,
    workers: str | None,
    label: str,
    code: Path = ROOT,
    settings: list[str] | None = None,
) -> tuple[float, float]:
    """One crawl of the portal into a new archive by nianbao's code at ``code``:
    (pages/s, documents/s)."""
    (work / "agencies.toml").write_text(
        "".join(
            f'[[agency]]\nid = "a{n}"\nname = "某省某市第{n}单位"\nlevel = "county_dept"\n'
            f'list_urls = ["{url}/a{n}/index.html"]\n'
            for n in range(agencies)
        ),
        encoding="utf-8",
    )
    extra = ["-s", f"NIANBAO_PARSE_WORKERS={workers}"] if workers is not None else []
    extra += settings or []
    started = time.perf_counter()
    crawl = subprocess.run(
        [
            sys.executable,
            "-c",
            "import cli; cli.main()",
            "crawl",
            "-s",
            "AUTOTHROTTLE_ENABLED=0",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "CONCURRENT_REQUESTS=16",
            "-s",
            "CONCURRENT_REQUESTS_PER_DOMAIN=16",
            *extra,
        ],
        cwd=work,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(code), "PATH": "/usr/bin:/bin"},
    )
    wall = time.perf_counter() - started
    print(f"  [{label}] " + (crawl.stdout.strip() or crawl.stderr[-2000:]))
    conn = connect(work / "nianbao.db", readonly=True)
    run = last_run(conn)
    assert run is not None, "the crawl recorded no run"
    pages, new, reports = run["pages"], run["new"], report_count(conn)
    conn.close()
    print(
        f"  [{label}] {pages} pages in {wall:.1f} s = {pages / wall:.0f} pages/s; "
        f"{new} documents archived and parsed = {new / wall:.0f} documents/s; "
        f"{reports} reports (start-up included)",
        flush=True,
    )
    return pages / wall, new / wall


if __name__ == "__main__":
    main()
