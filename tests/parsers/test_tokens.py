"""Tokens of one line: where the empty cells of tab rows are, whatever path reads them.

The one-cell-per-line layout (the 洪泽区 seed's tables exported by Word) indents each cell
with one tab; a tab after a number, or a second one before it, is an empty cell."""

from __future__ import annotations

import pytest

from parsers.tokens import line_tokens


def kinds(line: str) -> list[tuple[str, object]]:
    out: list = []
    line_tokens(line, 0, out)
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
