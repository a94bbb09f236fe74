"""Title, agency, reporting year, publication date and 发文字号 of a report.

Reports reach us as portal pages (title in the page's structure, a 发布时间 line under it, a
breadcrumb above it), as printed documents (a 发文字号, a title over two lines, a signature
date) and as text copies of either. Each field is read from the strongest evidence there is,
and ``published_at`` says where its date came from: ``page`` (the portal's own date for the
page), ``signature`` (the date under the report's signature) or ``document`` (a date the
document states for itself: 成文日期, 印发).
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice

from parsers.dates import DATE, cn_number, from_match, make_date
from parsers.normalize import compact, nfkc
from parsers.textscan import find_all, pieces_holding

_YEAR = r"((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})"
# The year of a title: 2023年, 2023年度, or 2023 glued to 政府信息公开 when 年 was lost.
_TITLE_YEAR = re.compile(_YEAR + r"(?:年度?|(?=政[府务]信息公开|年度))")
_TITLE_WORDS = ("年度报", "年报", "工作报告")
_TITLE_ENDS = ("报告", "年报")
# 报告, 年报, 年度报 (告 lost), and a year in brackets after them: …年度报告(2023).
_TITLE_END = re.compile(r"(?:报告|年报|年度报)(?:\((?:19|20)\d{2}年?度?\))?$")
# Lines that mention a report without being its title.
_NOT_TITLE = re.compile(r"如下|现将|根据|按照|依据|通知|要求|特编制|编制本|现公布|现发布")
# How the name of an agency ends: the line above a title that lacks one may be that name.
_AGENCY_END = re.compile(
    r"(?:政府|局|委|办|办公室|镇|乡|街道|办事处|区|县|市|旗|委员会|中心|所|院|厅|部|署|会|处|站|"
    r"馆|队|管委会)$"
)
_ENDS_WITH_YEAR = re.compile(r"(?:19|20)\d{2}年?度?$")
# The title of a document of another kind: 关于…落实情况的函, 关于…的通知 (one that names the
# annual report it issues, 关于印发…年度报告的通知, is the report; 关于…情况的报告 may be one).
_OTHER_DOCUMENT = re.compile(
    r"^关于.{2,60}的(?:函|复函|通知|意见|方案|请示|批复|决定|公告|通报|说明|要点)$"
)
_LEAD = re.compile(r"^(?:关于|《)+")
_TRAIL = re.compile(r"(?:关于|的|》)+$")

_BREADCRUMB_START = re.compile(
    r"^(?:当前位置|您现在的位置|您现在所在的位置|你现在的位置|您的位置|你的位置|您所在的位置|"
    r"所在位置|位置)[:]?"
)
_CRUMB_SEP = re.compile(r"->|>>|>|»|›|→")

# The statistics period: 自2024年1月1日起,至2024年12月31日止; 2022年1月1日至12月31日;
# 20231月1日至202312月31日 (年 lost in extraction).
_PERIOD = re.compile(r"((?:19|20)\d{2})年?度?1月1日[^。;]{0,12}?(?:((?:19|20)\d{2})年?)?12月31日?")
# 所列数据截止日期为2025年12月31日 (also 20251231日: 年 and 月 lost).
_PERIOD_END = re.compile(r"(?:截止|截至)[^。;]{0,10}?((?:19|20)\d{2})年?12月?31日")
# 汇报我镇2023年政府信息公开工作; 现将2023年度政府信息公开工作年度报告公布如下.
_WORK_OF_YEAR = re.compile(r"((?:19|20)\d{2})年度?(?:的)?政[府务]信息公开(?:工作|年度|年报)")
_YEAR_MENTION = re.compile(r"((?:19|20)\d{2})年度?(?![\d一二三四五六七八九十]{0,2}月)")

# A date the portal gives the page: 发布时间:…, 发布日期:…, 时间:… (not 归档时间),
# 2022年01月18日来源:….
_PAGE_DATE = re.compile(
    r"(?:发布(?:时间|日期)|公开(?:时间|日期)|发稿时间|(?<![\u4e00-\u9fff])(?:时间|日期))"
    r"\s*[:]?\s*" + DATE.pattern
)
_DATE_THEN_SOURCE = re.compile(DATE.pattern + r"\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*来源")
_DOCUMENT_DATE = re.compile(r"成文(?:日期|时间)\s*[:]?\s*" + DATE.pattern)
_ISSUED = re.compile(DATE.pattern + r"\s*印发")
_DATE_LINE = re.compile(r"^" + DATE.pattern + r"$")

_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*第?\s*\d{1,5}\s*号"
)
_DOC_NUMBER_LABELLED = re.compile(
    r"(?:发文字号|文号|发文号|文件编号)[:]?(" + _DOC_NUMBER.pattern + ")"
)
_CITED = {"2019": "国办公开办函〔2019〕60号", "2021": "国办公开办函〔2021〕30号"}


_CRUMB_MARKS = (">", "»", "›", "→")


def _may_be_crumb(text: str) -> bool:
    """What every breadcrumb holds: a separator, or the 位置 of its opening words (not
    位 alone: 单位 is in most reports). Found by ``in`` and ``find_all``, many times faster
    than a regex reading every character."""
    return any(mark in text for mark in _CRUMB_MARKS) or next(find_all("位置", text), -1) >= 0


def is_breadcrumb(line: str) -> bool:
    """当前位置:首页>政务公开>…, 首页 > 政务公开 > 年报: a trail of links, never a title."""
    if not _may_be_crumb(line):
        return False
    text = compact(line)
    if _BREADCRUMB_START.match(text):
        return True
    return len(_CRUMB_SEP.findall(text)) >= 2 or (
        text.startswith("首页") and bool(_CRUMB_SEP.search(text))
    )


def is_title(text: str) -> bool:
    """A (compacted) line that can be a report's title: it names an annual report and is no
    sentence about one."""
    return (
        "信息公开" in text  # cheapest first: most lines fail here, the report's prose below
        and len(text) <= 60
        and "。" not in text
        and any(w in text for w in _TITLE_WORDS)
        and not text.startswith(("本年度报告", "本报告", "本年报"))
        and bool(_TITLE_END.search(text))
        and not _NOT_TITLE.search(text)
        and not is_breadcrumb(text)
    )


def clean_title(text: str) -> str:
    return _TRAIL.sub("", _LEAD.sub("", compact(text)))


def find_title(compacted: list[str], look: int = 25) -> str | None:
    """The report's title: the first short line near the top naming an annual report of a
    year (or, when none names a year, the first naming one at all).

    Breadcrumbs are skipped. PDFs and portal pages break titles over two lines (南安市省新镇
    2020年 / 政府信息公开工作年度报告, or …工作年度 / 报告); a line that lacks the agency
    is joined to the one above, and a title cut short is joined to the short line below.
    ``compacted``: the document's lines without whitespace (``compact``).
    """
    window = compacted[: look * 4]
    if _may_be_crumb("".join(window)):
        texts = list(islice((t for t in window if t and not is_breadcrumb(t)), look))
    else:  # no line holds a breadcrumb's marks
        texts = list(islice(filter(None, window), look))
    titles = []
    for i, text in enumerate(texts):
        if "信息公开" not in text:  # every title names it, whole or cut short
            continue
        nxt = texts[i + 1] if i + 1 < len(texts) else ""
        cut = len(nxt) <= 12 and not text.endswith(_TITLE_ENDS)
        if cut and is_title(text + nxt) and (text + nxt).endswith(_TITLE_ENDS):
            text += nxt
        elif not is_title(text):
            continue
        if i and (text.startswith(("政府信息公开", "政务信息公开")) or _TITLE_YEAR.match(text)):
            prev = texts[i - 1]
            names = _AGENCY_END.search(prev) or _ENDS_WITH_YEAR.search(prev)
            if len(prev) <= 30 and names and "信息公开" not in prev:
                text = prev + text
        titles.append(clean_title(text))
    dated = [t for t in titles if _TITLE_YEAR.search(t)]
    return dated[0] if dated else titles[0] if titles else None


def other_document(title: str | None, compacted: list[str], look: int = 12) -> str | None:
    """The title of another kind of document this one is (a letter on the year's 工作要点
    listed in a 年报 column), else None: ``title`` itself, or — when it names no year, as a
    column's name over the page does — a line near the top."""
    names_year = title is not None and bool(_TITLE_YEAR.search(title))
    window = [compact(title)] if title else []
    if not names_year:
        window += islice((t for t in compacted[: look * 4] if t and not is_breadcrumb(t)), look)
    for text in window:
        if _OTHER_DOCUMENT.match(text) and not any(w in text for w in _TITLE_WORDS):
            return text
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
        agency = re.split(r"政[府务]信息公开", rest)[0] if "信息公开" in rest else ""
    agency = _TRAIL.sub("", _LEAD.sub("", agency))
    return year, agency or None


