"""A report's own dates: the lines a date is looked for on are every line holding a hint."""

from __future__ import annotations

import random

from parsers.meta import _lines_holding


def test_the_lines_holding_a_hint_are_found_in_the_whole_text() -> None:
    rng = random.Random(19)
    pieces = [
        "发布时间",
        "时间",
        "日期",
        "时",
        "间",
        "来源",
        "2021年1月8日",
        "\n",
        "\n\n",
        " ",
        "报告",
    ]
    hints = ("时间", "日期")
    for _ in range(500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        expected = [line for line in text.split("\n") if any(h in line for h in hints)]
        assert _lines_holding(hints, text) == expected, text
