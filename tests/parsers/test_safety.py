"""Hostile documents are refused or cut off with a one-line reason, in bounded time and
memory, and never stop a batch."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from parsers import DocumentError, Limits, parse_bytes
from parsers.guard import parse_guarded
from tests.support import invoke

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FORMATS = CORPUS / "formats"
ROOT = CORPUS.parent.parent


def docx_with(document_xml: bytes, level: int = 1) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", document_xml)
    return buf.getvalue()


def test_zip_bomb_is_refused_before_expanding() -> None:
    bomb = docx_with(b"<w:document>" + b" " * (300 * 1024 * 1024) + b"</w:document>")
    assert len(bomb) < 2 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(DocumentError, match="expands to 300 MB: refused"):
        parse_guarded(bomb)
    assert time.monotonic() - started < 5


def test_a_zip_whose_end_record_understates_its_parts_is_refused_unopened() -> None:
    """An end record claiming 1 part over a central directory of 30,000: counted from the
    directory itself, refused before zipfile reads it (in the parent, by sniff, too)."""
    import struct

    from parsers.sniff import ZIP, sniff

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("word/document.xml", "<w:document/>")
        for n in range(30_000):
            z.writestr(f"p/{n}", "")
    data = bytearray(buf.getvalue())
    at = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, at + 8, 1, 1)  # entries on this disk, entries in all
    data = bytes(data)
    started = time.monotonic()
    assert sniff(data) == ZIP
    with pytest.raises(DocumentError, match="a zip container of 30001 parts: refused"):
        parse_bytes(data)
    assert time.monotonic() - started < 2


def test_memory_limit_stops_a_document_that_needs_too_much() -> None:
    big = docx_with(b"<w:document>" + b" " * (200 * 1024 * 1024) + b"</w:document>")
    with pytest.raises(DocumentError, match="more than 64 MB of memory"):
        parse_guarded(big, limits=Limits(memory_mb=64))


def test_xml_entities_are_refused() -> None:
    xxe = docx_with(
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="w"><w:body><w:p><w:t>&x;</w:t></w:p></w:body>'
        b"</w:document>"
    )
    with pytest.raises(DocumentError, match="declares a DTD or entities: refused"):
        parse_guarded(xxe)


def test_pdf_with_5000_pages_is_refused() -> None:
    doc = pdfium.PdfDocument.new()
    for _ in range(5000):
        doc.new_page(100, 100)
    out = io.BytesIO()
    doc.save(out)
    started = time.monotonic()
    with pytest.raises(DocumentError, match="PDF has 5000 pages: refused"):
        parse_guarded(out.getvalue())
    assert time.monotonic() - started < 10


def test_time_limit_stops_a_slow_document() -> None:
    source = pdfium.PdfDocument((FORMATS / "merged-cells-2021.pdf").read_bytes())
    heavy = pdfium.PdfDocument.new()
    for _ in range(300):  # 900 pages: seconds of work, far past the limit on any core
        heavy.import_pages(source)
    out = io.BytesIO()
    heavy.save(out)
    started = time.monotonic()
    with pytest.raises(DocumentError, match=r"took longer than 0\.5 s: stopped"):
        parse_guarded(out.getvalue(), limits=Limits(seconds=0.5, max_pages=10000))
    assert time.monotonic() - started < 3


def _my_children() -> set[int]:
    me = os.getpid()
    return {int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(p) == me}


def test_documents_are_read_one_after_another_by_one_parser_child() -> None:
    """No process start-up per document: the child that read one reads the next."""
    data = (FORMATS / "merged-cells-2021.pdf").read_bytes()
    before = _my_children()
    parse_guarded(data)
    first = _my_children() - before
    assert len(first) == 1
    for _ in range(3):
        assert parse_guarded(data)["cells"]
    assert _my_children() - before == first


def test_a_document_stopped_for_time_or_memory_costs_its_child_not_the_next_document() -> None:
    """The child that ran out of time is killed, the one that hit its memory cap leaves;
    the next document is read whole by a fresh child."""
    good = (FORMATS / "merged-cells-2021.pdf").read_bytes()
    expected = parse_guarded(good)
    source = pdfium.PdfDocument(good)
    heavy = pdfium.PdfDocument.new()
    for _ in range(300):
        heavy.import_pages(source)
    out = io.BytesIO()
    heavy.save(out)
    limits = Limits(seconds=0.5, max_pages=10000)
    before = _my_children()
    with pytest.raises(DocumentError, match="took longer than"):
        parse_guarded(out.getvalue(), limits=limits)
    assert parse_guarded(good, limits=limits) == expected
    big = docx_with(b"<w:document>" + b" " * (200 * 1024 * 1024) + b"</w:document>")
    small = Limits(memory_mb=64)
    with pytest.raises(DocumentError, match="more than 64 MB of memory"):
        parse_guarded(big, limits=small)
    assert parse_guarded(good, limits=small) == expected
    time.sleep(0.2)
    assert len(_my_children() - before) <= 1  # the stopped children are gone


@pytest.mark.parametrize("ext", ["pdf", "docx", "doc", "ofd", "html"])
def test_truncated_documents_give_an_error_or_a_record(ext: str) -> None:
    data = (FORMATS / f"merged-cells-2021.{ext}").read_bytes()
    for cut in (0.2, 0.6, 0.95):
        try:
            record = parse_guarded(data[: int(len(data) * cut)])
        except DocumentError as exc:
            assert "\n" not in str(exc) and str(exc)
        else:
            assert record["template"] in ("2019", "2021", "legacy", "unknown")


def test_a_zip_that_is_no_document() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(DocumentError, match="neither DOCX nor OFD"):
        parse_bytes(buf.getvalue())


def test_a_200_mb_download_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "download.pdf"
    with big.open("wb") as f:
        f.write(b"%PDF-1.7\n")
        f.truncate(200 * 1024 * 1024)
    done = invoke("parse", "--json", str(big))
    assert done.exit_code == 1
    assert "too large: 200.0 MB" in done.stdout  # from its size, before a byte is read


def test_bad_documents_never_stop_the_batch(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(docx_with(b" " * (300 * 1024 * 1024)))
    cut = tmp_path / "cut.pdf"
    cut.write_bytes((FORMATS / "merged-cells-2019.pdf").read_bytes()[:500])
    good = FORMATS / "merged-cells-2019.docx"
    done = invoke("parse", "--json", str(bomb), str(cut), str(good))
    assert done.exit_code == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    assert '"error"' in lines[0] and '"error"' in lines[1]
    assert '"agency": "某县人民政府"' in lines[2]


@pytest.mark.slow
def test_a_parser_child_dies_with_its_parent(tmp_path: Path) -> None:
    """A parent killed while its child parses a long PDF leaves no parser behind."""
    source = pdfium.PdfDocument((FORMATS / "merged-cells-2021.pdf").read_bytes())
    heavy = pdfium.PdfDocument.new()
    for _ in range(1000):  # 3,000 pages: still parsing when its parent is killed
        heavy.import_pages(source)
    heavy.save(str(tmp_path / "long.pdf"))
    script = (
        "from pathlib import Path\n"
        "from parsers import Limits\n"
        "from parsers.guard import parse_guarded\n"
        f"parse_guarded(Path({str(tmp_path / 'long.pdf')!r}).read_bytes(), "
        "limits=Limits(seconds=600, max_pages=10000))\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    children: list[int] = []
    deadline = time.monotonic() + 20
    while not children and time.monotonic() < deadline:
        time.sleep(0.1)
        children = [
            int(p.name)
            for p in Path("/proc").iterdir()
            if p.name.isdigit() and _ppid(p) == parent.pid
        ]
    assert children, "the parser child never started"
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{c}").exists() and _ppid(Path(f"/proc/{c}")) != 0 for c in children):
        assert time.monotonic() < deadline, "the parser outlived its parent"
        time.sleep(0.1)


def _ppid(proc: Path) -> int:
    try:
        stat = (proc / "stat").read_text()
    except OSError:
        return 0
    fields = stat.rsplit(")", 1)[1].split()
    return 0 if fields[0] == "Z" else int(fields[1])
