"""Hand-checked facts of the corpus's real and real-structure cases (tests/corpus/truth.json):
each report's agency, year, template, publication date and 发文字号 as a reader finds them,
and for the real portal page every cell, checked against the page's own table.

Unlike the golden files, these were written from the documents, not from the parser's
output. ``python -m tests.parsers.test_truth`` prints how many are right per field.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import parse_bytes

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
TRUTH = json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))
FIELDS = ("agency", "year", "template", "published_at", "doc_number")


def checks(case: str) -> dict[str, tuple[int, int]]:
    """field → (right, checked) for one case; ``cells`` counts cells."""
    record = parse_bytes((CORPUS / case).read_bytes())
    expected = TRUTH[case]
    out = {f: (int(record[f] == expected[f]), 1) for f in FIELDS if f in expected}
    if "cells" in expected:
        right = sum(record["cells"].get(k) == v for k, v in expected["cells"].items())
        out["cells"] = (right, len(expected["cells"]))
    return out


@pytest.mark.parametrize("case", sorted(TRUTH))
def test_hand_checked_facts(case: str) -> None:
    wrong = {f: n for f, n in checks(case).items() if n[0] != n[1]}
    assert wrong == {}


def test_truth_covers_real_pages_and_not_reports() -> None:
    assert len(TRUTH) >= 30
    assert sum(t["template"] == "unknown" for t in TRUTH.values()) >= 3
    assert sum(t.get("published_at") is not None for t in TRUTH.values()) >= 15


if __name__ == "__main__":
    totals: dict[str, list[int]] = {}
    for name in sorted(TRUTH):
        for field, (right, checked) in checks(name).items():
            total = totals.setdefault(field, [0, 0])
            total[0] += right
            total[1] += checked
    for field, (right, checked) in totals.items():
        print(f"{field:14} {right:5} / {checked}")
