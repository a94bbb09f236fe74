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


REAL_PAGE = CORPUS / "real-page-title-and-date-outside-content.html"  # 平潭 2024, UTF-8
REAL_PDF = CORPUS / "real-county-report-ruled-tables.pdf"


def _prose(document: bytes) -> str:
    """The prose the archive keeps of a real document, as ingest reads it."""
    from ingest import prepare

    prepared = prepare(document)
    assert prepared.record is not None
    return prepared.searchable


def test_the_prose_of_a_real_page_packs_against_the_page_to_a_fraction() -> None:
    page = REAL_PAGE.read_bytes()
    text = _prose(page)
    alone, against = pack_text(text), pack_text(text, page)
    assert against[:1] == packing.PROSE_BY_DOCUMENT_1
    assert unpack_text(against, document=page) == text
    assert len(against) < 0.5 * len(alone), (len(against), len(alone))


def test_the_prose_of_a_pdf_is_packed_alone() -> None:
    """A PDF's bytes share nothing with its text: its prose needs no document to read."""
    pdf = REAL_PDF.read_bytes()
    text = _prose(pdf)
    packed = pack_text(text, pdf)
    assert packed == pack_text(text) and unpack_text(packed) == text


def test_prose_packed_against_a_document_is_not_read_without_it_or_with_another() -> None:
    page = REAL_PAGE.read_bytes()
    packed = pack_text(_prose(page), page)
    with pytest.raises(ValueError, match="without it"):
        unpack_text(packed)
    other = page.replace("平潭".encode(), "某县".encode())
    with pytest.raises(ValueError):
        unpack_text(packed, document=other)


def test_the_document_words_are_frozen() -> None:
    """Prose packed against a document names form 1 of its words: a change would leave
    them unreadable (a new form comes under a new first byte)."""
    sample = "".join(map(chr, range(0x3000, 0x3002))) + "".join(map(chr, range(0xFF00, 0xFF70)))
    words = packing._document_words(
        (sample + "第（一）项：１２３，ａｂ 2023 年\t\xa0\r\n").encode()
    )
    assert words is not None
    assert words.decode().endswith("第(一)项:123,ab2023年\n")
    assert hashlib.sha256(words).hexdigest() == (
        "48249751cba3799e6e924ed1fd583c75e994348a8a26cc4b378078a2b0dfa957"
    )
    # The form, said as characters: what the byte-level work must give.
    form = {0xFF01 + i: 0x21 + i for i in range(94)} | dict.fromkeys(
        (0x09, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x3000)
    )
    for document in (sample.encode(), REAL_PAGE.read_bytes()):
        assert packing._document_words(document) == document.decode().translate(form).encode()
    assert packing._document_words("政府信息公开".encode("gbk")) is None  # not UTF-8: not a text


def test_the_prose_of_a_page_over_a_megabyte_is_packed_alone() -> None:
    """Reading prose back unpacks its document: not for a page past packing._WORDS_LIMIT."""
    page = REAL_PAGE.read_bytes()
    text = _prose(page)
    huge = page + b" " * (packing._WORDS_LIMIT - len(page) + 1)
    assert pack_text(text, huge) == pack_text(text)
    assert pack_text(text, huge[:-1])[:1] == packing.PROSE_BY_DOCUMENT_1
