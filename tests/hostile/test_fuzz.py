"""Mutants of the real corpus, generated from a fixed seed on every run: bytes flipped,
cut, repeated, spliced with another format's, marked with a BOM, filled with NULs. Each is
parsed and archived as a crawl would: it ends in a record or a one-line error within the
limits, never an exception, and the archive stays whole. A failure names the mutant's
source and operation, so it can be made again (``mutant(SOURCE, OP, SEED)``)."""

from __future__ import annotations

import codecs
import json
import random
from pathlib import Path

import pytest

from ingest import add_document, prepare
from parsers import Limits
from report.registry import rule
from storage.archive import Fetched
from tests.support import new_archive

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SOURCES = sorted(
    [
        CORPUS / "real-page-title-and-date-outside-content.html",
        CORPUS / "real-county-report-ruled-tables.pdf",
        *CORPUS.glob("seed-2021-*.txt"),
        *(CORPUS / "formats").glob("merged-cells-2021.*"),
    ]
)
SOURCES = [p for p in SOURCES if p.exists() and not p.name.endswith(".json")]
OPERATIONS = ("flip", "cut", "repeat", "splice", "bom", "nul", "shuffle")
MUTANTS_PER_OP = 12
LIMITS = Limits(seconds=15, memory_mb=512, max_pages=50)


def mutant(source: Path, op: str, seed: int) -> bytes:
    """One mutant of ``source``: the same bytes for the same arguments, on any machine."""
    rng = random.Random(f"{source.name}:{op}:{seed}")
    data = bytearray(source.read_bytes())
    n = len(data)
    if op == "flip":  # a few bytes anywhere, the structure mostly kept
        for _ in range(rng.randint(1, 64)):
            data[rng.randrange(n)] = rng.randrange(256)
    elif op == "cut":
        data = data[: rng.randrange(1, n)]
    elif op == "repeat":  # a stretch repeated many times
        start = rng.randrange(n)
        piece = data[start : start + rng.randint(1, 4096)]
        data[start:start] = piece * rng.randint(2, 200)
    elif op == "splice":  # the head of one document on the tail of another
        other = SOURCES[rng.randrange(len(SOURCES))].read_bytes()
        data = data[: rng.randrange(n)] + other[rng.randrange(len(other)) :]
    elif op == "bom":
        bom = rng.choice([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
        data = bytearray(bom) + data
    elif op == "nul":
        start = rng.randrange(n)
        data[start : start + rng.randint(1, 2048)] = b"\0" * rng.randint(1, 2048)
    else:  # blocks of the document in another order
        size = max(1, n // 16)
        blocks = [data[i : i + size] for i in range(0, n, size)]
        rng.shuffle(blocks)
        data = bytearray(b"".join(blocks))
    return bytes(data)


def cases(source: Path) -> list[tuple[Path, str, int]]:
    return [(source, op, seed) for seed in range(MUTANTS_PER_OP) for op in OPERATIONS]


def test_the_corpus_is_there() -> None:
    assert len(SOURCES) >= 6, SOURCES  # HTML, PDF, text and the other formats


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_mutants_of_real_documents_end_in_a_record_or_a_one_line_error(
    source: Path, tmp_path: Path
) -> None:
    archive = new_archive(tmp_path)
    ends = {"record": 0, "error": 0}
    for case in cases(source):
        data = mutant(*case)
        where = f"mutant{(case[0].name, case[1], case[2])}"
        prepared = prepare(data, limits=LIMITS)  # never raises: the error is kept instead
        if prepared.record is None:
            assert prepared.error and "\n" not in prepared.error, where
            # A damaged document is named as such; "parser failed" would be a parser bug.
            assert not prepared.error.startswith("parser failed"), (where, prepared.error)
            ends["error"] += 1
        else:
            record = prepared.record
            json.dumps(record, allow_nan=False)  # plain data, storable as it is
            assert all(v is None or isinstance(v, int | float) for v in record["cells"].values())
            assert all(rule(f["rule"]) is not None for f in record["findings"]), where
            ends["record"] += 1
        archived = add_document(archive, data, Fetched(agency_id="demo-env"), limits=LIMITS)
        assert archived.status in (
            "new_report",
            "new_version",
            "same_text",
            "not_a_report",
            "known",
            "error",
            "stored",
        ), (where, archived)
    assert archive.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert sum(ends.values()) == len(OPERATIONS) * MUTANTS_PER_OP
