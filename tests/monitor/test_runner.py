"""`nianbao check` on a real archive: run again on unchanged reports it reads the copied-
prose scores it remembered instead of comparing the texts again, and writes nothing."""

from __future__ import annotations

from datetime import date

from ingest import add_document
from monitor.runner import run_checks
from storage.archive import Archive
from tests.support import report

AS_OF = date(2024, 6, 1)


def duplicates(archive: Archive) -> int:
    return archive.conn.execute(
        "SELECT count(*) FROM findings WHERE rule = 'report.duplicate_text' AND status = 'open'"
    ).fetchone()[0]


def test_a_check_run_again_reads_the_scores_it_remembered(archive: Archive) -> None:
    for year in (2020, 2021, 2022):
        add_document(archive, report("某市生态环境局", year, "2021" if year > 2020 else "2019"))
    conn = archive.conn
    run_checks(archive, AS_OF)
    pairs = conn.execute("SELECT count(*) FROM similarities").fetchone()[0]
    assert pairs == 2  # 2020→2021, 2021→2022
    first = duplicates(archive)
    before = conn.total_changes
    again = run_checks(archive, AS_OF)
    assert again["new"] == again["resolved"] == 0
    assert conn.total_changes == before  # nothing written
    # The remembered scores are what the check reads: changed, they change its verdict.
    conn.execute("UPDATE similarities SET score = ?", (0.0 if first else 1.0,))
    run_checks(archive, AS_OF)
    assert duplicates(archive) == (0 if first else 2)
