"""Documents and prose packed with the template's dictionary: smaller than zlib on real
reports, unpacked exactly, rows packed before still read, and the dictionary frozen."""

from __future__ import annotations

import hashlib
import random
import zlib
from pathlib import Path

import pytest

from storage import packing
from storage.db import READ_LIMIT
from storage.packing import pack_document, pack_text, unpack_document, unpack_text

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
REAL_TEXTS = [
    *sorted(CORPUS.glob("seed-*.txt")),
    CORPUS / "real-pdf-text-labels-split-around-numbers.txt",
]


def test_the_dictionary_is_frozen() -> None:
    """Archived rows name dictionary 1: a changed file would unpack them all wrong."""
    data = (Path(packing.__file__).with_name("text-1.zdict")).read_bytes()
    assert hashlib.sha256(data).hexdigest() == (
        "0b5dc6c4c0ab5cae7287537049be88f72f48910dd232dac478837c859f0d551e"
    )


def test_real_prose_packs_smaller_than_zlib_and_unpacks_exactly() -> None:
    ours = theirs = 0
    for path in REAL_TEXTS:
        text = path.read_text(encoding="utf-8")
        packed = pack_text(text)
        assert unpack_text(packed) == text
        assert len(packed) < len(zlib.compress(text.encode(), 6)), path.name
        ours, theirs = ours + len(packed), theirs + len(zlib.compress(text.encode(), 6))
    assert ours < 0.85 * theirs  # the seeds in traditional script gain least


def test_prose_and_documents_packed_by_zlib_before_still_read() -> None:
    text = REAL_TEXTS[0].read_text(encoding="utf-8")
    assert unpack_text(zlib.compress(text.encode(), 6)) == text
    data = REAL_TEXTS[0].read_bytes()
    assert unpack_document("zlib", zlib.compress(data, 1)) == data
    assert unpack_document("raw", data) == data


def test_a_document_is_packed_only_when_that_pays() -> None:
    text = REAL_TEXTS[1].read_bytes()
    encoding, stored = pack_document(text)
    assert encoding == packing.DOCUMENT_ZSTD_1 and unpack_document(encoding, stored) == text
    noise = random.Random(1).randbytes(100_000)  # incompressible, as a PDF's streams are
    assert pack_document(noise) == ("raw", noise)


def test_unpacking_past_the_read_limit_is_refused_not_built() -> None:
    huge = pack_text("0" * (READ_LIMIT + 1))
    with pytest.raises(ValueError, match="more than"):
        unpack_text(huge, READ_LIMIT)
    assert len(unpack_text(huge)) == READ_LIMIT + 1  # the archive's own reads are not bounded
