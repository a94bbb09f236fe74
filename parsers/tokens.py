"""Lines of a report → a flat stream of typed tokens for the table extractor.

Tables reach us in many shapes: a row per line split by tabs, by ``|`` or by spaces, or one
cell per line. The stream keeps only what survives all of them: text, numbers, explicit
blank marks (``/``, ``—``) and, inside tab or pipe rows, empty cells.
"""

from __future__ import annotations

import re

TEXT, NUM, BLANK, EMPTY, PROSE = "text", "num", "blank", "empty", "prose"
# A cell a reader could not read with certainty (parsers.ocr writes this mark in its place):
# a place in the row, holding no value.
UNREAD = "unread"
UNREAD_MARK = "\ufffd"

# At most 15 digits: no table cell counts further, and Python refuses int() of 4,300.
_MAX_DIGITS = 15
_AMOUNT = rf"[+-]?(?:\d{{1,3}}(?:,\d{{3}}){{1,4}}|\d{{1,{_MAX_DIGITS}}})(?:\.\d{{1,6}})?"
_NUMBER = re.compile(rf"^{_AMOUNT}$")
_BLANK_MARK = re.compile(r"^(?:/+|\\|-+|—+|–+|―+|_+|\*|无|空)$")
# A number directly followed by one of these is prose ("4 件", "2020 年"), not a cell.
_UNIT_START = frozenset("年月日号件条个项次人份元万%起家所期")
_FOOTER = re.compile(
    r"^(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[,/]?\s*共\s*\d{1,3}\s*页)?"
    r"|\d{1,3}\s*/\s*\d{1,3}|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE,
)
# How a footer can begin, besides a digit (its \d is str.isdecimal): other lines skip
# its regex.
_FOOTER_START = frozenset("-—–第pP")
_CELL_SEPARATOR = re.compile(r"[\t|]")
_RULE_START = frozenset("|+:=-─━┼┬┴├┤┌┐└┘")
_RULE_LINE = re.compile(r"^[\s|+:=\-─━┼┬┴├┤┌┐└┘]+$")


_NUMBER_IN_YUAN = re.compile(rf"^({_AMOUNT})(万?元)$")
_UNITS = ("元", "万元")
# How a number (_NUMBER, _NUMBER_IN_YUAN) or a blank mark (_BLANK_MARK) can begin.
_NOT_TEXT_START = frozenset("+-/\\—–―_*无空")


class Token:
    """A place in the stream. A plain class: tokens are made by the hundred per report, and
    a hand-written ``__init__`` makes them faster than a dataclass's. Tokens are never
    changed, so equal ones may be one object (see _NUM_TOKENS)."""

    __slots__ = ("kind", "text", "unit", "value")

    def __init__(
        self,
        kind: str,
        text: str,
        value: int | float | None = None,
        unit: str | None = None,  # a money amount's unit as printed in its cell (元, 万元)
    ) -> None:
        self.kind = kind
        self.text = text
        self.value = value
        self.unit = unit

    def __repr__(self) -> str:
        return f"Token({self.kind!r}, {self.text!r}, {self.value!r}, {self.unit!r})"


class _NumTokens(dict):
    """The token of a cell's digits (what _NUMBER reads, without the regex; longer runs of
    digits are text). Most cells hold a number below 1000: one token each, made once, so
    a cell costs a lookup, not a new object."""

    def __missing__(self, digits: str) -> Token:
        if len(digits) > _MAX_DIGITS:
            return Token(TEXT, digits)
        return Token(NUM, digits, int(digits))


_NUM_TOKENS = _NumTokens((str(i), Token(NUM, str(i), i)) for i in range(1000))
_EMPTY = Token(EMPTY, "")
_UNREAD = Token(UNREAD, UNREAD_MARK)


def is_footer(line: str) -> bool:
    """Page furniture that PDF extraction leaves inside tables (``- 3 -``, ``第3页``)."""
    return bool(_FOOTER.match(line.strip()))


def is_prose(line: str) -> bool:
    """A sentence rather than a table cell: its numbers are never table values."""
    return "。" in line or ";" in line or (len(line) > 90 and "\t" not in line)


# A number standing alone between spaces, tabs or | (a cell), not inside a word, with the
# separator before it: a match begins with one, so the engine skips from separator to
# separator (an alternative ^ would be tried at every character). The line's start is a
# space put before it.
_SEPARATE_NUMBER = re.compile(r"[\s|][+-]?\d[\d,.]*(?=[\s|]|$)")


def is_table_row(line: str) -> bool:
    """Three or more separate numbers: a table row, whatever separates its cells."""
    if line.count(" ") + line.count("\t") + line.count("|") < 2:  # too few for three numbers
        return False
    text, at = " " + line, 0
    for _ in range(3):  # the third is enough: no need to find them all
        if (m := _SEPARATE_NUMBER.search(text, at)) is None:
            return False
        at = m.end()
    return True


