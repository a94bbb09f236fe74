"""Golden files: every document in tests/corpus/ against its whole expected record.

``pytest tests/parsers/test_corpus.py --regen-golden`` rewrites the expected files; review
the change with ``git diff tests/corpus`` before committing it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import DocumentError, parse_bytes

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
NOT_CASES = {".json", ".py", ".md"}
CASES = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.suffix not in NOT_CASES)


def expected_path(case: Path) -> Path:
    return case.with_name(case.stem + ".expected.json")


def result_of(case: Path) -> dict:
    try:
        return parse_bytes(case.read_bytes())
    except DocumentError as exc:
        return {"error": str(exc)}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Path, regen_golden: bool) -> None:
    got = result_of(case)
    expected_file = expected_path(case)
    if regen_golden:
        expected_file.write_text(
            json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        pytest.skip("expected file rewritten")
    assert expected_file.exists(), f"no {expected_file.name}: run pytest --regen-golden"
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    assert got == expected


def test_every_expected_file_has_its_case() -> None:
    stems = {c.stem for c in CASES}
    orphans = [
        p.name
        for p in CORPUS.glob("*.expected.json")
        if p.name.removesuffix(".expected.json") not in stems
    ]
    assert orphans == []


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
