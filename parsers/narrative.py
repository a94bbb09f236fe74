"""Numbers stated in the prose, kept to cross-check the tables.

Only phrasings that say one thing are read: an approximate figure (1000余条) or a verb
that may count something else (受理 may differ from 收到) is left alone, because a
number read wrongly here becomes a false alarm later.
"""

from __future__ import annotations

import re

from parsers.textscan import matches_from, pieces_holding

_NUMBERED = re.compile(r"^(?:\(?[一二三四五六七八九十\d]{1,3}[)、.]|第[一二三四五六七八九十]+)")
_ENDS = ("。", ";", ":", "!", "?")
_NOT_APPLICATIONS = ("复议", "诉讼", "信访", "咨询", "投诉")

_UNIT = r"(?:件|条|个|份|次|宗)"


# A pattern and the characters one of which each of its matches begins with: it is tried
# only where they occur (textscan.matches_from).
_Reading = tuple[re.Pattern[str], str]


def _received(verbs: str) -> tuple[_Reading, ...]:
    firsts = "".join(sorted({verb[0] for verb in verbs.split("|")}))
    return (
        (re.compile(r"(?:未|没有)(?:" + verbs + r")[^。;,\n]{0,14}?申请[^。;,\n]{0,6}"), "未没"),
        (
            re.compile(
                r"(?:"
                + verbs
                + r")[^。;,\n]{0,20}?申请[^。;,\n\d]{0,8}?(?<!\d)(\d{1,12})(?!\d)"
                + _UNIT
            ),
            firsts,
        ),
        (
            re.compile(
                r"(?:" + verbs + r")(?<!\d)(\d{1,12})(?!\d)" + _UNIT + r"[^。;,\n]{0,14}?申请"
            ),
            firsts,
        ),
    )


# 收到, 接收 and 接到 count what arrived; 受理 (accepted) may be fewer, so it is kept under
# a name of its own and never held against the table's 本年新收.
_RECEIVED = _received("收到|接收|接到")
_ACCEPTED = _received("受理")

# The headline count (共公布政府信息2599条, 全年主动公开各类政府信息10407条) before any
# sub-item (其中主动公开文件856条).
_PROACTIVE_HEADLINE: _Reading = (
    re.compile(
        r"(?:共|累计|全年)[^。;,\n]{0,12}?(?:公开|公布|发布)[^。;,\n]{0,10}?信息(?:共|合计)?(?<!\d)(\d{1,12})(?!\d)条"
    ),
    "共累全",
)
_PROACTIVE: _Reading = (
    re.compile(r"主动(?:公开|发布)[^。;,\n]{0,15}?(?<!\d)(\d{1,12})(?!\d)条"),
    "主",
)
_PROACTIVE_PARAGRAPH = re.compile(r"(?:公开|发布|更新)[^。;,\n]{0,12}?(?<!\d)(\d{1,12})(?!\d)条")

_TOTAL = re.compile(r"共(?:计|有)?(?<!\d)(\d{1,12})(?!\d)(件|条|次|起|个|人次)")


def _in_sub_item(flat: str, at: int) -> bool:
    """Whether position ``at`` is inside a 其中 clause of its sentence: a part, not the
    total."""
    start = max(flat.rfind(c, 0, at) for c in "。;\n")
    return "其中" in flat[start + 1 : at]


def _applications(flat: str, readings: tuple[_Reading, ...]) -> int | None:
    found: list[tuple[int, int]] = []
    for pattern, firsts in readings:
        for m in matches_from(pattern, firsts, flat):
            span = m.group(0)
            if (
                "公开" in span
                and not any(w in span for w in _NOT_APPLICATIONS)
                and not _in_sub_item(flat, m.start())
            ):
                found.append((m.start(), int(m.group(1)) if m.groups() else 0))
    return min(found)[1] if found else None


def _proactive_items(flat: str, prose_lines: list[str]) -> int | None:
    for pattern, firsts in (_PROACTIVE_HEADLINE, _PROACTIVE):
        for m in matches_from(pattern, firsts, flat):
            if not _in_sub_item(flat, m.start()):
                return int(m.group(1))
    # "(一) 主动公开情况。…信息公开目录信息更新92条。": the paragraph under that heading.
    for line in prose_lines:
        head = line[:12]
        if "主动公开" in head and "依申请" not in head:
            found = _PROACTIVE_PARAGRAPH.search(line)
            if found:
                return int(found.group(1))
    return None