def parse_number(word: str) -> int | float:
    plain = word.replace(",", "")
    return float(plain) if "." in plain else int(plain)


def _word_token(word: str) -> Token:
    if word.isdecimal():  # most cells
        return _NUM_TOKENS[word]
    if word == UNREAD_MARK:
        return _UNREAD
    if not (first := word[0]).isdecimal() and first not in _NOT_TEXT_START:  # a label: no regex
        return Token(TEXT, word)
    if _NUMBER.match(word):
        return Token(NUM, word, parse_number(word))
    if word[-1] == "元" and (m := _NUMBER_IN_YUAN.match(word)):
        return Token(NUM, word, parse_number(m.group(1)), m.group(2))
    if _BLANK_MARK.match(word):
        return Token(BLANK, word)
    return Token(TEXT, word)


def _cell_tokens(cell: str, out: list[Token]) -> None:
    words = cell.split()
    if len(words) == 1:  # most cells: one number or one label
        out.append(_word_token(words[0]))
        return
    if len(words) == 2 and words[1] in _UNITS and _NUMBER.match(words[0]):  # 251000 元
        out.append(_word_token("".join(words)))
        return
    pending: list[str] = []
    last = len(words) - 1
    for i, word in enumerate(words):
        first = word[0]
        if not first.isdecimal() and first not in _NOT_TEXT_START and word != UNREAD_MARK:
            pending.append(word)  # a word of a label, as _word_token would find
            continue
        token = _word_token(word)
        if token.kind == TEXT or (
            token.kind == NUM and i < last and words[i + 1][0] in _UNIT_START
        ):
            pending.append(word)
            continue
        if pending:
            out.append(Token(TEXT, "".join(pending)))
            pending = []
        out.append(token)
    if pending:
        out.append(Token(TEXT, "".join(pending)))


def _is_label(cell: str) -> bool:
    """A cell that names a row: words, not a number or a blank mark."""
    word = cell.strip()
    return bool(word) and not _NUMBER.match(word) and not _BLANK_MARK.match(word)


def line_tokens(line: str, out: list[Token]) -> None:
    """Append the tokens of one normalized line to ``out``."""
    stripped = line.strip()
    if not stripped:
        return
    first = stripped[0]
    if first.isdecimal():
        if stripped.isdecimal() and len(stripped) <= _MAX_DIGITS:
            # A cell on its own line, or the one cell after an indenting tab: as the split
            # below reads it (a tab after the number would add an empty cell).
            tab = line.find("\t")
            if tab < 0 or (line.find("\t", tab + 1) < 0 and not line[:tab].strip()):
                out.append(_NUM_TOKENS[stripped])
                return
        if len(stripped) < 24 and _FOOTER.match(stripped):
            return
    elif first in _FOOTER_START and len(stripped) < 24 and _FOOTER.match(stripped):
        return
    if first in _RULE_START and _RULE_LINE.match(stripped):
        return
    if is_prose(line):
        out.append(Token(PROSE, stripped))
        return
    if "|" in line:
        cells = _CELL_SEPARATOR.split(line)
    elif "\t" in line:
        cells = line.split("\t")
    else:
        _cell_tokens(line, out)
        return
    if not cells[0].strip():
        cells = cells[1:]  # the indentation before the first separator is not a cell
        # Nor are the empty cells before a label (| | （二）部分公开 | 2 |…): the label
        # columns of a group the rows above named; taken as cells, they would be read as
        # the previous row's last values.
        while len(cells) > 1 and not cells[0].strip() and _is_label(cells[1]):
            cells = cells[1:]
    if cells and not cells[-1].strip() and stripped.endswith("|"):
        cells = cells[:-1]  # nor is what follows a closing | (| 258 | 12 | |)
    append = out.append
    for cell in cells:
        if (word := cell.strip()).isdecimal():
            append(_NUM_TOKENS[word])  # most cells: what _word_token reads
        elif word:
            _cell_tokens(word, out)
        else:
            append(_EMPTY)


def tokenize(
    lines: list[str], start: int = 0, end: int | None = None
) -> tuple[list[Token], list[int]]:
    """The tokens of lines ``start`` to ``end``, and where each line's tokens begin: the
    index of the first token of line ``start + k`` is ``firsts[k]``; one more entry, past
    the last line, is the number of tokens."""
    out: list[Token] = []
    firsts = []
    for number in range(start, len(lines) if end is None else end):
        firsts.append(len(out))
        if line := lines[number]:
            line_tokens(line, out)
    firsts.append(len(out))
    return out, firsts
