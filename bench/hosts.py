"""A crawl across many hosts, polite as it ships: how close it comes to what per-host
politeness alone allows, and what a re-crawl asks for.

Run from the repository root: ``python bench/hosts.py [--hosts 200] [--agencies 2]
[--years 5] [--latency 1.0]``. Another process serves a portal under ``--hosts`` host
names (the loopback addresses 127.0.0.2, 127.0.0.3, …; nothing leaves this machine), each
answer ``--latency`` seconds late: per host, ``--agencies`` 年报 columns of ``--years``
report pages, each report's latest year with a real PDF attached (the corpus's). Then, each
into a new archive, with politeness as shipped (robots.txt, AutoThrottle, two requests per
host):

1. one host alone: the time per-host politeness allows (every host could go at once);
2. every host, with the settings before this bench (16 requests in flight, Scrapy's default
   queue), then as shipped (hundreds in flight, the least busy host first);
3. the shipped crawl again on its archive: a re-crawl, counted in requests.

Figures are printed, with ratios against the one-host time measured in the same run;
nothing is asserted. Goals: all hosts within 2× of one host's time; a re-crawl ≤ 20 % of
the first crawl's requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.corpus import make_formats  # noqa: E402

PDFS = [ROOT.parent / "shared/corpus/real/hongze-2024.pdf"]
PDFS = [p for p in PDFS if p.exists()] or [
    ROOT / "tests/corpus/real-county-report-ruled-tables.pdf"
]
BEFORE = [
    "-s",
    "CONCURRENT_REQUESTS=16",
    "-s",
    "SCHEDULER_PRIORITY_QUEUE=scrapy.pqueues.ScrapyPriorityQueue",
]


def host(n: int) -> str:
    return f"127.0.0.{n + 2}"


def serve(hosts: int, agencies: int, years: list[int], latency: float, port) -> None:
    """Serve the portal on every host until killed (its own process)."""
    from aiohttp import web

    bodies = {t: make_formats.body("AGENCY", 2000, t, None) for t in ("2019", "2021")}
    pdfs = [p.read_bytes() for p in PDFS]
    asked: Counter[str] = Counter()

    def name(h: int, n: int) -> str:
        return f"某省第{h}市第{n}单位"

    async def answer(request: web.Request) -> web.Response:
        path = request.path
        if path == "/-/asked":
            return web.json_response(dict(asked))
        await asyncio.sleep(latency)
        h = int(request.host.split(":")[0].rsplit(".", 1)[1]) - 2
        parts = path.strip("/").split("/")
        if path == "/robots.txt":
            asked["robots"] += 1
            return web.Response(text="User-agent: *\nAllow: /\n")
        if len(parts) != 2 or not parts[0].startswith("a"):
            return web.Response(status=404)
        n, leaf = int(parts[0][1:]), parts[1]
        if leaf == "index.html":
            asked["list"] += 1
            items = "".join(
                f'<li><a href="{y}.html" title="{name(h, n)}{y}年政府信息公开工作年度报告">'
                f"{name(h, n)}{y}年政府信息公开...</a><span>{y + 1}-01-20</span></li>"
                for y in years
            )
            page = f'<html><head><meta charset="utf-8"></head><body><ul>{items}</ul>'
        elif leaf.endswith(".pdf"):
            asked["pdf"] += 1
            pdf = pdfs[(h + n) % len(pdfs)] + f"\n%{h}-{n}\n".encode()
            return web.Response(body=pdf, content_type="application/pdf")
        else:
            asked["page"] += 1
            year = leaf.removesuffix(".html")
            body = bodies["2019" if int(year) <= 2020 else "2021"]
            body = body.replace("AGENCY", name(h, n)).replace("2000", year)
            attached = (
                f'<a href="{year}.pdf">附件：{year}年报告.pdf</a>' if int(year) == years[-1] else ""
            )
            page = (
                f'<html><head><meta charset="utf-8"><meta name="PubDate" '
                f'content="{int(year) + 1}-01-20"></head><body>'
                f'<div class="TRS_Editor">{body}</div>{attached}'
            )
        return web.Response(text=page + "</body></html>", content_type="text/html", charset="utf-8")

    async def main() -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        first = web.TCPSite(runner, "127.0.0.1", 0)
        await first.start()
        chosen = first._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        for h in range(hosts):
            await web.TCPSite(runner, host(h), chosen).start()
        port.value = chosen
        await asyncio.Event().wait()

    asyncio.run(main())


def asked(port: int) -> Counter[str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/asked") as answer:
        return Counter(json.load(answer))


def sources(work: Path, hosts: int, agencies: int, port: int) -> Path:
    path = work / "agencies.toml"
    path.write_text(
        "".join(
            f'[[agency]]\nid = "h{h}-a{n}"\nname = "某省第{h}市第{n}单位"\n'
            f'level = "county_dept"\nlist_urls = ["http://{host(h)}:{port}/a{n}/index.html"]\n'
            for n in range(agencies)
            for h in range(hosts)
        ),
        encoding="utf-8",
    )
    return path


def crawl(
    work: Path, label: str, port: int, settings: list[str]
) -> tuple[float, Counter[str], float]:
    """One crawl into ``work``'s archive: (seconds, what the portal was asked by kind, CPU
    seconds of the crawl's processes, its parser workers included)."""
    before = asked(port)
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", "crawl", "--lang", "en", *settings],
        cwd=work,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(work)},
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    counts = asked(port)
    counts.subtract(before)
    total = sum(counts.values())
    summary = (done.stdout.strip() or done.stderr[-1500:]).splitlines()
    print(
        f"  [{label}] {wall:.1f} s, {total} requests ({dict(counts)}) = {total / wall:.1f}/s; "
        f"{used:.1f} CPU s"
    )
    for line in summary[:2]:
        print(f"  [{label}]   {line.strip()}")
    return wall, counts, used


