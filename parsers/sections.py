"""The six template sections: which headings a report has, and on which lines."""

from __future__ import annotations

import re

from report.template import SECTIONS

_HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十]{1,3}部分|[一二三四五六七八九十]{1,3}[、.,]+)(.{2,40})$"
)


def _section_of(title: str) -> str | None:
    if "总体情况" in title:
        return SECTIONS[0]
    if "主动公开" in title:
        return SECTIONS[1]
    if "复议" in title or "诉讼" in title:
        return SECTIONS[3]
    if "申请" in title and any(w in title for w in ("收到", "处理", "办理", "依申请")):
        return SECTIONS[2]
    if "问题" in title and ("改进" in title or "存在" in title):
        return SECTIONS[4]
    if "其他需要" in title or "其他事项" in title:
        return SECTIONS[5]
    return None


_NUMERALS = "一二三四五六七八九十第"
# A line after the first whose first character that is not a space is a numeral (or 第):
# the lines that may be headings, found in the joined text without visiting every line.
# It begins with the newline, which the regex engine finds fast; ^ in multiline mode is
# tried at every position.
_NUMBERED_LINE = re.compile(r"\n[^\S\n]*[" + _NUMERALS + "]")


def headings(lines: list[str], compacted: list[str], text: str) -> list[tuple[int, str]]:
    """(line number, words) of each heading: a short line numbered 一、 二、 … or 第一部分.
    Table rows numbered the same way are no headings when they hold a tab or a |.
    ``compacted``: the lines without whitespace; ``text``: the lines joined by newlines."""
    numbered = [0] if compacted and compacted[0] and compacted[0][0] in _NUMERALS else []
    number, counted = 0, 0  # the line number of position ``counted``
    for m in _NUMBERED_LINE.finditer(text):
        number += text.count("\n", counted, m.start() + 1)
        counted = m.start() + 1
        numbered.append(number)
    found = []
    for number in numbered:
        line, words = lines[number], compacted[number]
        if "\t" in line.strip() or "|" in line:
            continue
        heading = _HEADING.match(words)
        if heading and "。" not in words:
            found.append((number, heading.group(1)))
    return found


def find_sections(heads: list[tuple[int, str]]) -> dict[str, int]:
    """Section key → line number of its heading, first occurrence of each, in text order.

    ``heads``: the document's ``headings``. Their words decide which section each is, since
    reports reword and renumber them (五、政府信息公开工作存在的主要问题及改进情况, 七、、…).
    Table rows numbered the same way (一、本年新收…) name no section.
    """
    found: dict[str, int] = {}
    for number, words in heads:
        key = _section_of(words)
        if key is not None and key not in found:
            found[key] = number
    return dict(sorted(found.items(), key=lambda kv: kv[1]))


# Headings of the free-form reports written before the 2019 template.
_LEGACY = re.compile(
    r"概述|依申请公开(?:政府)?信息(?:的)?(?:办理)?情况|收费(?:及|和)减免|收支情况|咨询处理|"
    r"因政府信息公开申请(?:提起)?行政复议"
)


def legacy_headings(heads: list[tuple[int, str]]) -> list[str]:
    """The pre-2019 headings among a document's ``headings`` (一、概述,
    三、依申请公开政府信息办理情况, …)."""
    return [legacy.group(0) for _, words in heads if (legacy := _LEGACY.search(words))]


def section_body(compacted: list[str], sections: dict[str, int], key: str) -> str | None:
    """What a section says under its heading, up to the next section's heading (lines
    without whitespace, joined); None when the section is not found."""
    start = sections.get(key)
    if start is None:
        return None
    end = min((n for n in sections.values() if n > start), default=len(compacted))
    return "".join(compacted[start + 1 : end])


def section_of_text(text: str, key: str) -> str | None:
    """section_body of a text given whole (a report's stored prose)."""
    lines = text.split("\n")
    compacted = ["".join(line.split()) for line in lines]
    return section_body(compacted, find_sections(headings(lines, compacted, text)), key)
