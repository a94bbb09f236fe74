"""How the archive packs what it keeps: documents as published and each report's prose.

Both are zstd frames made with a dictionary of the national template's own words
(``text-1.zdict``, written by scripts/make_text_dictionary.py): every report repeats its
headings and labels, so no packed text carries them again (a quarter off a real report's
prose against zlib). Rows packed before keep their zlib and unpack as they are. A
dictionary is frozen once rows name it: a new one comes under the next number.
"""

from __future__ import annotations

import zlib
from functools import cache
from pathlib import Path

import zstandard

# The prose's first byte says how it is packed: zlib's streams begin with 0x78.
_PROSE_ZSTD_1 = b"\x01"
DOCUMENT_ZSTD_1 = "zstd-1"  # document_bytes.encoding of a document packed with dictionary 1
# Prose is small and read often: packed hard (about a millisecond for a report). Documents
# are larger and most are PDFs that no packing shrinks: packed fast.
_PROSE_LEVEL, _DOCUMENT_LEVEL = 19, 9


@cache
def _dictionary(number: int) -> zstandard.ZstdCompressionDict:
    data = (Path(__file__).with_name(f"text-{number}.zdict")).read_bytes()
    return zstandard.ZstdCompressionDict(data, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


def _packed(data: bytes, level: int) -> bytes:
    return zstandard.ZstdCompressor(level=level, dict_data=_dictionary(1)).compress(data)


def _unpacked(frame: bytes, limit: int | None) -> bytes:
    size = zstandard.frame_content_size(frame)
    if limit is not None and (size < 0 or size > limit):
        raise ValueError(f"packed text of more than {limit} bytes")
    return zstandard.ZstdDecompressor(dict_data=_dictionary(1)).decompress(frame)


def pack_text(text: str) -> bytes:
    """A report's prose as report_prose keeps it."""
    return _PROSE_ZSTD_1 + _packed(text.encode("utf-8"), _PROSE_LEVEL)


def unpack_text(packed: bytes | None, limit: int | None = None) -> str | None:
    """The prose pack_text packed (or zlib packed, before it); ValueError past ``limit``
    bytes, when one is given."""
    if packed is None:
        return None
    packed = bytes(packed)
    if packed[:1] == _PROSE_ZSTD_1:
        return _unpacked(packed[1:], limit).decode("utf-8")
    inflate = zlib.decompressobj()
    raw = inflate.decompress(packed, limit or 0)
    if inflate.unconsumed_tail:
        raise ValueError(f"packed text of more than {limit} bytes")
    return raw.decode("utf-8")


def pack_document(data: bytes) -> tuple[str, bytes]:
    """(encoding, stored) of a document: packed when that saves a tenth, else raw."""
    packed = _packed(data, _DOCUMENT_LEVEL)
    return (DOCUMENT_ZSTD_1, packed) if len(packed) < 0.9 * len(data) else ("raw", data)


def unpack_document(encoding: str, stored: bytes) -> bytes:
    if encoding == DOCUMENT_ZSTD_1:
        return _unpacked(bytes(stored), None)
    return zlib.decompress(stored) if encoding == "zlib" else bytes(stored)
