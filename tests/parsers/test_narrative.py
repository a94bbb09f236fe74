"""Prose numbers: a reading tried only where its first characters occur finds what the
regex alone finds."""

from __future__ import annotations

import random

import pytest

from parsers import narrative
from parsers.textscan import matches_from

READINGS = [
    *narrative._RECEIVED,
    *narrative._ACCEPTED,
    narrative._PROACTIVE_HEADLINE,
    narrative._PROACTIVE,
]
# Sentence parts in the order the readings expect them, each part sometimes left out or
# doubled: texts that match, nearly match and overlap.
PARTS = [
    ["", "未", "没有", "共", "累计", "全年", "主要", "本机关"],
    ["收到", "接收", "接到", "受理", "主动", "公开", ""],
    ["", "公开", "发布", "政府信息", "申请", "2024年", "12件", "7条"],
    ["", "申请", "信息", "共", "合计", "其中"],
    ["", "12", "3", "0", "1234567890123"],
    ["件", "条", "次", "", "个"],
    ["", "申请", "。", ";", ",", "\n", "公开"],
]


def _text(rng: random.Random) -> str:
    return "".join(
        "".join(rng.choice(part) * rng.choice((1, 1, 1, 2)) for part in PARTS)
        for _ in range(rng.randint(0, 6))
    )


@pytest.mark.parametrize("reading", READINGS, ids=lambda r: r[0].pattern[:16])
def test_a_reading_finds_what_its_regex_finds(reading: tuple) -> None:
    pattern, firsts = reading
    rng = random.Random(pattern.pattern)
    found = 0
    for _ in range(1500):
        text = _text(rng)
        expected = [(m.span(), m.groups()) for m in pattern.finditer(text)]
        assert all(text[start] in firsts for (start, _), _ in expected)
        got = [(m.span(), m.groups()) for m in matches_from(pattern, firsts, text)]
        assert got == expected, text
        found += len(expected)
    assert found > 10  # the texts hold matches to find


def _paragraphs_by_definition(lines: list[str]) -> list[str]:
    """A line joins the paragraph before it unless that paragraph's last line ends a
    sentence or the line is numbered; empty lines are skipped."""
    out: list[str] = []
    last = ""
    for text in lines:
        if not text:
            continue
        if out and not last.endswith(narrative._ENDS) and not narrative._NUMBERED.match(text):
            out[-1] += text
        else:
            out.append(text)
        last = text
    return out


def test_paragraphs_join_the_lines_the_definition_joins() -> None:
    rng = random.Random(22)
    pieces = ["本机关", "收到申请", "。", ";", ":", "!", "?", ",", "(一)", "1.", "12、", "第三"]
    pieces += ["二、", "(12)", "一二三四", "公开", ""]
    for _ in range(1500):
        lines = [
            "".join(rng.choice(pieces) for _ in range(rng.randint(0, 4)))
            for _ in range(rng.randint(0, 12))
        ]
        assert narrative.paragraphs(lines) == _paragraphs_by_definition(lines), lines
