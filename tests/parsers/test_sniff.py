"""Formats are told by content: portals serve PDFs as .doc and HTML as .pdf."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import sniff
from tests.support import invoke

FORMATS = Path(__file__).resolve().parent.parent / "corpus" / "formats"


@pytest.mark.parametrize(
    ("ext", "fmt"),
    [
        ("pdf", sniff.PDF),
        ("docx", sniff.DOCX),
        ("doc", sniff.DOC),
        ("ofd", sniff.OFD),
        ("html", sniff.HTML),
    ],
)
def test_corpus_formats(ext: str, fmt: str) -> None:
    assert sniff.sniff((FORMATS / f"merged-cells-2021.{ext}").read_bytes()) == fmt


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"\r\n\r\n%PDF-1.4 after a stray preamble", sniff.PDF),
        (b"\xef\xbb\xbf  <!DOCTYPE html><html>", sniff.HTML),
        (b"<!-- saved from url -->\n<HTML><HEAD>", sniff.HTML),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">', sniff.HTML),
        (b"<table><tr><td>1</td></tr></table>", sniff.HTML),
        ("某镇2020年政府信息公开工作年度报告".encode(), sniff.TEXT),
        (b"\x89PNG\r\n\x1a\n....", sniff.IMAGE),
        (b"\xff\xd8\xff\xe0....", sniff.IMAGE),
        (b"PK\x03\x04 not really a zip", sniff.ZIP),
        (b"", sniff.TEXT),
    ],
)
def test_magic(data: bytes, fmt: str) -> None:
    assert sniff.sniff(data) == fmt


def test_misnamed_files_give_the_right_records(tmp_path: Path) -> None:
    pdf_as_doc = tmp_path / "report.doc"
    pdf_as_doc.write_bytes((FORMATS / "merged-cells-2021.pdf").read_bytes())
    html_as_pdf = tmp_path / "report.pdf"
    html_as_pdf.write_bytes((FORMATS / "merged-cells-2021.html").read_bytes())
    done = invoke("parse", "--json", str(pdf_as_doc), str(html_as_pdf))
    assert done.exit_code == 0
    records = [json.loads(line) for line in done.stdout.splitlines()]
    expected = json.loads((FORMATS / "merged-cells-2021.expected.json").read_text("utf-8"))
    for record in records:
        record.pop("file")
        assert record == expected
