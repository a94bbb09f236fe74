"""Whether two fetches are one report: the normal form of a report's text that decides it,
the text the full-text index keeps, and the hashes that identify both.

A report whose normalized text is unchanged is not a new version however its bytes
changed: page footers and furniture (visit counters, timestamps, print and close links)
are dropped and whitespace is ignored, so the same report as HTML and as PDF is one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from parsers.tokens import is_footer, is_table_row

# Lines that change on every visit and say nothing about the report.
_FURNITURE_WORDS = (
    "浏览次数",
    "浏览量",
    "点击数",
    "点击量",
    "访问量",
    "访问次数",
    "阅读数",
    "阅读量",
    "发布时间",
    "发布日期",
    "打印本页",
    "关闭窗口",
    "【打印】",
    "【关闭】",
    "分享到",
    "当前位置",
    "字号",
)
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}\s+\d{2}:\d{2}")
# Page furniture sits above or below a page's body; only so many lines at each end are
# looked at, which keeps this linear and cheap on long reports.
_EDGE_LINES = 15


def _is_furniture(line: str) -> bool:
    return any(w in line for w in _FURNITURE_WORDS) or _TIMESTAMP.search(line) is not None


def normalized_text(text: str) -> str:
    """The parser's text (simplified script, NFKC) without page footers and furniture."""
    lines = [line for line in text.split("\n") if not (len(line) < 24 and is_footer(line))]
    if len(lines) > 2 * _EDGE_LINES:
        head, body, tail = (
            lines[:_EDGE_LINES],
            lines[_EDGE_LINES:-_EDGE_LINES],
            lines[-_EDGE_LINES:],
        )
    else:
        head, body, tail = lines, [], []
    if _is_furniture("\n".join(head)):  # one scan per end; lines only when needed
        head = [line for line in head if not _is_furniture(line)]
    if tail and _is_furniture("\n".join(tail)):
        tail = [line for line in tail if not _is_furniture(line)]
    return "\n".join(line for line in (*head, *body, *tail) if line.strip())


def searchable_text(normalized: str) -> str:
    """The prose of a report for the full-text index, each line without spaces (Chinese
    needs none; "2023 年" is found as 2023年). A table row (three or more separate numbers)
    is left out: its label is the same in every report and its numbers are cells."""
    return "\n".join(
        "".join(line.split()) for line in normalized.split("\n") if not is_table_row(line)
    )


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def record_hash(record: dict[str, Any]) -> str:
    # Records are built in a fixed order, and repr is the cheapest stable serialization.
    return sha256(repr(record))


@dataclass(frozen=True)
class Identity:
    """What makes a version (``text_hash``), what is indexed, and the record's hash."""

    text_hash: str
    searchable: str
    record_hash: str


def identity(record: dict[str, Any], text: str) -> Identity:
    normalized = normalized_text(text)
    # Line breaks differ by format: the same report as HTML and as PDF is one version.
    return Identity(
        sha256("".join(normalized.split())), searchable_text(normalized), record_hash(record)
    )
