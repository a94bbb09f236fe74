"""Lines of a report → a flat stream of typed tokens for the table extractor.

Tables reach us in many shapes: a row per line split by tabs, by ``|`` or by spaces, or one
cell per line. The stream keeps only what survives all of them: text, numbers, explicit
blank marks (``/``, ``—``) and, inside tab or pipe rows, empty cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TEXT, NUM, BLANK, EMPTY, PROSE = "text", "num", "blank", "empty", "prose"

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_BLANK_MARK = re.compile(r"^(?:/+|\\|-+|—+|–+|―+|_+|\*|无|空)$")
# A number directly followed by one of these is prose ("4 件", "2020 年"), not a cell.
_UNIT_START = tuple("年月日号件条个项次人份元万%起家所期")
_FOOTER = re.compile(
    r"^(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[,/]?\s*共\s*\d{1,3}\s*页)?"
    r"|\d{1,3}\s*/\s*\d{1,3}|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE,
)
_RULE_LINE = re.compile(r"^[\s|+:=\-─━┼┬┴├┤┌┐└┘]+$")


@dataclass(slots=True)
class Token:
    kind: str
    text: str
    line: int
    value: int | float | None = None


def is_footer(line: str) -> bool:
    """Page furniture that PDF extraction leaves inside tables (``- 3 -``, ``第3页``)."""
    return bool(_FOOTER.match(line.strip()))


def is_prose(line: str) -> bool:
    """A sentence rather than a table cell: its numbers are never table values."""
    return "。" in line or ";" in line or (len(line) > 90 and "\t" not in line)


def parse_number(word: str) -> int | float:
    plain = word.replace(",", "")
    return float(plain) if "." in plain else int(plain)


def _cell_tokens(cell: str, line: int, out: list[Token]) -> None:
    words = cell.split()
    pending: list[str] = []

    def flush() -> None:
        if pending:
            out.append(Token(TEXT, "".join(pending), line))
            pending.clear()

    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if _NUMBER.match(word) and not nxt.startswith(_UNIT_START):
            flush()
            out.append(Token(NUM, word, line, parse_number(word)))
        elif _BLANK_MARK.match(word):
            flush()
            out.append(Token(BLANK, word, line))
        else:
            pending.append(word)
    flush()


def line_tokens(line: str, number: int, out: list[Token]) -> None:
    """Append the tokens of one normalized line to ``out``."""
    if not line.strip() or is_footer(line) or _RULE_LINE.match(line):
        return
    if is_prose(line):
        out.append(Token(PROSE, line.strip(), number))
        return
    if "\t" in line or "|" in line:
        cells = re.split(r"[\t|]", line)
        if not cells[0].strip():
            cells = cells[1:]  # the indentation before the first separator is not a cell
        for cell in cells:
            if cell.strip():
                _cell_tokens(cell, number, out)
            else:
                out.append(Token(EMPTY, "", number))
    else:
        _cell_tokens(line, number, out)


def tokenize(lines: list[str], start: int = 0, end: int | None = None) -> list[Token]:
    out: list[Token] = []
    for number in range(start, len(lines) if end is None else end):
        line_tokens(lines[number], number, out)
    return out
