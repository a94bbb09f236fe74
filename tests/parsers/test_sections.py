"""Headings are found in the joined text; they must be the lines the definition names."""

import random

from parsers.normalize import compact
from parsers.sections import _HEADING, headings

_NUMERALS = "一二三四五六七八九十第"


def _headings_by_definition(lines: list[str]) -> list[tuple[int, str]]:
    """Each line whose first character that is not a space is a numeral, holding no tab
    after its first character nor a |, whose words match a heading and hold no 。."""
    found = []
    for number, line in enumerate(lines):
        words = compact(line)
        if not words or words[0] not in _NUMERALS or "\t" in line.strip() or "|" in line:
            continue
        if (m := _HEADING.match(words)) and "。" not in words:
            found.append((number, m.group(1)))
    return found


def test_headings_are_the_lines_the_definition_names() -> None:
    rng = random.Random(19)
    pieces = ["一、", "二、总体情况", "第三部分", " ", "\t", "\u3000", "\x0b", "\x1c", "|", "。"]
    pieces += ["主动公开政府信息情况", "12", "十一.", "(一)", "第", "政府信息公开", "\u2028"]
    for _ in range(400):
        lines = [
            "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
            for _ in range(rng.randint(0, 30))
        ]
        expected = _headings_by_definition(lines)
        assert headings(lines, [compact(line) for line in lines], "\n".join(lines)) == expected


def test_a_heading_after_indentation_and_a_table_row_numbered_alike() -> None:
    lines = ["  一、总体情况", "一、\t本年新收\t3", "二、主动公开情况。", " 三、收到和处理申请情况"]
    found = headings(lines, [compact(line) for line in lines], "\n".join(lines))
    assert found == [(0, "总体情况"), (3, "收到和处理申请情况")]
