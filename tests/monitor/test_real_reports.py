"""The assessors' rules on every real report we hold: each is silent on all of them.

The real reports are the portal seeds and published reports in tests/corpus (seed-*,
real-*) and, where the shared corpus is beside the repository, ../shared/corpus. None of
them breaks an assessor's rule, so any finding here is a false one. The rules that look at
two years are run on every ordered pair of different real reports, as if one were the
other's last year: prose and problems that differ must never read as copied.
"""

from __future__ import annotations

from datetime import date
from itertools import permutations
from pathlib import Path

import pytest

from monitor.checks import AgencyFacts, ReportFacts, check_agency, problems_copied
from parsers.document import read_document

ROOT = Path(__file__).resolve().parents[2]
REAL = sorted(
    [p for p in (ROOT / "tests/corpus").iterdir() if p.name.startswith(("seed-", "real-"))]
    + [p for p in (ROOT.parent / "shared/corpus").glob("*/*") if p.suffix != ".md"],
    key=lambda p: p.name,
)
REAL = [p for p in REAL if not p.name.endswith(".expected.json")]
# The assessors' rules (issue: checks, scores and rankings).
ASSESSOR_RULES = {
    "narrative.problems_empty",
    "narrative.problems_copied",
    "narrative.problems_unanswered",
    "narrative.fees",
    "narrative.region_silent",
    "plausibility.year_jump",
    "plausibility.peer_zero",
    "plausibility.peer_outlier",
}


def _level(agency: str | None) -> str:
    """The real reports' agencies: townships (镇, 乡), 洪泽区 (a county) and 平潭综合实验区
    (a prefecture-level 管委会)."""
    name = agency or ""
    if "实验区" in name:
        return "city"
    if name.endswith(("区人民政府", "县人民政府")):
        return "county"
    return "township"


def _read(path: Path) -> tuple[dict, ReportFacts]:
    record, text = read_document(path.read_bytes())
    facts = ReportFacts(
        1, record["year"], record["template"], None, None, "2025-01-01", record["cells"], text
    )
    return record, facts


@pytest.fixture(scope="module")
def reports() -> list[tuple[Path, dict, ReportFacts]]:
    return [(p, *_read(p)) for p in REAL]


def test_the_real_corpus_is_here(reports) -> None:
    names = {p.name for p, _, _ in reports}
    assert {"seed-2021-spaces-inside-words.txt", "real-county-report-ruled-tables.pdf"} <= names
    assert sum(1 for _, r, _ in reports if r["cells"]) >= 7


def test_no_assessor_rule_fires_on_a_real_report(reports) -> None:
    fired = {}
    for path, record, facts in reports:
        agency = AgencyFacts("real", _level(record["agency"]), "01-31", 2019, region="某地")
        found = [f["rule"] for f in record["findings"]]
        found += [f["rule"] for _, _, f in check_agency(agency, [facts], date(2025, 6, 1))]
        if hits := sorted(set(found) & ASSESSOR_RULES):
            fired[path.name] = hits
    assert fired == {}


def test_different_real_reports_are_never_read_as_copied(reports) -> None:
    copied = [
        (a.name, b.name)
        for (a, _, last), (b, _, this) in permutations(reports, 2)
        if last.text != this.text
        and problems_copied(
            ReportFacts(1, 2022, "2021", None, None, "", {}, last.text),
            ReportFacts(2, 2023, "2021", None, None, "", {}, this.text),
        )
    ]
    assert copied == []
