"""The compliance report at national scale: the time and memory `nianbao report` takes,
what it writes, and how long its pages take to open in a browser.

Run from the repository root: ``python bench/report_pages.py [--agencies N] [--years Y]
[--db FILE]`` (default 20,000 × 7 = 140,000 reports, 40 regions of 500 agencies). The
archive is built as bench/archive.py builds it and checked (or, with --db, one it built
and a check judged is read). Then `nianbao report` runs in its own process,
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

ONE_PAGE = (
    "import sys; from pathlib import Path; from storage.db import connect; "
    "from output.compliance import write_report; "
    "data, n = write_report(connect(sys.argv[1], readonly=True), Path(sys.argv[2]), "
    "all_documents=True, region_pages_over=10**9); print(n)"
)
SHIPPED = "import sys; sys.argv = ['nianbao', *sys.argv[1:]]; import cli; cli.main()"


def tree_rss(root: int) -> int:
    """The resident memory (KB) of a process and all its descendants, summed: the report
    writes regions in worker processes, and pages they share are counted in each."""
    parents, rss = {}, {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:  # the process ended
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        pid = int(status.parent.name)
        parents[pid] = int(fields["PPid"])
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total = 0
    for pid in rss:
        up = pid
        while up and up != root:
            up = parents.get(up, 0)
        total += rss[pid] if up == root else 0
    return total


def run(label: str, argv: list[str], out: Path) -> tuple[float, float]:
    """(seconds, peak MB of the process and its workers together, sampled every 50 ms) of
    one report written by a process of its own."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.05)
        wall = time.perf_counter() - started
        err.seek(0)
        if proc.returncode:
            sys.exit(f"{label}: {err.read()[-1000:]}")
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
    ap.add_argument("--db", type=Path, help="an archive bench/archive.py built, checked")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        if args.db is None:
            archive, years, _ = bench_archive.build(db, args.agencies, args.years, quiet=True)
            run_checks(archive, date(years[-1] + 1, 6, 1))
            archive.close()
            print(f"{args.agencies} agencies × {len(years)} years, checked; nianbao report:")
        else:
            print(f"{db}; nianbao report:")
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
