"""Small documents built to exhaust a parser: each one costs bounded time and memory and
ends in a record or a one-line error, never a crash. The bounds are loose (a loaded CI
machine passes them); what they catch is the blow-up: before these were bounded, 450
bytes of spans took 10 s and 1.5 GB, and 10 MB of short lines 125 s."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from ingest import prepare
from parsers import DocumentError, Limits
from parsers.document import MB
from parsers.guard import parse_guarded
from tests.hostile import documents as hostile

SECONDS, MEGABYTES = 20.0, 600.0


def _parse(data: bytes) -> str:
    try:
        record = parse_guarded(data)
    except DocumentError as exc:
        return f"refused: {exc}"
    return f"{record['template']}, {len(record['cells'])} cells"


@pytest.mark.parametrize(
    ("make", "outcome"),
    [
        (hostile.span_bomb, "unknown, 0 cells"),
        (hostile.span_bomb_8k, "unknown, 0 cells"),
        (hostile.huge_number, "unknown, 0 cells"),
        (hostile.deep_nesting, "unknown, 0 cells"),
        (lambda: hostile.short_lines_prose(5), "2021, 0 cells"),
        (hostile.many_entries_zip, "refused: a zip container of"),
        (hostile.late_dtd_docx, "refused: word/document.xml declares a DTD"),
        (hostile.utf16_dtd_docx, "refused: word/document.xml declares a DTD"),
    ],
    ids=[
        "span-bomb-450-bytes",
        "span-bomb-8-kb",
        "number-of-5000-digits",
        "nesting-200000-deep",
        "prose-of-5-mb-short-lines",
        "zip-of-200000-parts",
        "dtd-after-4-kb",
        "dtd-in-utf-16",
    ],
)
def test_hostile_document_is_bounded(measure, make, outcome: str) -> None:
    data = make()
    seconds, peak, (status, result) = measure(lambda: _parse(data))
    assert status == "ok", result
    assert result.startswith(outcome)
    assert seconds < SECONDS and peak < MEGABYTES, (seconds, peak)


def test_a_parser_bug_costs_one_document_its_record_not_the_run() -> None:
    def broken(data: bytes, content_type: str | None, limits: object) -> tuple:
        raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")

    prepared = prepare(b"<html><body>x</body></html>", read=broken)
    assert prepared.record is None
    assert prepared.error.startswith("parser failed: ValueError")


@pytest.mark.parametrize(
    "make", [hostile.spans_page_19mb, hostile.numbers_text_15mb], ids=["html-19-mb", "text-15-mb"]
)
def test_html_and_text_are_held_to_the_time_and_memory_limits(measure, make) -> None:
    """Large HTML and text are parsed in the bounded child like every other format: within
    --timeout and --memory-mb (here 8 s and 256 MB), a one-line error past them."""
    data = make()
    limits = Limits(seconds=8, memory_mb=256)

    def parse() -> str:
        try:
            parse_guarded(data, limits=limits)
        except DocumentError as exc:
            return f"refused: {exc}"
        return "read"

    # The parser's child starts as a copy of this process: its cap is on what it adds.
    start = int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / MB
    seconds, peak, (status, result) = measure(parse)
    assert status == "ok", result
    assert result == "read" or "memory" in result or "longer than 8 s" in result, result
    assert seconds < 8 + 4 and peak < start + 256 + 150, (seconds, peak, start, result)
