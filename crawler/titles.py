"""Link titles: whether one names an annual report, and which year the report covers."""

from __future__ import annotations

import re
import unicodedata

from parsers.dates import cn_number
from parsers.normalize import compact, to_simplified

_REPORT = re.compile(r"政府信息公开(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)")
_YEAR = re.compile(r"((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年")
_CUT = re.compile(r"(?:\.{2,}|…+)$")


def normal_title(title: str) -> str:
    """A title as the archive compares it: simplified, NFKC, no spaces, no trailing cut."""
    return _CUT.sub("", compact(unicodedata.normalize("NFKC", to_simplified(title)[0])))


def report_year(title: str) -> int | None:
    """The year an annual report's title covers, or None when the title names no report.

    A title cut short (…年度报告...) still counts when the words left say so; the year is
    the one in the title, not the year of publication.
    """
    text = normal_title(title)
    if not _REPORT.search(text):
        return None
    years = [cn_number(m.group(1)) for m in _YEAR.finditer(text)]
    years = [y for y in years if 2000 <= y <= 2100]
    return years[0] if years else None
