"""Link titles: whether one names an annual report, which year it covers, who issued it.

A link is a report when its title says 政府信息公开 / 政务信息公开 … 年度报告 / 年报 in any of
the forms portals use (工作年度报告, 年报, 2023年度报告, 年度报告（2023）), in either script. Its
更正, 解读 and 图解, work plans, statistical 报表 and notices about reports are not reports:
each is counted by its reason. The year is the year the title names, never a date in it
(…年度报告（2024年1月20日发布）names the publication date, not the year covered): a title
naming only a date, or no year at all, leaves the year to the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.dates import DATE, cn_number
from parsers.normalize import compact, nfkc, to_simplified

_REPORT = re.compile(
    r"(?:政府|政务)?信息公开(?:工作)?(?:(?:19|20)\d{2}年?度?)?(?:工作)?(?:年度)?(?:工作)?"
    r"(?:报告|年报)"
)
_MENTION = re.compile(r"年度报告|年报|年度工作报告")
# Titles that mention a report without being one, by reason.
_NOT_REPORT = (
    ("correction", re.compile(r"更正|勘误|修订说明")),
    ("interpretation", re.compile(r"解读|图解|一图读懂|图说|问答")),
    ("work_plan", re.compile(r"工作要点|工作计划|实施方案")),
    ("statistics_table", re.compile(r"报表|统计表")),
    ("notice", re.compile(r"通知|公告|通报|函$|编制|报送|发布工作|做好")),
)
_YEAR = re.compile(r"((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*(?:年度?|(?=\)))")
_BRACKET_YEAR = re.compile(r"\(((?:19|20)\d{2})年?度?\)")
_CUT = re.compile(r"(?:\.{2,}|…+)$")
_LEAD = re.compile(r"^(?:关于|《)+")


@dataclass(frozen=True)
class Title:
    """What a link's title says. ``kind``: report, or the reason it is not one (correction,
    interpretation, work_plan, statistics_table, notice, column_name: a column called
    年报 with neither issuer nor year, other_report: a 年报 of another kind, not_report: no
    mention of an annual report)."""

    kind: str
    year: int | None = None
    issuer: str = ""

    @property
    def is_report(self) -> bool:
        return self.kind == "report"


def normal_title(title: str) -> str:
    """A title as the archive compares it: simplified, NFKC, no spaces, no trailing cut."""
    return _CUT.sub("", compact(nfkc(to_simplified(title)[0])))


def _year(text: str) -> tuple[int | None, int]:
    """(the year the title covers, where it starts), dates left out."""
    dates = [m.span() for m in DATE.finditer(text)]
    for m in _YEAR.finditer(text):
        if any(a <= m.start() < b for a, b in dates):
            continue  # 2024年1月20日: a date, not the year covered
        year = cn_number(m.group(1))
        if 2000 <= year <= 2100:
            return year, m.start()
    return None, -1


def read_title(title: str) -> Title:
    """What a link's title says: report or not (and why), the year, the issuer phrase."""
    text = normal_title(title)
    report = _REPORT.search(text)
    if not report:
        return Title("other_report" if _MENTION.search(text) else "not_report")
    for reason, pattern in _NOT_REPORT:
        if pattern.search(text):
            return Title(reason)
    year, at = _year(text)
    if year is None and (m := _BRACKET_YEAR.search(text)):
        year, at = int(m.group(1)), m.start()
    if year is None and not text[: report.start()]:
        return Title("column_name")  # 信息公开年报: a column's name, no report
    # The issuer: before the year or the report's words, whichever comes first; in a
    # year-first title (2023年下各镇政府信息公开…) between the two.
    head = text[: min(at, report.start())] if at >= 0 else text[: report.start()]
    if not head and at == 0:
        head = text[_YEAR.match(text).end() : report.start()]
    return Title("report", year, _LEAD.sub("", head))


def report_year(title: str) -> int | None:
    """The year an annual report's title covers; None when it names none or is no report."""
    found = read_title(title)
    return found.year if found.is_report else None
