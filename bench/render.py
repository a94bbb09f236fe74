"""The rendered path: list pages a browser reads per second, and the browser's memory.

Run from the repository root: ``python bench/render.py [--columns N] [--pages P]``. A
portal on 127.0.0.1 serves N columns whose lists a script draws from a JSON API, P pages
each behind a script's 下一页 (tests/crawler/scripted_portal.py's structure), three
reports a page; ``nianbao crawl`` reads them with politeness off, once with the browser
and once with ``-s NIANBAO_RENDER=off`` (the same columns then stay unverified: the
static read proves nothing of them) as the baseline measured in the same run. Printed:
rendered list pages/s, reports found, the Chromium processes' peak memory (proportional
set size, sampled every 0.2 s), and the ratio of the two runs' wall times. Nothing is
asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.crawls import last_run, run_stats  # noqa: E402
from storage.db import connect  # noqa: E402
from storage.query import report_count  # noqa: E402
from tests.crawler.scripted_portal import SHELL  # noqa: E402
from tests.support import ENV, FAST, NIANBAO, report  # noqa: E402

PER_PAGE = 3


def _agency(k: int) -> str:
    return f"某县第{k}镇人民政府"


class _Handler(BaseHTTPRequestHandler):
    server: _Portal

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        if path.endswith("/index.html"):
            k = path.split("/")[1]
            body = SHELL.replace("/api/nb?page=", f"/api/{k}?page=").encode()
            return self._send(200, body, "text/html; charset=utf-8")
        if path.startswith("/api/c"):
            k = int(path.rsplit("c", 1)[1])
            page = int(query.get("page", ["1"])[0])
            years = list(range(2024 - PER_PAGE * self.server.pages, 2024))[::-1]
            chunk = years[(page - 1) * PER_PAGE : page * PER_PAGE]
            items = [
                {
                    "title": f"{_agency(k)}{y}年政府信息公开工作年度报告",
                    "url": f"/c{k}/t{y}.txt",
                    "date": f"{y + 1}-01-20",
                }
                for y in chunk
            ]
            body = json.dumps({"pages": self.server.pages, "items": items}, ensure_ascii=False)
            return self._send(200, body.encode(), "application/json; charset=utf-8")
        if path.endswith(".txt") and "/t" in path:
            k, year = path.split("/")[1][1:], int(path.rsplit("/t", 1)[1][:4])
            body = report(_agency(int(k)), year, "2021" if year >= 2021 else "2019")
            return self._send(200, body, "text/plain; charset=utf-8")
        return self._send(404, b"", "text/plain")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Portal(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pages: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages = pages


def _sources(url: str, columns: int, pages: int) -> str:
    return "".join(
        f'[[agency]]\nid = "c{k}"\nname = "{_agency(k)}"\nlevel = "township"\n'
        f'list_urls = ["{url}/c{k}/index.html"]\nsince = {2024 - PER_PAGE * pages}\n\n'
        for k in range(columns)
    )


def _chromium_mb() -> float:
    """The Chromium processes' proportional set size (shared pages counted once, split
    among the processes that share them), in MB."""
    pids = subprocess.run(
        ["pgrep", "-f", "chromium"], capture_output=True, text=True, check=False
    ).stdout.split()
    total = 0
    for pid in pids:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += sum(
            int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")
        )
    return total / 1024


def _crawl(workdir: Path, extra: list[str]) -> tuple[float, float, dict[str, str], int]:
    """(seconds, peak Chromium MB, the crawl's stats, reports archived)."""
    peak, done = 0.0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _chromium_mb())
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    crawl = subprocess.run(
        [*NIANBAO, "crawl", *FAST, "-s", "LOG_LEVEL=WARNING", *extra],
        cwd=workdir,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    conn = connect(workdir / "nianbao.db", readonly=True)
    run = last_run(conn)
    stats = run_stats(conn, run["id"]) if run else {}
    reports = report_count(conn)
    conn.close()
    if "finished" not in crawl.stdout:
        print(crawl.stdout[-1500:], crawl.stderr[-1500:])
    return seconds, peak, stats, reports


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--columns", type=int, default=20, help="script-drawn columns (default 20)")
    ap.add_argument("--pages", type=int, default=3, help="pages each column has (default 3)")
    args = ap.parse_args()
    portal = _Portal(args.pages)
    threading.Thread(target=portal.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{portal.server_address[1]}"
    published = args.columns * args.pages * PER_PAGE
    runs = {}
    for label, extra in (("browser", []), ("static only", ["-s", "NIANBAO_RENDER=off"])):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            (work / "agencies.toml").write_text(
                _sources(url, args.columns, args.pages), encoding="utf-8"
            )
            runs[label] = _crawl(work, extra)
    seconds, peak, stats, reports = runs["browser"]
    rendered = int(stats.get("nianbao/rendered_pages", 0))
    print(
        f"browser: {args.columns} columns x {args.pages} script-drawn pages, {rendered} list "
        f"pages rendered in {seconds:.1f} s = {rendered / seconds:.2f} rendered pages/s "
        f"(whole crawl, browser start-up and report pages included); {reports} of "
        f"{published} reports found; Chromium peak {peak:.0f} MB"
    )
    base_seconds, _, _, base_reports = runs["static only"]
    print(
        f"static only (baseline, same run): {base_seconds:.1f} s, {base_reports} of "
        f"{published} reports found; the browser's run took {seconds / base_seconds:.1f}x"
    )
    portal.shutdown()


if __name__ == "__main__":
    main()
