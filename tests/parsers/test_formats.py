"""The same report in every format a portal serves gives the same record.

tests/corpus/formats/<case>.{html,pdf,docx,doc,ofd} were made from one HTML rendering with
the template's merged cells (tests/corpus/make_formats.py); <case>.expected.json is the
record every one of them must give (``--regen-golden`` rewrites it from the HTML).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import parse_bytes
from parsers.guard import parse_guarded
from tests.corpus.make_layouts import known_cells

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FORMATS = CORPUS / "formats"
EXTENSIONS = ("html", "pdf", "docx", "doc", "ofd")
CASES = sorted({p.name.split(".")[0] for p in FORMATS.iterdir() if p.suffix[1:] in EXTENSIONS})
KNOWN = {"merged-cells-2021": "2021", "merged-cells-2019": "2019"}


def expected_file(case: str) -> Path:
    return FORMATS / f"{case}.expected.json"


@pytest.mark.parametrize("case", CASES)
def test_every_format_gives_the_same_record(case: str, regen_golden: bool) -> None:
    if regen_golden:
        record = parse_bytes((FORMATS / f"{case}.html").read_bytes())
        expected_file(case).write_text(
            json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    expected = json.loads(expected_file(case).read_text(encoding="utf-8"))
    for ext in EXTENSIONS:
        record = parse_bytes((FORMATS / f"{case}.{ext}").read_bytes())
        assert record == expected, f"{case}.{ext}"


@pytest.mark.parametrize("case", sorted(KNOWN))
def test_formats_give_the_known_cells(case: str) -> None:
    expected = json.loads(expected_file(case).read_text(encoding="utf-8"))
    assert expected["cells"] == known_cells(KNOWN[case])
    assert expected["findings"] == []


def test_broken_sum_is_found_in_every_format() -> None:
    expected = json.loads(expected_file("merged-cells-2021-outcome-sum-wrong").read_text("utf-8"))
    assert [(f["rule"], f["evidence"]["column"]) for f in expected["findings"]] == [
        ("applications.outcome_sum", "natural_person"),
        ("applications.outcome_sum", "total"),
    ]


def test_guarded_parse_gives_the_same_record() -> None:
    for ext in EXTENSIONS:
        data = (FORMATS / f"merged-cells-2019.{ext}").read_bytes()
        assert parse_guarded(data) == parse_bytes(data), ext


def test_real_pdf_tables_match_the_text_extraction() -> None:
    """The county report read from its ruled tables equals its text-layer reading, which
    tests/parsers/test_seed_facts.py checks cell by cell."""
    pdf = parse_bytes((CORPUS / "real-county-report-ruled-tables.pdf").read_bytes())
    text = parse_bytes((CORPUS / "real-pdf-text-labels-split-around-numbers.txt").read_bytes())
    assert pdf["cells"] == text["cells"]
    assert len(pdf["cells"]) == 186 and None not in pdf["cells"].values()
    assert (pdf["agency"], pdf["year"], pdf["findings"]) == ("淮安市洪泽区人民政府", 2024, [])


def test_tables_as_pictures_give_no_cells_never_zeros() -> None:
    """Pictures not fetched (they are not in the page): no cell, and the tables the page
    shows as pictures are a note for a person, not charged as missing."""
    record = parse_bytes((CORPUS / "tables-as-images.html").read_bytes())
    assert record["template"] == "2021" and record["cells"] == {}
    (note,) = record["findings"]
    assert note["rule"] == "document.pictures_unread" and note["evidence"]["pictures"] == 3
    assert [m.split()[1] for m in note["evidence"]["not_seen"]] == [
        "proactive",
        "applications",
        "appeals",
    ]


@pytest.mark.parametrize("name", ["scan-no-text-layer.pdf", "scan-image.png"])
def test_scans_say_they_have_no_text(name: str) -> None:
    record = parse_bytes((CORPUS / name).read_bytes())
    assert record["template"] == "unknown"
    assert [f["rule"] for f in record["findings"]] == ["document.no_text"]
