"""`nianbao serve` at national scale: how long each page a person opens takes.

Run from the repository root: ``python bench/serve.py [--agencies N] [--years Y]
[--db FILE]`` (default 20,000 × 7 = 140,000 reports, built as bench/archive.py builds them
and checked; ``--db`` serves an archive that exists instead). `nianbao serve` runs on
127.0.0.1 in its own process; each listed table's first page, its facets included, and
each canned question are asked for three times, and the median time is printed. Nothing is
asserted. Goal: every page under 0.5 s.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))

from storage.web import metadata  # noqa: E402

GOAL = 0.5


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return time.perf_counter() - started, status


def pages(db: Path) -> list[tuple[str, str]]:
    """(what, path) of each page measured: the tables and views a person finds listed
    (hidden internals left out), with their facets; the canned questions."""
    meta = metadata(db.stem)["databases"][db.stem]
    tables = meta.get("tables", {})
    out = [(f"table {t}", f"/{db.stem}/{t}") for t, m in tables.items() if not m.get("hidden")]
    out += [(f"query {q}", f"/{db.stem}/{q}") for q in meta.get("queries", {})]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=20_000)
    ap.add_argument("--years", type=int, default=7)
    ap.add_argument("--db", type=Path, help="an archive to serve instead of building one")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            import archive as bench_archive  # bench/archive.py

            from monitor.runner import run_checks

            db = Path(tmp) / "bench.db"
            built, years, _ = bench_archive.build(db, args.agencies, args.years, quiet=True)
            run_checks(built, date(years[-1] + 1, 6, 1))
            built.close()
            print(f"{args.agencies} agencies × {len(years)} years, checked")
        port = _port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import cli; cli.main()",
                "serve",
                "--db",
                str(db),
                "--port",
                str(port),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    _get(base + "/")
                    break
                except OSError:
                    time.sleep(0.1)
            slow = 0
            for what, path in pages(db):
                times, status = [], 0
                for _ in range(3):
                    seconds, status = _get(base + path)
                    times.append(seconds)
                median = statistics.median(times)
                slow += median >= GOAL
                mark = "" if median < GOAL else "  ← over the goal"
                print(f"  {what}: {median:.2f} s (HTTP {status}){mark}", flush=True)
            print(f"{slow} page(s) at or over {GOAL} s")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
