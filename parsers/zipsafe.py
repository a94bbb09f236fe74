"""Reading members of a zip container (DOCX, OFD) that came from the internet.

A zip bomb declares or hides a huge expansion, an XML part may declare entities that
expand or reach outside: both are refused with a one-line reason, before any parser sees
them.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable

from lxml import etree

from parsers.errors import DocumentError

MAX_EXPANDED_BYTES = 256 * 1024 * 1024
_CHUNK = 1024 * 1024
# No entity expansion, no DTD, no network: what a document's XML never needs.
XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
)


# A DOCX or OFD holds dozens of parts; reading the directory of a million costs 700 MB.
MAX_ENTRIES = 10_000
_END = struct.Struct("<4s4H2LH")  # the end-of-central-directory record


def declared_entries(data: bytes) -> int | None:
    """How many members a zip holds, read before opening it: the larger of what its end
    record declares and the entries its central directory really has (an end record can
    claim 1 over a directory of a million, and the directory is what gets read). None
    when there is no end record."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or at + _END.size > len(data):
        return None
    fields = _END.unpack_from(data, at)
    declared, size, offset = fields[4], fields[5], fields[6]
    start = offset if offset < at else max(0, at - size)
    # Each central-directory entry begins with this signature: counted in C, no parsing.
    return max(declared, data.count(b"PK\x01\x02", start, at))


def open_zip(data: bytes) -> zipfile.ZipFile:
    entries = declared_entries(data)
    if entries is not None and entries > MAX_ENTRIES:
        raise DocumentError(f"a zip container of {entries} parts: refused")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentError(f"damaged zip container ({exc})") from None


def read_member(z: zipfile.ZipFile, name: str, budget: list[int]) -> bytes:
    """One member's bytes, counting against ``budget[0]`` bytes of expansion left."""
    try:
        info = z.getinfo(name)
    except KeyError:
        raise DocumentError(f"missing part {name}") from None
    if info.file_size > budget[0]:
        raise DocumentError(
            f"zip part {name} expands to {info.file_size / 1048576:.0f} MB: refused (zip bomb?)"
        )
    out = bytearray()
    try:
        with z.open(info) as f:
            while chunk := f.read(_CHUNK):
                out += chunk
                if len(out) > budget[0]:
                    raise DocumentError(
                        f"zip part {name} expands beyond the limit: refused (zip bomb?)"
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
        # ValueError: a local header whose offsets point before the file ("negative seek").
        raise DocumentError(f"damaged zip part {name} ({exc})") from None
    budget[0] -= len(out)
    return bytes(out)


def _declares(content: bytes) -> bool:
    """Whether XML declares a DTD or entities anywhere, in UTF-8 or UTF-16."""
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        return True
    if content[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in content[:64]:
        for codec in ("utf-16-le", "utf-16-be"):
            text = content.decode(codec, "ignore")
            if "<!DOCTYPE" in text or "<!ENTITY" in text:
                return True
    return False


def parse_xml(content: bytes, name: str) -> etree._Element:
    if _declares(content):
        raise DocumentError(f"{name} declares a DTD or entities: refused")
    try:
        return etree.fromstring(content, XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise DocumentError(f"damaged XML in {name} ({exc})") from None


def xml_reader(
    data: bytes, max_bytes: int = MAX_EXPANDED_BYTES
) -> tuple[zipfile.ZipFile, Callable[[str], etree._Element]]:
    """The container and a function that reads one of its XML parts, within the budget."""
    z = open_zip(data)
    budget = [max_bytes]
    return z, lambda name: parse_xml(read_member(z, name, budget), name)


def local(el: etree._Element) -> str:
    """An element's tag without its namespace: OFD producers disagree on namespaces."""
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