def states_period(flat: str) -> bool:
    """Whether the text states a report's statistics period (…1月1日至…12月31日)."""
    return bool(_PERIOD.search(flat) or _PERIOD_END.search(flat))


def text_year(flat: str, opening: str) -> int | None:
    """The reporting year from the text when the title gives none: the statistics period,
    its end date, a phrase naming the year's work, else the year the opening section
    talks about (2020年度我街办未接到…)."""
    for m in _PERIOD.finditer(flat):
        if m.group(2) is None or m.group(1) == m.group(2):
            return int(m.group(1))
    stated = _PERIOD_END.search(flat) or _WORK_OF_YEAR.search(flat)
    if stated:
        return int(stated.group(1))
    counts = Counter(int(y) for y in _YEAR_MENTION.findall(opening))
    ranked = counts.most_common(2)
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0]
    return None


def _dated(m: re.Match[str], offset: int, year: int | None) -> str | None:
    groups = m.groups()[offset : offset + 3]
    try:
        day = make_date(*(cn_number(g) for g in groups))
    except KeyError:
        return None
    if day is None:
        return None
    if year is not None and not year < int(day[:4]) <= year + 3:
        return None  # a report cannot be published before its year has ended
    return day


def published_at(
    lines: list[str],
    text: str,
    year: int | None,
    signature_from: int,
    page_date: str | None = None,
) -> tuple[str | None, str | None]:
    """(date, source): the portal's date for the page (given, or a 发布时间 line), else the
    date under the signature, else a date the document states (成文日期, 印发).
    ``text``: the lines joined by newlines."""
    if page_date and (year is None or year < int(page_date[:4]) <= year + 3):
        return page_date, "page"
    for pattern, hints in ((_PAGE_DATE, ("时间", "日期")), (_DATE_THEN_SOURCE, ("来源",))):
        if found := _first_dated(pattern, hints, text, year):
            return found, "page"
    for line in reversed(lines[signature_from:]):
        m = _DATE_LINE.match(compact(line))
        if m and (found := _dated(m, 0, year)):
            return found, "signature"
    for pattern, hints in ((_DOCUMENT_DATE, ("成文",)), (_ISSUED, ("印发",))):
        if found := _first_dated(pattern, hints, text, year):
            return found, "document"
    return None, None


