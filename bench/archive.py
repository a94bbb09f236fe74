"""Archive at national scale: ingest rate, the queries users run, size per report.

Run from the repository root: ``python bench/archive.py [--agencies N] [--years Y]``
(default 20,000 × 7 = 140,000 reports). Each synthetic report has full 2019 or 2021 tables
with varied numbers, prose drawn paragraph by paragraph from real reports (the corpus's
seeds and the 洪泽 report; as long as theirs on average), and the findings its numbers
give; each is listed under its agency and year and filed as a crawl files it; ingest goes
through Archive.write, the path of every document (parsing is measured by
bench/parse.py and replaced here by the records it would give), 500 reports per
transaction (Archive.batch, each report in a savepoint of its own), prepared in a worker
process while the main one writes (two processes, two cores, as a real ingest runs).
Figures are printed;
nothing is asserted. Targets: ingest ≥ 1,000 reports/s, each query under 1 s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest import filed, prepare  # noqa: E402
from parsers import parse_text  # noqa: E402
from parsers.record import prepare as prepare_text  # noqa: E402
from report.rules import applications_balance, applications_column_total  # noqa: E402
from storage.archive import Archive, Fetched, Prepared  # noqa: E402
from storage.db import connect  # noqa: E402
from storage.query import findings, matrix, search  # noqa: E402
from tests.corpus import make_layouts as layouts  # noqa: E402

LEVELS = ("township", "county_dept", "county", "city_dept")
BATCH = 500  # reports per transaction, as a bulk ingest writes them
# The prose of real reports (the corpus's seeds and published reports): each synthetic
# report's prose is as many of their paragraphs, drawn at random, as a real report holds.
REAL_PROSE = sorted(
    [
        *(ROOT / "tests/corpus").glob("seed-*.txt"),
        ROOT / "tests/corpus/real-pdf-text-labels-split-around-numbers.txt",
    ]
)


def real_paragraphs() -> tuple[list[str], int]:
    """(the real reports' prose paragraphs, the mean characters of prose per report)."""
    paragraphs, totals = [], []
    for path in REAL_PROSE:
        lines = [
            line.strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if sum("\u4e00" <= c <= "\u9fff" for c in line) >= 20 and "\t" not in line
        ]
        paragraphs += lines
        totals.append(sum(map(len, lines)))
    return paragraphs, sum(totals) // len(totals)


def templates() -> dict[str, tuple[str, dict]]:
    out = {}
    for template, year in (("2019", 2020), ("2021", 2022)):
        text = layouts.render("AGENCY", year, template, "tabs")
        out[template] = (text, parse_text(text))
    return out


def synthetic(
    rnd: random.Random, base: tuple[str, dict], agency: str, year: int
) -> tuple[bytes, dict, str]:
    """(document bytes, record, text in the parser's normal form) of one report."""
    text, record = base
    record = {
        **record,
        "agency": agency,
        "year": year,
        "title": f"{agency}{year}年政府信息公开工作年度报告",
    }
    scale = rnd.randint(0, 40)
    cells = {k: (v * scale if isinstance(v, int) else v) for k, v in record["cells"].items()}
    if rnd.random() < 0.1:  # a tenth of the reports break a sum
        cells["applications.total.total"] = (cells["applications.total.total"] or 0) + 1
    if rnd.random() < 0.05:
        cells[
            "proactive.rules.in_force"
            if "proactive.rules.in_force" in cells
            else "proactive.rules.total"
        ] = None
    record["cells"] = cells
    record["findings"] = applications_balance(cells) + applications_column_total(cells)
    paragraphs, length = _PROSE
    prose: list[str] = []
    while sum(map(len, prose)) < length:
        prose.append(rnd.choice(paragraphs))
    body = text.replace("AGENCY", agency) + "\n".join(prose) + f"\n{agency}{year}{scale}\n"
    return body.encode(), record, "\n".join(prepare_text(body)[0])


_BASES: dict[str, tuple[str, dict]] = {}
_PROSE = real_paragraphs()


def made_and_prepared(job: tuple[int, int]) -> tuple[Prepared, float]:
    """One synthetic report, prepared as Archive.write takes it, and the seconds prepare
    took (runs in the worker)."""
    n, year = job
    if not _BASES:
        _BASES.update(templates())
    rnd = random.Random(n * 10_000 + year)
    base = _BASES["2019" if year <= 2020 else "2021"]
    data, record, text = synthetic(rnd, base, f"某省第{n // 500}市第{n}单位", year)
    t0 = time.perf_counter()
    # Listed under its agency and year, as a crawl finds it on the agency's portal.
    listed = Fetched(agency_id=f"a{n:06d}", year=year)
    prepared = prepare(data, listed, read=lambda *_: (record, text))
    return prepared, time.perf_counter() - t0


def evict(db_path: Path) -> None:
    """Drop the archive's files from the OS page cache (no root needed)."""
    for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        if path.exists():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def build(
    db_path: Path, agencies: int, n_years: int, quiet: bool = False
) -> tuple[Archive, list[int], float]:
    """A new archive of ``agencies`` × ``n_years`` synthetic reports, ingested as a crawl
    does (a worker prepares, this process writes); prints what it measured."""

    def say(*args: object, **kw: object) -> None:
        if not quiet:
            print(*args, **kw)  # type: ignore[call-overload]

    archive = Archive(connect(db_path))
    years = list(range(2024 - n_years + 1, 2025))
    archive.load_agencies(
        [
            {
                "id": f"a{n:06d}",
                "name": f"某省第{n // 500}市第{n}单位",
                "aliases": "[]",
                "level": LEVELS[n % len(LEVELS)],
                "region": f"某省第{n // 500}市",
                "list_urls": "[]",
                "allowed_hosts": "[]",
                "deadline": "03-31" if LEVELS[n % len(LEVELS)] == "county" else "01-31",
                "since": years[0],
                "updated_at": "2026-01-01T00:00:00+00:00",
            }
            for n in range(agencies)
        ]
    )
    total = agencies * len(years)
    say(f"building {agencies} agencies × {len(years)} years = {total} reports in {db_path}")
    # Two processes, as a real ingest runs: a worker makes and prepares reports (parse,
    # hash, pack: pure work) while this one writes them. Wall time is measured.
    jobs = [(n, year) for year in years for n in range(agencies)]
    names = archive.agency_index()
    started, done, waited, preparing = time.perf_counter(), 0, 0.0, 0.0
    with multiprocessing.get_context("fork").Pool(1) as pool:
        prepared = pool.imap(made_and_prepared, jobs, chunksize=100)
        while done < total:
            t0 = time.perf_counter()
            chunk = list(islice(prepared, BATCH))  # time spent waiting is not the archive's
            waited += time.perf_counter() - t0
            with archive.batch():
                for p, seconds in chunk:
                    archive.write(filed(p, names))  # filed as a crawl files it
                    preparing += seconds
            done += len(chunk)
            if done % 10_000 < BATCH:
                rate = done / (time.perf_counter() - started - waited)
                say(f"  {done} reports, archive {rate:.0f} reports/s", flush=True)
    archive.flush_search_index()
    wall = time.perf_counter() - started
    elapsed = wall - waited
    say(
        f"prepare (hash, normalize, pack; runs in the parse workers): "
        f"{preparing / total * 1000:.2f} ms/report = {total / preparing:.0f} reports/s per core"
    )
    say(
        f"pipeline: {total} reports in {wall:.1f} s wall = {total / wall:.0f} reports/s "
        "(its worker also makes the synthetic reports)"
    )
    conn = archive.conn
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db_path.stat().st_size
    counts = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("reports", "cells", "findings")
    }
    say(
        f"ingest (archive writes): {total} reports in {elapsed:.1f} s = "
        f"{total / elapsed:.0f} reports/s; "
        f"{counts['cells']} cells, {counts['findings']} findings"
    )
    say_size(conn, size, total, say)

    return archive, years, elapsed


