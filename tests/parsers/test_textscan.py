"""Words found by their places: the pieces holding them are the pieces a split gives."""

from __future__ import annotations

import random
import re

import pytest

from parsers.textscan import find_all, pieces_holding


@pytest.mark.parametrize(
    ("words", "ends"),
    [(("时间", "日期"), "\n"), (("来源",), "\n"), (("其中",), "。;\n"), (("咨询",), "。;\n")],
)
def test_the_pieces_holding_a_word_are_those_a_split_gives(words: tuple, ends: str) -> None:
    rng = random.Random(f"{words}{ends}")
    pieces = ["发布时间", "时间", "日期", "时", "间", "来源", "其中", "其", "中", "咨询"]
    pieces += ["共3件", "2021年1月8日", "。", ";", "\n", "\n\n", " ", ""]
    held = 0
    for _ in range(1000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        split = re.split(f"[{re.escape(ends)}]", text)
        expected = [p for p in split if any(w in p for w in words)]
        assert pieces_holding(words, text, ends) == expected, text
        held += len(expected)
    assert held > 100


def test_every_place_of_a_word_is_found_overlaps_included() -> None:
    rng = random.Random(24)
    alphabet = "时间日期其中咨询位置ab\n。"
    found = 0
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        word = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3)))
        expected = [i for i in range(len(text)) if text.startswith(word, i)]
        assert list(find_all(word, text)) == expected, (word, text)
        found += len(expected)
    assert list(find_all("间间", "间间间")) == [0, 1]
    assert found > 1000