_SENTENCE_ENDS = "。;\n"


def part_sums(flat: str) -> list[dict]:
    """Sentences whose 其中 parts add up to more than their 共 total."""
    out: list[dict] = []
    for sentence in pieces_holding(("其中",), flat, _SENTENCE_ENDS):
        head, _, tail = sentence.partition("其中")
        totals = list(_TOTAL.finditer(head))
        if not totals:
            continue
        total, unit = int(totals[-1].group(1)), totals[-1].group(2)
        parts = [int(p) for p in re.findall(r"(?<!\d)(\d{1,12})(?!\d)" + re.escape(unit), tail)]
        if len(parts) >= 2 and sum(parts) > total:
            out.append({"sentence": sentence, "total": total, "parts": parts, "unit": unit})
    return out


# Where a line break is no paragraph's end: the line before it does not end a sentence and
# the line after it is not numbered. It begins with the newline, which the regex engine
# finds fast; the line's last character is looked at behind it.
_WRAP = re.compile(
    r"\n(?<![" + re.escape("".join(_ENDS)) + r"]\n)(?!" + _NUMBERED.pattern.removeprefix("^") + ")"
)


def paragraphs(lines: list[str]) -> list[str]:
    """Prose lines (compacted: no whitespace) joined back into paragraphs: PDF text wraps
    sentences mid-word, while a numbered line or one after a full stop starts a new
    paragraph."""
    text = "\n".join(filter(None, lines))
    return _WRAP.sub("", text).split("\n") if text else []


# 信息处理费 as the text states it: nothing charged (未收取, 无收取…情况, 0元), or an amount.
_FEE_NONE = re.compile(r"(?:未|没有|无|不存在|未曾|不涉及)(?:收取|收缴|收费|产生)")
_FEE_AMOUNT = re.compile(
    r"信息处理费(?:共计|共|合计|总计|总额|金额)?(?:为|是)?(?<![\d.])(\d{1,9}(?:\.\d{1,4})?)(万)?元"
)
# 未发出收费通知: no fee was asked for, which table 三's 逾期未按收费通知要求缴纳费用 row
# cannot then count.
_NO_FEE_NOTICE = re.compile(
    r"(?:未|没有|无|不存在|未曾)(?:发出|下发|出具|送达|开具|向申请人发出)[^。;,\n]{0,10}?(?:收费|缴费)通知"
)


def fees(flat: str) -> dict[str, float]:
    """What the text says of 信息处理费: ``fees_yuan`` (what it says was charged, 0 for
    nothing) and ``fee_notices`` (0 when it says no fee notice was sent)."""
    out: dict[str, float] = {}
    for sentence in pieces_holding(("信息处理费", "费通知"), flat, _SENTENCE_ENDS):
        if "fee_notices" not in out and _NO_FEE_NOTICE.search(sentence):
            out["fee_notices"] = 0
        if "fees_yuan" in out or "信息处理费" not in sentence:
            continue
        # The clause before the word: 未产生复议,收取信息处理费200元 charged 200.
        clause = sentence[: sentence.index("信息处理费")].rsplit(",", 1)[-1]
        if _FEE_NONE.search(clause):
            out["fees_yuan"] = 0
        elif m := _FEE_AMOUNT.search(sentence):
            amount = float(m.group(1)) * (10000 if m.group(2) else 1)
            out["fees_yuan"] = int(amount) if amount.is_integer() else amount
    return out


def narrative_numbers(lines: list[str]) -> tuple[dict[str, int], list[dict]]:
    """(named numbers, sentences whose parts exceed their total) from the prose lines,
    compacted."""
    prose = paragraphs(lines)
    flat = "\n".join(prose)
    numbers: dict[str, int] = {}
    if (n := _proactive_items(flat, prose)) is not None:
        numbers["proactive_items"] = n
    if (n := _applications(flat, _RECEIVED)) is not None:
        numbers["applications_received"] = n
    if (n := _applications(flat, _ACCEPTED)) is not None:
        numbers["applications_accepted"] = n
    for sentence in pieces_holding(("咨询",), flat, _SENTENCE_ENDS):
        if m := _TOTAL.search(sentence):
            numbers["inquiries"] = int(m.group(1))
            break
    numbers.update(fees(flat))
    return numbers, part_sums(flat)
