"""Dates as portals and reports write them → ISO dates. The one home of date reading."""

from __future__ import annotations

import datetime as dt
import re

_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "O": 0, "o": 0}
_CN = "〇零一二三四五六七八九十"
# 2025-03-10, 2025/3/10, 2025.03.10, 2025年3月10日, 二〇二一年一月八日; 年 or 月 lost in
# extraction (20231月1日) is not a date here: too easily a number followed by a date.
DATE = re.compile(
    r"((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*(?:[-/.]|年)\s*"
    r"(\d{1,2}|[" + _CN + r"]{1,2})\s*(?:[-/.]|月)\s*(\d{1,2}|[" + _CN + r"]{1,3})(?:\s*日)?"
    r"(?![\d])"
)


def now() -> str:
    """This moment in UTC, to the second, as the archive records times."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


CHINA = dt.timezone(dt.timedelta(hours=8))


def china_day(stamp: str) -> dt.date:
    """The day in China of an archive time (UTC, as ``now`` writes it); a plain date is
    that date. Page dates are China's days: 01:00 on the 10th there is the 9th in UTC."""
    if len(stamp) <= 10:
        return dt.date.fromisoformat(stamp)
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA).date()


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


def make_date(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def from_match(m: re.Match[str]) -> str | None:
    """The ISO date of a ``DATE`` match."""
    try:
        y, mo, d = (cn_number(g) for g in m.groups()[:3])
    except KeyError:
        return None
    return make_date(y, mo, d)


def first_date(text: str) -> str | None:
    """The first date written in ``text``, as ISO."""
    for m in DATE.finditer(text):
        if found := from_match(m):
            return found
    return None
