"""The compliance report at national scale: the time and memory `nianbao report` takes,
what it writes, and how long its pages take to open in a browser.

Run from the repository root: ``python bench/report.py [--agencies N] [--years Y]``
(default 20,000 × 7 = 140,000 reports, 40 regions of 500 agencies). The archive is built
as bench/archive.py builds it and checked. Then `nianbao report` runs in its own process,
as shipped (an index and a page per region past 2,000 agencies, the archived documents of
the years findings are about), and, in the same run as the baseline, as one page (what
the report was before). Each is opened in headless Chromium
(Debian's, through selenium): the index and the largest region page. Figures are printed;
nothing is asserted. Goals: within 1 GB and 30 s; each page open in under 2 s.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))

import archive as bench_archive  # noqa: E402  bench/archive.py

from monitor.runner import run_checks  # noqa: E402

# Each report process says its own peak memory as it exits: VmHWM, its own address
# space's (getrusage's ru_maxrss would carry this process's size at the fork).
PEAK = (
    "import atexit, re, sys; atexit.register(lambda: print('PEAK', re.search("
    "r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1), file=sys.stderr)); "
)
ONE_PAGE = PEAK + (
    "from pathlib import Path; from storage.db import connect; "
    "from output.compliance import write_report; "
    "data, n = write_report(connect(sys.argv[1], readonly=True), Path(sys.argv[2]), "
    "all_documents=True, region_pages_over=10**9); print(n)"
)
SHIPPED = PEAK + "sys.argv = ['nianbao', *sys.argv[1:]]; import cli; cli.main()"


def run(label: str, argv: list[str], out: Path) -> tuple[float, float]:
    """(seconds, peak MB) of one report written by a process of its own."""
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"{label}: {done.stderr[-1000:]}")
    peak = int(done.stderr.rsplit("PEAK ", 1)[1].split()[0])
    folder = out.parent
    files = [p for p in folder.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    biggest = max(files, key=lambda p: p.stat().st_size)
    print(
        f"  [{label}] {wall:.1f} s, peak {peak / 1024:.0f} MB; "
        f"{len(files)} files, {size / 1048576:.0f} MB, the largest "
        f"{biggest.name} {biggest.stat().st_size / 1048576:.1f} MB",
        flush=True,
    )
    return wall, peak / 1024


def opened(pages: list[Path]) -> None:
    """Each page's load time in headless Chromium (navigation start to the load event)."""
    from selenium import webdriver

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not binary or not driver_path:
        print("  (no chromium and chromedriver: pages not opened)")
        return
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(driver_path))
    driver.set_page_load_timeout(300)
    try:
        for page in pages:
            started = time.perf_counter()
            driver.get(page.as_uri())
            wall = time.perf_counter() - started
            print(f"  opened {page.name} ({page.stat().st_size / 1048576:.1f} MB) in {wall:.2f} s")
    finally:
        driver.quit()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=20_000)
    ap.add_argument("--years", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        archive, years, _ = bench_archive.build(db, args.agencies, args.years, quiet=True)
        run_checks(archive, date(years[-1] + 1, 6, 1))
        archive.close()
        print(f"{args.agencies} agencies × {len(years)} years, checked; nianbao report:")
        shipped = Path(tmp) / "shipped" / "report.html"
        one = Path(tmp) / "one" / "report.html"
        for out in (shipped, one):
            out.parent.mkdir()
        t_one, m_one = run(
            "one page (before)", [sys.executable, "-c", ONE_PAGE, str(db), str(one)], one
        )
        cli = [sys.executable, "-c", SHIPPED, "report", "--db", str(db), "--out", str(shipped)]
        t_new, m_new = run("as shipped", cli, shipped)
        regions = sorted(
            (shipped.parent / "report-regions").glob("*.html"), key=lambda p: p.stat().st_size
        )
        opened([shipped, *regions[-1:], one])
        print(
            f"as shipped: {t_new / t_one:.2f}× the one page's time, "
            f"{m_new / m_one:.2f}× its memory (goals: ≤ 30 s, ≤ 1 GB)"
        )


if __name__ == "__main__":
    main()