def _first_dated(
    pattern: re.Pattern[str], hints: tuple[str, ...], text: str, year: int | None
) -> str | None:
    """The first date ``pattern`` finds on a line holding one of ``hints``. ``text``: the
    lines joined by newlines."""
    for line in pieces_holding(hints, text, "\n"):
        for m in pattern.finditer(" ".join(line.split())):
            if found := _dated(m, 0, year):
                return found
    return None


def doc_number(compacted: list[str], look: int = 15) -> str | None:
    """The report's own 发文字号 (南省政〔2021〕9号): a line of its own near the top, or after
    a 发文字号 label — never a number the text cites (国办公开办函〔2021〕30号).
    ``compacted``: the document's lines without whitespace (``compact``)."""
    for text in compacted[:look]:
        m = _DOC_NUMBER.fullmatch(text) or _DOC_NUMBER_LABELLED.search(text)
        if m:
            number = m.group(m.lastindex or 0)
            if number not in _CITED.values():
                return number
        elif "。" in text and len(text) > 40:
            return None  # the body has begun
    return None


def cited_template(flat: str) -> str | None:
    """The template a report says it follows, by the notice that issued it."""
    cited = [t for t, notice in _CITED.items() if notice in flat]
    return cited[0] if len(cited) == 1 else None


def page_date_of(text: str) -> str | None:
    """A date a page's furniture gives (发布时间:…, 时间:…): the first one in ``text``."""
    spaced = " ".join(nfkc(text).split())
    for pattern in (_PAGE_DATE, _DATE_THEN_SOURCE):
        m = pattern.search(spaced)
        if m and (found := from_match(m)):
            return found
    return None