def start(hosts: int, agencies: int, years: list[int], latency: float) -> tuple[Any, int]:
    """The portal's process, started, and its port."""
    port = multiprocessing.Value("i", 0)
    server = multiprocessing.Process(
        target=serve, args=(hosts, agencies, years, latency, port), daemon=True
    )
    server.start()
    while not port.value:
        time.sleep(0.05)
    return server, port.value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=200)
    ap.add_argument("--agencies", type=int, default=2, help="年报 columns per host")
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--latency", type=float, default=1.0, help="seconds each answer waits")
    args = ap.parse_args()
    if args.hosts > 250:
        ap.error("--hosts: at most 250 (127.0.0.2–127.0.0.251)")
    years = list(range(2024 - args.years, 2024))
    server, port = start(args.hosts, args.agencies, years, args.latency)
    print(
        f"{args.hosts} hosts × {args.agencies} columns × {len(years)} years, {args.latency:g} s "
        f"per answer, a real PDF ({', '.join(f'{p.stat().st_size // 1024} KB' for p in PDFS)}) "
        "per column; politeness "
        "as shipped",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = {k: Path(tmp) / k for k in ("one", "before", "shipped")}
        for w in work.values():
            w.mkdir()
        sources(work["one"], 1, args.agencies, port)
        for k in ("before", "shipped"):
            sources(work[k], args.hosts, args.agencies, port)
        alone, _, _ = crawl(work["one"], "one host alone", port, [])
        slow, _, _ = crawl(work["before"], "all hosts, 16 in flight", port, BEFORE)
        fast, first, _ = crawl(work["shipped"], "all hosts, as shipped", port, [])
        _, again, _ = crawl(work["shipped"], "re-crawl, as shipped", port, [])
    server.terminate()
    print(
        f"all hosts: {fast / alone:.2f}× one host's time as shipped (goal ≤ 2), "
        f"{slow / alone:.2f}× with 16 in flight; shipped is {slow / fast:.1f}× faster"
    )
    print(
        f"re-crawl: {sum(again.values())} requests, "
        f"{sum(again.values()) / sum(first.values()):.1%} of the first crawl's "
        f"{sum(first.values())} (goal ≤ 20 %)"
    )


if __name__ == "__main__":
    main()
