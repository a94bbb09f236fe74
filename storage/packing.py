"""How the archive packs what it keeps: documents as published and each report's prose.

Both are zstd frames made with a dictionary of the national template's own words
(``text-1.zdict``, written by scripts/make_text_dictionary.py): every report repeats its
headings and labels, so no packed text carries them again (a quarter off a real report's
prose against zlib). Rows packed before keep their zlib and unpack as they are. A
dictionary is frozen once rows name it: a new one comes under the next number.

The prose of a report published as text (an HTML page, a plain text) is already in its
document: such prose is packed with the document's own words as the dictionary, a tenth
of its size, and read back with the document (the view report_texts joins them).
"""

from __future__ import annotations

import re
import zlib
from functools import cache
from pathlib import Path

import zstandard

# The prose's first byte says how it is packed: zlib's streams begin with 0x78.
_PROSE_ZSTD_1 = b"\x01"
PROSE_BY_DOCUMENT_1 = b"\x02"  # with its document's words (_document_words, form 1)
DOCUMENT_ZSTD_1 = "zstd-1"  # document_bytes.encoding of a document packed with dictionary 1
# Prose is small and read often: packed hard (about a millisecond for a report). Documents
# are larger and most are PDFs that no packing shrinks: packed fast.
_PROSE_LEVEL, _DOCUMENT_LEVEL = 19, 9


@cache
def _dictionary(number: int) -> zstandard.ZstdCompressionDict:
    data = (Path(__file__).with_name(f"text-{number}.zdict")).read_bytes()
    return zstandard.ZstdCompressionDict(data, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


def _packed(
    data: bytes, level: int, dictionary: zstandard.ZstdCompressionDict | None = None
) -> bytes:
    """A zstd frame of ``data`` with ``dictionary`` (the template's words by default); one
    made with another dictionary carries a checksum, so a wrong one is an error."""
    if dictionary is None:
        return zstandard.ZstdCompressor(level=level, dict_data=_dictionary(1)).compress(data)
    return zstandard.ZstdCompressor(
        level=level, dict_data=dictionary, write_checksum=True
    ).compress(data)


def _unpacked(
    frame: bytes, limit: int | None, dictionary: zstandard.ZstdCompressionDict | None = None
) -> bytes:
    size = zstandard.frame_content_size(frame)
    if limit is not None and (size < 0 or size > limit):
        raise ValueError(f"packed text of more than {limit} bytes")
    return zstandard.ZstdDecompressor(dict_data=dictionary or _dictionary(1)).decompress(frame)


def _inflated(data: bytes, limit: int | None, what: str) -> bytes:
    """A zlib stream (rows packed before zstd), refused past ``limit`` bytes."""
    inflate = zlib.decompressobj()
    raw = inflate.decompress(data, limit or 0)
    if inflate.unconsumed_tail:
        raise ValueError(f"packed {what} of more than {limit} bytes")
    return raw


# The document's words as the prose has them: full-width ASCII forms folded as the
# parser's normal form folds them (the prose has "," where its page has "，"), and the
# spaces within lines left out, as the index leaves them out ("2023 年" is "2023年").
# Listed, not asked of the Unicode tables: this form must never change. Worked on the
# UTF-8 bytes (a tenth of the time of str.translate): ASCII bytes and the lead bytes
# below never occur inside another character's bytes.
_FULLWIDTH = re.compile(rb"\xef\xbc[\x81-\xbf]|\xef\xbd[\x80-\x9e]")
_HALFWIDTH = {chr(0xFF01 + i).encode(): bytes([0x21 + i]) for i in range(94)}
_ASCII_SPACES = b"\t\x0b\x0c\r "
_OTHER_SPACES = ("\xa0".encode(), "\u3000".encode())
# Prose is packed against a document of at most this size (a report's page is 100–300 KB):
# reading it back unpacks the document, 4 ms at this size. Not part of the frozen form.
_WORDS_LIMIT = 1024 * 1024


def _document_words(document: bytes) -> bytes | None:
    """A document's text as its prose's dictionary: a UTF-8 document only (a PDF, a DOCX
    or a GBK page shares no bytes with the prose), in the form above. Frozen like a
    dictionary file: prose packed with it unpacks only while it gives the same bytes, so
    a different form comes under a new first byte."""
    try:
        document.decode("utf-8")
    except UnicodeDecodeError:
        return None
    words = document.translate(None, _ASCII_SPACES)
    for space in _OTHER_SPACES:
        words = words.replace(space, b"")
    return _FULLWIDTH.sub(lambda m: _HALFWIDTH[m.group()], words)


def _words_dictionary(words: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(words, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


def pack_text(text: str, document: bytes | None = None) -> bytes:
    """A report's prose as report_prose keeps it: with ``document`` (the bytes it was read
    from), packed against the document's words when that is smaller."""
    data = text.encode("utf-8")
    words = _document_words(document) if document and len(document) <= _WORDS_LIMIT else None
    if not words:
        return _PROSE_ZSTD_1 + _packed(data, _PROSE_LEVEL)
    own = PROSE_BY_DOCUMENT_1 + _packed(data, _PROSE_LEVEL, _words_dictionary(words))
    if len(own) < len(data) // 8:  # the template's words alone never pack prose this small
        return own
    return min(own, _PROSE_ZSTD_1 + _packed(data, _PROSE_LEVEL), key=len)


def unpack_text(
    packed: bytes | None, limit: int | None = None, document: bytes | None = None
) -> str | None:
    """The prose pack_text packed (or zlib packed, before it); ValueError past ``limit``
    bytes, when one is given, and for prose packed against a document not given."""
    if packed is None:
        return None
    packed = bytes(packed)
    if packed[:1] == _PROSE_ZSTD_1:
        return _unpacked(packed[1:], limit).decode("utf-8")
    if packed[:1] == PROSE_BY_DOCUMENT_1:
        words = _document_words(document) if document is not None else None
        if words is None:
            raise ValueError("prose packed against its document, read without it")
        # The frame's checksum makes a wrong dictionary an error, not other text.
        try:
            out = _unpacked(packed[1:], limit, _words_dictionary(words))
        except zstandard.ZstdError as exc:
            raise ValueError(f"prose does not unpack against this document ({exc})") from None
        return out.decode("utf-8")
    return _inflated(packed, limit, "text").decode("utf-8")


def pack_document(data: bytes) -> tuple[str, bytes]:
    """(encoding, stored) of a document: packed when that saves a tenth, else raw."""
    packed = _packed(data, _DOCUMENT_LEVEL)
    return (DOCUMENT_ZSTD_1, packed) if len(packed) < 0.9 * len(data) else ("raw", data)


def unpack_document(encoding: str, stored: bytes, limit: int | None = None) -> bytes:
    """A document's bytes as published; ValueError past ``limit`` bytes, when one is
    given."""
    if encoding == DOCUMENT_ZSTD_1:
        return _unpacked(bytes(stored), limit)
    if encoding == "zlib":
        return _inflated(stored, limit, "document")
    return bytes(stored)


def unpack_prose_of(
    packed: bytes | None, encoding: str | None, stored: bytes | None, limit: int | None = None
) -> str | None:
    """Prose packed against its document, given the document as document_bytes keeps it
    (the view report_texts calls this as nianbao_unpack with three arguments)."""
    document = unpack_document(encoding, stored, limit) if encoding and stored is not None else None
    return unpack_text(packed, limit, document)
