"""Hostile documents, generated (never stored): each small, each built to cost a parser
memory or time out of all proportion to its size."""

from __future__ import annotations

import io
import struct
import zipfile


def span_bomb(cells: int = 20) -> bytes:
    """Table cells spanning a thousand rows and columns each (450 bytes for 20 cells)."""
    tds = '<td rowspan="1000" colspan="1000">1</td>' * cells
    return f"<html><body><table><tr>{tds}</tr><tr>{tds}</tr></table></body></html>".encode()


def span_bomb_8k() -> bytes:
    rows = "".join(
        "<tr>" + '<td rowspan="1000" colspan="1000">1</td>' * 8 + "</tr>" for _ in range(24)
    )
    return f"<html><body><table>{rows}</table></body></html>".encode()


def short_lines_prose(megabytes: int = 10) -> bytes:
    """Prose of many short lines without a full stop: paragraphs that never end."""
    head = "某局2023年政府信息公开工作年度报告\n一、总体情况\n"
    line = "主动公开政府信息情况说明文字\n"
    return (head + line * (megabytes * 1024 * 1024 // len(line.encode()))).encode()


def huge_number() -> bytes:
    """A table cell of 5,000 digits (Python refuses int() of more than 4,300)."""
    return (
        "<html><body><p>二、主动公开政府信息情况</p><table><tr><td>行政许可</td>"
        f"<td>{'9' * 5000}</td></tr></table></body></html>"
    ).encode()


def many_entries_zip(entries: int = 200_000) -> bytes:
    """A zip whose central directory lists a great many (empty) members."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("word/document.xml", b"<w:document/>")
        for n in range(entries):
            z.writestr(f"x/{n}", b"")
    return buf.getvalue()


def late_dtd_docx() -> bytes:
    """A DOCX whose document part declares an entity after 4 KB of padding."""
    pad = "<!--" + "x" * 5000 + "-->"
    xml = (
        f'<?xml version="1.0"?>{pad}<!DOCTYPE w [<!ENTITY e "boom">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", xml)
    return buf.getvalue()


def utf16_dtd_docx() -> bytes:
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY e "boom">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", xml.encode("utf-16"))
    return buf.getvalue()


def deep_nesting(depth: int = 200_000) -> bytes:
    """Elements nested deeper than any recursion limit."""
    return ("<html><body>" + "<div>" * depth + "x" + "</div>" * depth + "</body></html>").encode()


__all__ = ["struct"]


def short_lines_prose_2mb() -> bytes:
    return short_lines_prose(2)


def short_lines_prose_20mb() -> bytes:
    return short_lines_prose(19)


def spans_page_19mb() -> bytes:
    """An HTML page of 19 MB of rows of spanning cells, each clipped, together huge."""
    row = '<tr><td rowspan="9" colspan="100">1</td><td colspan="60">2</td></tr>'
    return (
        f"<html><body><table>{row * (19 * 1024 * 1024 // len(row))}</table></body></html>".encode()
    )


def numbers_text_15mb() -> bytes:
    """15 MB of numbers as plain text: every one a token."""
    line = " ".join(str(n % 997) for n in range(40)) + "\n"
    return (line * (15 * 1024 * 1024 // len(line))).encode()
