"""Tokens of one line: where the empty cells of tab rows are, whatever path reads them.

The one-cell-per-line layout (the 洪泽区 seed's tables exported by Word) indents each cell
with one tab; a tab after a number, or a second one before it, is an empty cell."""

from __future__ import annotations

import random
import re

import pytest

from parsers.tokens import is_table_row, line_tokens


def kinds(line: str) -> list[tuple[str, object]]:
    out: list = []
    line_tokens(line, out)
    return [(t.kind, t.value if t.kind == "num" else t.text) for t in out]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("12", [("num", 12)]),
        ("\t12", [("num", 12)]),
        (" \t12 ", [("num", 12)]),
        ("12\t", [("num", 12), ("empty", "")]),
        ("\t\t12", [("empty", ""), ("num", 12)]),
        ("\t12\t", [("num", 12), ("empty", "")]),
        ("\t本年新收政府信息公开申请数量", [("text", "本年新收政府信息公开申请数量")]),
        ("\t2020 年", [("text", "2020年")]),
    ],
)
def test_indented_cells_read_as_the_tab_split_reads_them(line: str, expected: list) -> None:
    assert kinds(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "(一)新收 3 1 0 1200 007",
            [("text", "(一)新收"), ("num", 3), ("num", 1), ("num", 0), ("num", 1200), ("num", 7)],
        ),
        ("共 4 件 其中 2 项", [("text", "共4件其中2项")]),
        (
            "收费 12.5 251000元 / 无",
            [("text", "收费"), ("num", 12.5), ("num", 251000), ("blank", "/"), ("blank", "无")],
        ),
        ("编号 1234567890123456 5", [("text", "编号1234567890123456"), ("num", 5)]),
        ("1,234 -3 +2 0", [("num", 1234), ("num", -3), ("num", 2), ("num", 0)]),
    ],
)
def test_words_of_a_space_separated_line(line: str, expected: list) -> None:
    """Numbers among words are cells unless a unit follows them; a word too long for a
    count, or a label's words, join the text around them."""
    assert kinds(line) == expected


def _table_row_by_definition(line: str) -> bool:
    """Three numbers, each between the line's start or end and whitespace or |, in a line
    holding two spaces, tabs or | at least."""
    if sum(map(line.count, " \t|")) < 2:
        return False
    fields = re.split(r"[\s|]", line)
    return sum(bool(re.fullmatch(r"[+-]?\d[\d,.]*", f)) for f in fields) >= 3


def test_a_table_row_holds_three_separate_numbers() -> None:
    rng = random.Random(23)
    pieces = ["1", "23", " ", "  ", "|", "\t", "-", "+", ",", ".", "a", "中", "\u3000", "\x0b"]
    pieces += ["\x85", "1,234", "3.5", "年"]
    rows = 0
    for _ in range(20000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        expected = _table_row_by_definition(line)
        assert is_table_row(line) == expected, repr(line)
        rows += expected
    assert rows > 100
