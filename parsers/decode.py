"""Bytes → str for text documents, whatever encoding the portal used."""

from __future__ import annotations

import codecs
import re

from parsers.errors import DocumentError

# Share of control characters above which bytes are taken for binary, not text.
_MAX_CONTROL_SHARE = 0.01
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode_text(data: bytes) -> str:
    """Decode a text document: BOMs first, then UTF-8, then GB18030.

    GB2312 and GBK are subsets of GB18030, and portals mislabel them, so GB18030 is the
    only Chinese legacy codec tried. Raises DocumentError for bytes that are not text.
    """
    if data.startswith(codecs.BOM_UTF8) and utf8_after_bom(data):
        text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
    elif data.startswith(codecs.BOM_UTF8):
        # A UTF-8 mark on GB2312 bytes (an editor's mistake): the bytes have the last word.
        return decode_text(data[len(codecs.BOM_UTF8) :])
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        if b"\x00" in data[:65536]:
            raise DocumentError("binary content (NUL bytes): not a text document")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise DocumentError(
                    f"not text in UTF-8 or GB18030 (undecodable byte at offset {exc.start})"
                ) from None
    sample = text[:65536]
    controls = len(_CONTROL.findall(sample))
    if sample and controls / len(sample) > _MAX_CONTROL_SHARE:
        raise DocumentError("binary content (control characters): not a text document")
    return text


def utf8_after_bom(data: bytes) -> bool:
    """Whether the bytes after a UTF-8 byte-order mark are UTF-8: a mark is honoured only
    when it agrees with the bytes."""
    try:
        data[len(codecs.BOM_UTF8) :].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def garbled(text: str) -> int:
    """How many characters of ``text`` (its first 200,000) show it decoded under the wrong
    encoding: replacement characters, Latin-1 letters, private-use code points; 0 unless
    they outnumber its Chinese characters (a report is Chinese) and are at least 50."""
    sample = text[:200_000]
    odd = sum(
        1 for c in sample if c == "\ufffd" or "\x80" <= c <= "\xff" or "\ue000" <= c <= "\uf8ff"
    )
    if odd < 50:
        return 0
    chinese = sum(1 for c in sample if "\u4e00" <= c <= "\u9fff")
    return odd if odd > chinese else 0
