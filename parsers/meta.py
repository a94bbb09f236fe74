"""Title, agency, reporting year, publication date and 发文字号 of a report."""

from __future__ import annotations

import datetime as dt
import re

from parsers.normalize import compact

_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "O": 0, "o": 0}
_YEAR = r"((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})"
_TITLE_YEAR = re.compile(_YEAR + r"年")
_TITLE_WORDS = ("年度报告", "年报", "工作报告")
_PERIOD = re.compile(r"((?:19|20)\d{2})年1月1日(?:起)?(?:至|到|-|—)((?:19|20)\d{2})年12月31日")
_ANY_TITLE = re.compile(r"((?:19|20)\d{2})年度?政府信息公开工作年度报告")
_PUBLISHED = re.compile(r"发布(?:时间|日期)[::]?((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_DATE_LINE = re.compile(
    r"^" + _YEAR + r"年(\d{1,2}|[一二三四五六七八九十]{1,2})月"
    r"(\d{1,2}|[一二三四五六七八九十]{1,3})日$"
)
_ISSUED = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日印发")
_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*第?\s*\d{1,5}\s*号"
)
_LEAD = re.compile(r"^(?:关于|《)+")
_TRAIL = re.compile(r"(?:关于|的|》)+$")


def cn_number(s: str) -> int:
    """Arabic or Chinese numerals (二〇二一, 十二, 二十八) as an int."""
    if s.isdigit():
        return int(s)
    if all(c in _CN_DIGITS for c in s):
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    tens, _, units = s.partition("十")
    if "十" not in s:
        return _CN_DIGITS[s]
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def _is_title(text: str) -> bool:
    return (
        any(w in text for w in _TITLE_WORDS)
        and "信息公开" in text
        and "。" not in text
        and len(text) <= 60
        and not text.startswith(("本年度报告", "本报告"))
    )


def find_title(lines: list[str], look: int = 25) -> str | None:
    """The report's title: the first short line near the top naming an annual report.

    PDFs and portal pages break titles over two lines (南安市省新镇2020年 /
    政府信息公开工作年度报告, or …工作年度 / 报告); a line that lacks the agency is joined
    to the one above, and a title cut short is joined to the short line below.
    """
    texts = [t for t in (compact(line) for line in lines[: look * 4]) if t][:look]
    for i, text in enumerate(texts):
        nxt = texts[i + 1] if i + 1 < len(texts) else ""
        if not _is_title(text):
            if "信息公开" in text and len(nxt) <= 12 and _is_title(text + nxt):
                text += nxt
            else:
                continue
        if i and (text.startswith("政府信息公开") or _TITLE_YEAR.match(text)):
            prev = texts[i - 1]
            if len(prev) <= 30 and not _DOC_NUMBER.search(prev) and ":" not in prev:
                text = prev + text
        return _TRAIL.sub("", _LEAD.sub("", text))
    return None


def title_year_agency(title: str | None) -> tuple[int | None, str | None]:
    if not title:
        return None, None
    m = _TITLE_YEAR.search(title)
    if not m:
        return None, None
    year = cn_number(m.group(1))
    agency = title[: m.start()]
    if not agency:
        rest = re.sub(r"^度", "", title[m.end() :])
        agency = rest.split("政府信息公开")[0] if "政府信息公开" in rest else ""
    agency = _TRAIL.sub("", _LEAD.sub("", agency))
    return year, agency or None


def period_year(flat: str) -> int | None:
    """The year from the statistics period (统计期限自2020年1月1日至2020年12月31日)."""
    m = _PERIOD.search(flat)
    if m and m.group(1) == m.group(2):
        return int(m.group(1))
    m = _ANY_TITLE.search(flat)
    return int(m.group(1)) if m else None


def _date(y: int, m: int, d: int, year: int | None) -> str | None:
    try:
        day = dt.date(y, m, d)
    except ValueError:
        return None
    if year is not None and not year < y <= year + 3:
        return None  # a report cannot be published before its year has ended
    return day.isoformat()


def published_at(lines: list[str], flat: str, year: int | None, signature_from: int) -> str | None:
    """The stated publication date: 发布时间, else the signature date, else the 印发 date."""
    for m in _PUBLISHED.finditer(flat):
        if found := _date(int(m.group(1)), int(m.group(2)), int(m.group(3)), year):
            return found
    for line in reversed(lines[signature_from:]):
        m = _DATE_LINE.match(compact(line))
        if m and (found := _date(*(cn_number(g) for g in m.groups()), year)):
            return found
    for m in _ISSUED.finditer(flat):
        if found := _date(int(m.group(1)), int(m.group(2)), int(m.group(3)), year):
            return found
    return None


def doc_number(raw_lines: list[str], look: int = 15) -> str | None:
    """The 发文字号 as written (南省政〔2021〕9号), from the head of the document."""
    for line in raw_lines[:look]:
        m = _DOC_NUMBER.search(line)
        if m:
            return compact(m.group(0))
    return None