def say_size(conn: Any, size: int, total: int, say: Any) -> None:
    """The archive's size per report: all of it, the documents as published, and what the
    archive adds to them, by its largest tables."""
    say(
        f"size: {size / 1048576:.0f} MB = {size / total / 1024:.1f} KB per report "
        f"(150,000 agencies × 7 years ≈ {size / total * 150_000 * 7 / 1024**3:.0f} GB)"
    )
    # The documents as published are what they are (a real portal's are PDFs and pages of
    # 100–250 KB; these are their text); what the archive adds to them is its own cost.
    tables = dict(
        conn.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).fetchall()
    )
    documents = tables.get("document_bytes", 0)
    added = size - documents
    say(
        f"  the documents as published: {documents / total / 1024:.1f} KB per report; "
        f"what the archive adds to them (records, cells, findings, prose, indexes): "
        f"{added / total / 1024:.1f} KB per report (goal ≤ 10 KB); the largest: "
        + ", ".join(
            f"{name} {pages / total / 1024:.1f} KB"
            for name, pages in list(tables.items())[:6]
            if name != "document_bytes"
        )
    )


def raw_baseline(src: Archive, db_path: Path) -> tuple[int, float]:
    """The same rows written the plainest way: copied from the built archive with
    executemany into a new one (same schema, triggers and indexes), BATCH reports per
    transaction, their text indexed every Archive.FLUSH_EVERY reports as Archive does.
    Returns (reports, seconds of writing); reading the rows is not timed."""
    dst = connect(db_path)
    for table in ("agencies", "cell_keys"):
        rows = src.conn.execute(f"SELECT * FROM {table}").fetchall()
        marks = ",".join("?" * len(rows[0]))
        dst.execute("BEGIN")
        dst.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", rows)
        dst.execute("COMMIT")
    by_report = {
        "documents": "SELECT d.* FROM documents d JOIN reports r ON r.document_sha256 = d.sha256",
        "document_bytes": "SELECT b.* FROM document_bytes b "
        "JOIN reports r ON r.document_sha256 = b.sha256",
        "reports": "SELECT r.* FROM reports r",
        "cells": "SELECT c.* FROM cells c JOIN reports r ON r.id = c.report_id",
        "report_prose": "SELECT p.* FROM report_prose p JOIN reports r ON r.id = p.report_id",
        "findings": "SELECT f.* FROM findings f JOIN reports r ON r.id = f.report_id",
    }
    last = src.conn.execute("SELECT max(id) FROM reports").fetchone()[0]
    seconds, indexed = 0.0, 0
    for lo in range(0, last, BATCH):
        chunk = {
            table: src.conn.execute(
                f"{sql} WHERE r.id > ? AND r.id <= ?", (lo, lo + BATCH)
            ).fetchall()
            for table, sql in by_report.items()
        }
        t0 = time.perf_counter()
        dst.execute("BEGIN")
        for table, rows in chunk.items():
            if rows:
                marks = ",".join("?" * len(rows[0]))
                dst.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        if lo + BATCH - indexed >= Archive.FLUSH_EVERY or lo + BATCH >= last:
            for sql in (
                "INSERT INTO report_text (rowid, text) SELECT report_id, text "
                "FROM report_indexed_texts WHERE report_id > ? ORDER BY report_id",
                "INSERT INTO report_chars (rowid, chars) SELECT report_id, nianbao_chars(text) "
                "FROM report_texts WHERE report_id > ? ORDER BY report_id",
            ):
                dst.execute(sql, (indexed,))
            indexed = lo + BATCH
        dst.execute("COMMIT")
        seconds += time.perf_counter() - t0
    dst.close()
    return last, seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agencies", type=int, default=20_000)
    ap.add_argument("--years", type=int, default=7)
    ap.add_argument("--db", help="archive file to build (default: a temporary one)")
    ap.add_argument("--reuse", action="store_true", help="time the queries on --db as built before")
    args = ap.parse_args()
    if args.reuse:
        return time_queries(Path(args.db), args.agencies, args.years)
    tmp = tempfile.TemporaryDirectory()
    db_path = Path(args.db or Path(tmp.name) / "bench.db")
    archive, years, ingest_seconds = build(db_path, args.agencies, args.years)
    reports, raw_seconds = raw_baseline(archive, Path(tmp.name) / "raw.db")
    print(
        f"baseline, the same rows by executemany with the text indexed: {reports} reports in "
        f"{raw_seconds:.1f} s = {reports / raw_seconds:.0f} reports/s; nianbao's ingest at "
        f"{raw_seconds / ingest_seconds:.2f}× its rate (goal ≥ 0.7×)"
    )
    time_checks(archive, years)
    time_queries(db_path, args.agencies, args.years)


def time_checks(archive: Archive, years: list[int]) -> None:
    """`nianbao check` on the archive as built, then again on it unchanged: the re-run
    should write nothing and take no longer than the first."""
    from datetime import date

    from monitor.runner import run_checks

    conn = archive.conn
    for label in ("first check", "re-check, archive unchanged"):
        before = conn.total_changes
        t0 = time.perf_counter()
        result = run_checks(archive, date(years[-1] + 1, 6, 1))
        seconds = time.perf_counter() - t0
        print(
            f"{label}: {seconds:.1f} s; {result['open']} open from the checks, "
            f"{result['new']} new, {result['resolved']} resolved; "
            f"{conn.total_changes - before} rows written"
        )


def time_queries(db_path: Path, agencies: int, n_years: int) -> None:
    years = list(range(2024 - n_years + 1, 2025))
    # Queried as a user does: a new read-only connection, as `nianbao matrix` opens one.
    conn = connect(db_path, readonly=True)  # the lambdas below read it when they run
    region = f"某省第{agencies // 1000}市"
    queries = {
        "compliance matrix (all agencies × years)": lambda: len(matrix(conn)),
        f"open findings in one region ({region})": lambda: len(
            conn.execute(
                "SELECT f.* FROM findings f JOIN agencies a ON a.id = f.agency_id "
                "WHERE a.region = ? AND f.status = 'open'",
                (region,),
            ).fetchall()
        ),
        "one cell across all agencies, one year": lambda: len(
            conn.execute(
                "SELECT r.agency_id, c.value FROM latest_reports r JOIN cell_values c "
                "ON c.report_id = r.id WHERE r.year = ? AND c.key = ?",
                (years[-2], "applications.new_received.total"),
            ).fetchall()
        ),
        "agencies of a region over a threshold": lambda: len(
            conn.execute(
                "SELECT r.agency_id FROM latest_reports r JOIN cell_values c ON c.report_id = r.id "
                "WHERE r.region = ? AND r.year = ? AND c.key = ? AND c.value > 100",
                (region, years[-2], "applications.new_received.total"),
            ).fetchall()
        ),
        "open findings of one rule (findings command)": lambda: len(
            findings(conn, rule="applications.balance", year=years[-2])
        ),
        "full-text search, 3+ characters": lambda: len(search(conn, "第1234单位")),
        "full-text search, 2 characters held by every report": lambda: len(search(conn, "复议")),
        "full-text search, 2 characters held by none": lambda: len(search(conn, "碍事")),
        "full-text search, 1 character held by none": lambda: len(search(conn, "碍")),
        "full-text search, 1 character": lambda: len(search(conn, "审")),
    }
    for name, run in queries.items():
        # Cold: the archive's pages evicted from the OS cache and a new connection (empty
        # SQLite cache), as the first query of a day meets it. Warm: the same query again.
        # Each is the median of three on this shared machine, where one run can take half
        # as long again as the next; the slowest is printed beside it.
        colds, warms = [], []
        for _ in range(3):
            evict(db_path)
            conn = connect(db_path, readonly=True)
            t0 = time.perf_counter()
            rows = run()
            colds.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            run()
            warms.append(time.perf_counter() - t0)
        cold, warm = statistics.median(colds), statistics.median(warms)
        print(
            f"query: {name}: cold {cold * 1000:.0f} ms (slowest {max(colds) * 1000:.0f}), "
            f"warm {warm * 1000:.0f} ms ({rows} rows)"
        )


if __name__ == "__main__":
    main()
