"""The demo portal on 127.0.0.1, laid out like real government sites: what `nianbao demo`
crawls and what the crawler's tests run against.

Each column copies the structure of a real portal family (see tests/crawler/pages/):

- a county's 年报 column (TRS, paged by an inline ``var countPage`` script like the
  鄂尔多斯 恩格贝 column) where every title begins with the county's name: the county's,
  a township's and a department's reports, a township the sources file does not list, a
  更正, a 解读, a report page whose document is another agency's, and what portals do to
  crawlers (a GBK page, a slow page, a 500 that succeeds on retry, a moved page, a missing
  attachment, robots.txt, a mirror on another host);
- a Hanweb column whose total is only in ``jpage({totalRecord:…})``, the rest behind
  dataproxy.jsp;
- a CSRC-style list paged by ``createPageHTML('page_div', 3, 1, 'fg', 'shtml', 5)``;
- a SASAC-style component list paged by hidden anchors;
- a Guangdong gkmlpt column: a shell page and its JSON API;
- a plain list whose 下一页 leads back to its first page;
- a column whose third page always answers 500;
- sources that are gone, redirected to the home page, or list no report;
- Hanweb's per-unit-and-year annual-report module.

Reports are consistent year after year (demo/figures.py) except for the defects planted
on purpose (``PLANTED``), as pages and as DOCX, OFD, PDF and DOC attachments (the last two
made by LibreOffice, ``python -m demo.make_files``). ``PortalServer.published`` is the set
of (agency, year) a crawl must find.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from demo.documents import Figures, docx, grid_lines, ofd
from demo.figures import State, with_carried_over, year_figures
from demo.prose import body
from report.agencies import guess_level

FILES = Path(__file__).resolve().parent / "files"
YEARS = (2019, 2020, 2021, 2022, 2023)
LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"
REGION = "某省某市青石县"
# Agencies outside 青石县: the city's departments, another county, a district.
REGIONS = {
    **dict.fromkeys(("ms-env", "ms-civil", "ms-edu", "gd-traffic"), "某省某市"),
    "xc-county": "某省某市某县",
    "qd-edu": "某省某市某区",
}

# id → (name, aliases, level)
COUNTY = {
    "qs-county": ("青石县人民政府", ["青石县"], "county"),
    "qs-dongling": ("青石县东岭镇人民政府", ["东岭镇"], "township"),
    "qs-edu": ("青石县教育局", [], "county_dept"),
}
UNLISTED = ("青石县南山镇人民政府", 2021)  # in the county's column, not in the sources file
CONFLICT = ("qs-dongling", 2020, "青石县西岭镇人民政府")  # listed as 东岭镇's, it is 西岭镇's
CORRECTED = ("qs-edu", 2022)
HANWEB = {"ms-env": "某市生态环境局", "ms-civil": "某市民政局"}
CSRC = ("xc-county", "某县人民政府")
HIDDEN = ("qd-edu", "某区教育局")
GKMLPT = ("gd-traffic", "某市交通运输局")
LOOP = ("pl-town", "某镇人民政府")
BROKEN_PAGE = ("bp-water", "青石县水务局")
BY_YEAR_AGENCY = ("ms-edu", "某市教育局")
BY_YEAR_PATH = "/module/xxgk/xxgkAnnualReport.jsp?area=11350500&fbtime={year}"
BY_YEAR_PUBLISHED = (2021, 2022, 2023)
BY_YEAR_DAY = "01-25"  # each published on this day of the next year
# Sources whose portal is broken: the crawl must say so, never call their reports missing.
BROKEN = {
    "gone": ("某县水利局", "/gone/index.html"),  # 404
    "empty": ("某县林业局", "/empty/index.html"),  # a list naming no report
    "home": ("某县统计局", "/moved-col/index.html"),  # redirected to the home page
}
# Years an agency did not publish: the crawl must not find them.
UNPUBLISHED = {("qs-dongling", 2023), ("ms-civil", 2019)}
OFF_LIMITS_YEAR = 2018  # the year of the links the crawler must not follow
# Lists the crawl cannot read to their end: their agencies' years are unverified.
INCOMPLETE = {LOOP[0]: "loop", BROKEN_PAGE[0]: "page_failed"}
# Agencies set up after 2019: no report is due before their first year.
SINCE = {"ms-civil": 2020, BY_YEAR_AGENCY[0]: BY_YEAR_PUBLISHED[0]}
# Defects planted in otherwise consistent reports: (agency, year).
LATE = ("gd-traffic", 2022, "2023-03-15")  # published six weeks after its deadline
BROKEN_SUM = ("qd-edu", 2023)  # 予以公开 one higher, 总计 unchanged (the DOCX)
CARRY_OVER = ("qs-edu", 2021)  # 上年结转 is not 2020's 结转下年度
PROSE_VS_TABLE = ("xc-county", 2022)  # the text states 5 more requests than the table
COPIED = ("qs-county", 2022)  # 2021's prose again, only the figures changed
# The date the demo judges by: every report of YEARS is due by then.
AS_OF = "2024-06-01"
# Sources the crawler's tests need that the demo leaves out (more of the same troubles).
DEMO_LEAVES_OUT = ("empty", "home", LOOP[0])
# What the demo shows, in the order it explains it: (kind, agency, year, rule, what was
# planted in Chinese, in English).
PLANTED = (
    (
        "missing",
        "qs-dongling",
        2023,
        "report.missing",
        "东岭镇没有发布2023年度报告；它的栏目已完整读取，截止日期已过，所以判为缺失。",
        "东岭镇 published no 2023 report; its column was read to its end and the deadline "
        "has passed, so the year is missing.",
    ),
    (
        "late",
        LATE[0],
        LATE[1],
        "report.late",
        f"交通运输局的2022年度报告于{LATE[2]}才发布，晚于1月31日的截止日期。",
        f"The transport bureau's 2022 report was published on {LATE[2]}, after its January "
        "31 deadline.",
    ),
    (
        "broken_sum",
        *BROKEN_SUM,
        "applications.outcome_sum",
        "区教育局2023年报告（DOCX附件）的“予以公开”多了1件，总计却没有变。",
        "In the district education bureau's 2023 report (a DOCX), 予以公开 is one higher "
        "than its total allows.",
    ),
    (
        "carry_over",
        *CARRY_OVER,
        "carry.continuity",
        "县教育局2021年报告“自然人”一列的“上年结转”比其2020年报告的“结转下年度”多3件。",
        "The county education bureau's 2021 report carries over 3 more natural persons' "
        "requests than its 2020 report carried forward.",
    ),
    (
        "prose_vs_table",
        *PROSE_VS_TABLE,
        "narrative.matches_table",
        "某县政府2022年报告正文所说的收到申请数比表格多5件。",
        "The county government's 2022 report states 5 more requests in its text than in its table.",
    ),
    (
        "copied",
        *COPIED,
        "report.duplicate_text",
        "青石县政府2022年报告照搬2021年报告的文字，只改了数字。",
        "青石县's 2022 report repeats its 2021 prose word for word; only the figures changed.",
    ),
    (
        "broken_source",
        "gone",
        None,
        "source.unreachable",
        "县水利局的年报栏目地址已失效（404）：它的各年度判为无法核实，而不是缺失。",
        "The county water bureau's column answers 404: its years are unverified, never missing.",
    ),
    (
        "unverified",
        BROKEN_PAGE[0],
        2019,
        "source.incomplete",
        "县水务局栏目的第3页总是出错：列在那一页上的2019年报告没有读到，该年度无法核实。",
        "Page 3 of the water affairs bureau's column always fails: the 2019 report listed "
        "there was not read, so 2019 is unverified.",
    ),
)


@dataclass
class Resource:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def _id_of(name: str) -> str:
    return next((a for a, (n, _, _) in agencies().items() if n == name), name)


def _planted(agency_id: str, year: int, figures: Figures) -> Figures:
    if (agency_id, year) == CARRY_OVER:  # three more natural persons' requests carried over
        carried = list(figures.applications[1][2][:-1])
        carried[0] += 3
        return with_carried_over(figures, carried)
    if (agency_id, year) == BROKEN_SUM:
        apps = [list(r) for r in figures.applications]
        apps[2][2] = [apps[2][2][0] + 1, *apps[2][2][1:-1], apps[2][2][-1] + 1]
        return replace(figures, applications=[tuple(r) for r in apps])
    return figures


@cache
def _figures(name: str) -> dict[int, Figures]:
    """An agency's figures for every year, each continuing from the one before."""
    agency_id = _id_of(name)
    known = agencies().get(agency_id)
    level = known[2] if known else guess_level(name)
    state, out = State(), {}
    for year in YEARS:
        figures, state = year_figures(agency_id, level, year, state)
        out[year] = _planted(agency_id, year, figures)
    return out


def report_body(agency: str, year: int, date: str | None = None) -> str:
    """The report an agency publishes for a year, signed on ``date`` (ISO)."""
    agency_id = _id_of(agency)
    figures = _figures(agency)[year]
    stated = None
    if (agency_id, year) == PROSE_VS_TABLE:
        stated = figures.applications[0][2][-1] + 5
    words_of = year - 1 if (agency_id, year) == COPIED else None
    signed = None
    if date:
        y, m, d = (int(p) for p in date.split("-"))
        signed = f"{y}年{m}月{d}日"
    return body(agency, year, figures, words_of, stated, signed)


def article(title: str, date: str, body: str, attachment: str | None = None) -> bytes:
    """A TRS article page: title and PubDate in meta tags, the body in .TRS_Editor."""
    link = (
        f'<p>附件：<a href="{attachment}">{html.escape(title)}.{attachment.rsplit(".", 1)[1]}'
        "</a></p>"
        if attachment
        else ""
    )
    return (
        f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" '
        f'content="{html.escape(title)}"><meta name="PubDate" content="{date} 09:30">'
        f"<title>{html.escape(title)}_政府信息公开年报</title></head><body>"
        '<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>'
        f'<div class="TRS_Editor">{body}{link}</div>'
        '<div class="footer">主办单位：青石县人民政府办公室</div></body></html>'
    ).encode()


MIME = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ofd": "application/ofd",
}


class _Builder:
    def __init__(self) -> None:
        self.res: dict[str, Resource] = {}
        self.published: set[tuple[str, int]] = set()
        self.n = 0
        self.split = ""  # the report page split in two

    def report(
        self,
        folder: str,
        agency_id: str | None,
        name: str,
        year: int,
        attachment: str | bytes | None = None,
        body_of: str | None = None,
    ) -> tuple[str, str, str]:
        """A report page (and attachment) under ``folder``; (path, title, listing date)."""
        self.n += 1
        date = f"{year + 1}-01-{10 + self.n % 18:02d}"
        if (agency_id, year) == LATE[:2]:
            date = LATE[2]
        stamp = date.replace("-", "")
        title = f"{name}{year}年政府信息公开工作年度报告"
        path = f"{folder}/{stamp[:6]}/t{stamp}_{1000 + self.n}.html"
        body = report_body(body_of or name, year, date)
        link = None
        if body_of is not None:  # the page names the listed agency, its document another
            attachment = attachment or "docx"
        if isinstance(attachment, bytes):  # a corpus file naming this agency and year
            kind = {b"%PDF": "pdf", b"PK\x03\x04": "docx"}.get(attachment[:4], "doc")
            link = f"P0{stamp}{self.n:04d}.{kind}"
            self.res[path.rsplit("/", 1)[0] + "/" + link] = Resource(attachment, MIME[kind])
        elif attachment in ("docx", "ofd"):
            link = f"P0{stamp}{self.n:04d}.{attachment}"
            data = docx(body) if attachment == "docx" else ofd(grid_lines(body))
            self.res[path.rsplit("/", 1)[0] + "/" + link] = Resource(data, MIME[attachment])
        page_body = "<p>（详见附件）</p>" if body_of is not None else body
        self.res[path] = Resource(article(title, date, page_body, link))
        if agency_id is not None and body_of is None:
            self.published.add((agency_id, year))
        return path, title, date


def _li(path: str, title: str, shown: str, date: str) -> str:
    return (
        f'<li><a href="{path}" title="{html.escape(title)}" target="_blank">'
        f"{html.escape(shown)}</a><span>{date}</span></li>"
    )


def _county(b: _Builder) -> None:
    """The county's column: TRS, inline countPage pager, titles all begin with 青石县."""
    folder = "/qingshi/xxgk/xxgknb"
    items, published = _county_reports(b, folder)
    _county_neighbours(b, folder, items)
    _county_troubles(b, items, published)
    _county_pages(b, folder, items)


Item = tuple[str, str, str, str]  # (path, title, the title as the list shows it, date)


def _county_reports(b: _Builder, folder: str) -> tuple[list[Item], list[str]]:
    """Every county agency's reports, one with another township's page and one report
    listed without its agency's name."""
    items: list[Item] = []
    published: list[str] = []  # the pages of published reports, for the troubles below
    kinds = ("docx", "ofd", None)
    for year in reversed(YEARS):
        for agency_id, (name, _, _) in COUNTY.items():
            if (agency_id, year) in UNPUBLISHED:
                continue
            if (agency_id, year) == CONFLICT[:2]:
                # Listed as 东岭镇's; the page is 西岭镇's report.
                path, title, date = b.report(folder, agency_id, name, year, None, CONFLICT[2])
            else:
                path, title, date = b.report(folder, agency_id, name, year, kinds[b.n % 3])
                published.append(path)
            shown = title if b.n % 3 else title[:16] + "..."
            items.append((path, title, shown, date))
    path, title, date = b.report(folder, None, *UNLISTED)
    items.insert(4, (path, title, title, date))
    return items, published


def _county_neighbours(b: _Builder, folder: str, items: list[Item]) -> None:
    """What a real column lists beside the reports: a 更正, a 解读, a notice, a page the
    site's robots.txt forbids, a mirror on another host."""
    # A 更正 and a 解读 beside the reports.
    agency_id, year = CORRECTED
    name = COUNTY[agency_id][0]
    correction = f"{folder}/202303/t20230301_9001.html"
    b.res[correction] = Resource(
        article(
            f"{name}{year}年政府信息公开工作年度报告的更正",
            "2023-03-01",
            "<p>我局2022年政府信息公开工作年度报告第三部分数据有误，现更正如下。</p>",
        )
    )
    items.insert(2, (correction, f"{name}{year}年政府信息公开工作年度报告的更正", "更正", ""))
    reading = f"{folder}/202302/t20230215_9002.html"
    b.res[reading] = Resource(article("解读", "2023-02-15", "<p>一图读懂。</p>"))
    items.insert(
        6, (reading, f"图解：{COUNTY['qs-county'][0]}2022年政府信息公开工作年度报告", "图解", "")
    )
    # A notice, a robots-forbidden page, a mirror on another host.
    notice = f"{folder}/202203/t20220301_99.html"
    b.res[notice] = Resource(
        article("关于做好2022年政务公开工作的通知", "2022-03-01", "<p>通知</p>")
    )
    items.insert(
        3,
        (
            notice,
            "关于做好2022年政务公开工作的通知",
            "关于做好2022年政务公开工作的通知",
            "2022-03-01",
        ),
    )
    forbidden = f"青石县人民政府{OFF_LIMITS_YEAR}年政府信息公开工作年度报告"
    items.insert(5, ("/private/nb/t1.html", forbidden, forbidden, "2019-01-05"))
    b.res["/private/nb/t1.html"] = Resource(article("x", "2019-01-05", "<p>x</p>"))
    mirror = f"青石县教育局{OFF_LIMITS_YEAR}年政府信息公开工作年度报告"
    items.insert(8, ("http://127.0.0.2/qingshi/t2.html", mirror, mirror, "2019-01-06"))


def _county_troubles(b: _Builder, items: list[Item], published: list[str]) -> None:
    """What real portals do: a page split in two, a GBK page, a slow page, a 500 that
    succeeds on retry, an attachment that is gone, a page moved with a redirect."""
    _split(b, next(p for p in published[2:] if "附件".encode() not in b.res[p].body))
    gbk, slow, flaky, moved = (published[k] for k in (1, 4, 7, 10))
    page = (
        b.res[gbk]
        .body.decode()
        .replace(
            '<meta charset="utf-8">',
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
        )
    )
    b.res[gbk] = Resource(page.encode("gb18030"), "text/html; charset=gb2312")
    b.res[slow].headers["X-Test-Slow"] = "1.5"
    b.res[flaky].headers["X-Test-Fail-First"] = "500"
    missing = next(p for p in published[11:] if "附件".encode() in b.res[p].body)
    b.res[missing] = Resource(
        b.res[missing].body.replace(b'.docx"', b'-gone.docx"').replace(b'.ofd"', b'-gone.ofd"')
    )
    old = "/qingshi/old/" + moved.rsplit("/", 1)[1]
    b.res[old] = Resource(b"", status=301, headers={"Location": moved})
    k = next(i for i, it in enumerate(items) if it[0] == moved)
    items[k] = (old, *items[k][1:])


def _county_pages(b: _Builder, folder: str, items: list[Item]) -> None:
    """The column's list pages, nine items each, paged by an inline script."""
    per_page = 9
    pages = [items[i : i + per_page] for i in range(0, len(items), per_page)]
    for number, chunk in enumerate(pages):
        lis = "".join(_li(_relative(p, folder), t, s, d) for p, t, s, d in chunk)
        # The pager as the 恩格贝 column's server sends it: an inline script, no links.
        script = (
            f"<script>var currentPage = {number};//所在页从0开始\n"
            f"var countPage = {len(pages)}//共多少页\n"
            'document.write("<a href=\\"index"+"_" + 1 + "."+"html\\">2</a>");</script>'
        )
        name = "index.html" if number == 0 else f"index_{number}.html"
        b.res[f"{folder}/{name}"] = Resource(
            f'<html><head><meta charset="utf-8"></head><body><ul class="list">{lis}</ul>'
            f'<div class="page">{script}</div></body></html>'.encode()
        )


SPLIT_MARK = "<p>三、收到和处理政府信息公开申请情况</p>"


def _split(b: _Builder, path: str) -> None:
    """A report page the CMS split in two (TRS: t….html and t…_1.html, announced by
    createPageHTML on the first): the tables of applications and appeals on the second."""
    page = b.res[path].body.decode()
    head, tail = page.split(SPLIT_MARK, 1)
    stem = path.rsplit("/", 1)[1].rsplit(".", 1)[0]
    pager = f'<script>createPageHTML(2, 0, "{stem}", "html");</script>'
    first = head + "</div>" + pager + "</body></html>"
    second = page.split('<div class="TRS_Editor">', 1)[0] + '<div class="TRS_Editor">'
    b.res[path] = Resource(first.encode())
    b.res[path.replace(".html", "_1.html")] = Resource((second + SPLIT_MARK + tail).encode())
    b.split = path


def _relative(path: str, folder: str) -> str:
    """A link as TRS lists print it: ./YYYYMM/tYYYYMMDD_ID.html beside the list."""
    return "./" + path[len(folder) + 1 :] if path.startswith(folder + "/") else path


def _hanweb(b: _Builder) -> None:
    """A Hanweb column: three records in the datastore, the total only in jpage()."""
    records = []
    pdf = (FILES / "ms-env-2022.pdf").read_bytes()  # 某市生态环境局's 2022 report
    for year in reversed(YEARS):
        for agency_id, name in HANWEB.items():
            if (agency_id, year) in UNPUBLISHED:
                continue
            attachment = pdf if (agency_id, year) == ("ms-env", 2022) else None
            path, title, date = b.report("/art", agency_id, name, year, attachment)
            records.append(
                f'<record><![CDATA[<li><a href="{path}" title="{html.escape(title)}" '
                f'target="_blank">{html.escape(title[:14])}...</a><span>{date}</span></li>]]>'
                "</record>"
            )
    shown = 3
    b.res["/col/col33718/index.html"] = Resource(
        (
            '<html><head><meta charset="utf-8"></head><body><div id="212860">'
            '<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/'
            "dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=33718&unitid=212860&"
            'permissiontype=0"></a>]]></nextgroup><recordset>'
            + "".join(records[:shown])
            + "</recordset></datastore></script></div>"
            "<script>var param_212860={columnid:33718,unitid:'212860'}; "
            f"$('#212860').jpage({{totalRecord:{len(records)},perPage:3}});</script>"
            "</body></html>"
        ).encode()
    )
    b.res["@hanweb-records"] = Resource("\n".join(records).encode(), "text/plain")


def _csrc(b: _Builder) -> None:
    """A CSRC-style list: createPageHTML('page_div', pages, 1, 'fg', 'shtml', records)."""
    agency_id, name = CSRC
    doc = (FILES / "xc-county-2020.doc").read_bytes()  # 某县人民政府's 2020 report
    rows = []
    for year in reversed(YEARS):
        path, title, date = b.report(
            "/xiancsrc/c106256", agency_id, name, year, doc if year == 2020 else "docx"
        )
        rows.append(
            f'<tr><td class="info"><a class="list" href="{path}" title="{html.escape(title)}">'
            f'{html.escape(title)}</a></td><td class="date"><span>{date}</span></td></tr>'
        )
    per_page = 2
    pages = [rows[i : i + per_page] for i in range(0, len(rows), per_page)]
    for number, chunk in enumerate(pages, 1):
        name_ = "fg.shtml" if number == 1 else f"fg_{number}.shtml"
        page = (
            '<html><head><meta charset="utf-8"></head><body><table><tbody>'
            + "".join(chunk)
            + '</tbody></table><div id="page_div"></div><script>'
            f"createPageHTML('page_div',{len(pages)}, {number},'fg','shtml',{len(rows)});"
            "</script></body></html>"
        )
        b.res[f"/xiancsrc/c106256/{name_}"] = Resource(page.encode())


def _hidden(b: _Builder) -> None:
    """A SASAC-style component list: further pages only as hidden empty anchors."""
    agency_id, name = HIDDEN
    broken_sum = docx(report_body(name, BROKEN_SUM[1]))  # its outcome sums broken
    items = []
    for year in reversed(YEARS):
        attachment = broken_sum if year == 2023 else "ofd"
        path, title, date = b.report("/qd/n258", agency_id, name, year, attachment)
        items.append(_li(path, title, title, f"[{date}]"))
    first, rest = items[:3], items[3:]
    hidden = '<div style="display:none"><a href="index_2603340_1.html"></a></div>'
    b.res["/qd/n258/index.html"] = Resource(
        f"<html><body><ul>{''.join(first)}</ul>{hidden}</body></html>".encode()
    )
    b.res["/qd/n258/index_2603340_1.html"] = Resource(
        f"<html><body><ul>{''.join(rest)}</ul>{hidden}</body></html>".encode()
    )


def _gkmlpt(b: _Builder) -> None:
    """A Guangdong gkmlpt column: a shell with the site's id, records from the JSON API."""
    agency_id, name = GKMLPT
    articles = []
    for year in reversed(YEARS):
        path, title, date = b.report("/gdtraffic/gkmlpt/content", agency_id, name, year)
        articles.append({"id": b.n, "title": title, "url": path, "created_at": f"{date} 10:00:00"})
    b.res["/gdtraffic/gkmlpt/index"] = Resource(
        b"<!DOCTYPE html><html><head><script>window._CONFIG = {SID: '662021'};</script>"
        b'</head><body><div id="app"></div></body></html>'
    )
    b.res["@gkmlpt-articles"] = Resource(json.dumps(articles, ensure_ascii=False).encode())


def _loop(b: _Builder) -> None:
    """A plain list of two pages whose 下一页 on the second leads back to the first."""
    agency_id, name = LOOP
    items = []
    for year in reversed(YEARS):
        path, title, date = b.report("/plain/nb", agency_id, name, year)
        items.append(_li(path, title, title, date))
    nav = '<div class="page"><a href="/plain/nb/list{0}.htm">下一页</a></div>'
    b.res["/plain/nb/list1.htm"] = Resource(
        f"<html><body><ul>{''.join(items[:3])}</ul>{nav.format(2)}</body></html>".encode()
    )
    b.res["/plain/nb/list2.htm"] = Resource(
        f"<html><body><ul>{''.join(items[3:])}</ul>{nav.format(1)}</body></html>".encode()
    )


def _broken_page(b: _Builder) -> None:
    """A TRS list of three pages whose third always answers 500."""
    agency_id, name = BROKEN_PAGE
    items = []
    for year in reversed(YEARS):
        path, title, date = b.report("/water/nb", agency_id, name, year)
        items.append((path, title, date, year))
    for *_, year in items[4:]:  # listed on the page that fails: never found
        b.published.discard((agency_id, year))
    pages = [items[0:2], items[2:4], items[4:]]
    for number, chunk in enumerate(pages):
        lis = "".join(_li(p, t, t, d) for p, t, d, _ in chunk)
        name_ = "index.html" if number == 0 else f"index_{number}.html"
        resource = Resource(
            f"<html><body><ul>{lis}</ul><script>createPageHTML(3, {number}, "
            '"index", "html");</script></body></html>'.encode()
        )
        if number == 2:
            resource = Resource(b"<h1>500</h1>", status=500)
        b.res[f"/water/nb/{name_}"] = resource


def build() -> tuple[dict[str, Resource], set[tuple[str, int]]]:
    """The portal's resources by path (with query for dynamic ones) and the (agency, year)
    pairs a crawl must find."""
    b = _Builder()
    b.res["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    _county(b)
    _hanweb(b)
    _csrc(b)
    _hidden(b)
    _gkmlpt(b)
    _loop(b)
    _broken_page(b)
    for year in BY_YEAR_PUBLISHED:  # Hanweb's annual-report module: one URL a year
        title = f"{BY_YEAR_AGENCY[1]}{year}年政府信息公开工作年度报告"
        b.res[BY_YEAR_PATH.format(year=year)] = Resource(
            article(
                title,
                f"{year + 1}-01-25",
                report_body(BY_YEAR_AGENCY[1], year, f"{year + 1}-01-25"),
            )
        )
        b.published.add((BY_YEAR_AGENCY[0], year))
    b.res["/"] = Resource("<html><body><h1>青石县人民政府门户网站</h1></body></html>".encode())
    b.res["/empty/index.html"] = Resource(
        '<html><body><ul><li><a href="/empty/1.html">关于做好政务公开工作的通知</a></li></ul>'
        "</body></html>".encode()
    )
    b.res["/moved-col/index.html"] = Resource(b"", status=302, headers={"Location": "/"})
    return b.res, b.published


LISTS = {
    **{a: "/qingshi/xxgk/xxgknb/index.html" for a in COUNTY},
    **{a: "/col/col33718/index.html" for a in HANWEB},
    CSRC[0]: "/xiancsrc/c106256/fg.shtml",
    HIDDEN[0]: "/qd/n258/index.html",
    GKMLPT[0]: "/gdtraffic/gkmlpt/index#721",
    LOOP[0]: "/plain/nb/list1.htm",
    BROKEN_PAGE[0]: "/water/nb/index.html",
    **{a: path for a, (_, path) in BROKEN.items()},
    BY_YEAR_AGENCY[0]: BY_YEAR_PATH,
}


def agencies() -> dict[str, tuple[str, list[str], str]]:
    """Every agency of the sources file: id → (name, aliases, level)."""
    out = dict(COUNTY)
    out.update({a: (n, [], "city_dept") for a, n in HANWEB.items()})
    out[CSRC[0]] = (CSRC[1], ["某县"], "county")
    for agency_id, name in (HIDDEN, BROKEN_PAGE):
        out[agency_id] = (name, [], "county_dept")
    for agency_id, name in (GKMLPT, BY_YEAR_AGENCY):
        out[agency_id] = (name, [], "city_dept")
    out[LOOP[0]] = (LOOP[1], [], "township")
    out.update({a: (n, [], "county_dept") for a, (n, _) in BROKEN.items()})
    return out


def sources_toml(url: str, leave_out: Iterable[str] = ()) -> str:
    """The sources file of the portal served at ``url``, without the agencies left out."""
    out = []
    for agency_id, (name, aliases, level) in agencies().items():
        if agency_id in leave_out:
            continue
        since = f"since = {SINCE[agency_id]}\n" if agency_id in SINCE else ""
        out.append(
            f'[[agency]]\nid = "{agency_id}"\nname = "{name}"\nlevel = "{level}"\n'
            f'region = "{REGIONS.get(agency_id, REGION)}"\n'
            f"aliases = {json.dumps(aliases, ensure_ascii=False)}\n"
            f'list_urls = ["{url}{LISTS[agency_id]}"]\n{since}'
        )
    return "\n".join(out)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


class _Handler(BaseHTTPRequestHandler):
    server: PortalServer

    def log_message(self, *args: object) -> None:  # quiet: tests read the counters instead
        pass

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        parts = urlsplit(self.path)
        if parts.path == "/module/web/jpage/dataproxy.jsp":
            return self._dataproxy(parse_qs(parts.query))
        if parts.path.startswith("/gdtraffic/gkmlpt/api/all/"):
            return self._gkmlpt(parse_qs(parts.query))
        resource = self.server.resources.get(self.path) or self.server.resources.get(parts.path)
        if resource is None:
            return self._send(Resource(b"<h1>404</h1>", status=404))
        if "X-Test-Slow" in resource.headers:
            time.sleep(float(resource.headers["X-Test-Slow"]))
        if "X-Test-Fail-First" in resource.headers and parts.path not in self.server.failed:
            self.server.failed.add(parts.path)
            return self._send(Resource(b"<h1>busy</h1>", status=500))
        if resource.status == 200 and (
            self.headers.get("If-None-Match") == _etag(resource.body)
            or self.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            return self._send(Resource(b"", status=304))
        return self._send(resource)

    do_POST = do_GET

    def _dataproxy(self, query: dict[str, list[str]]) -> None:
        records = self.server.resources["@hanweb-records"].body.decode().split("\n")
        start = int(query.get("startrecord", ["1"])[0])
        end = int(query.get("endrecord", [str(len(records))])[0])
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><datastore>'
            f"<totalrecord>{len(records)}</totalrecord><recordset>"
            + "".join(records[start - 1 : end])
            + "</recordset></datastore>"
        )
        self._send(Resource(body.encode(), "text/xml; charset=utf-8"))

    def _gkmlpt(self, query: dict[str, list[str]]) -> None:
        articles = json.loads(self.server.resources["@gkmlpt-articles"].body)
        if query.get("sid") != ["662021"]:
            return self._send(Resource(b'{"error": "sid"}', "application/json", status=400))
        base = self.server.url
        data = {
            "total": len(articles),
            "articles": [{**a, "url": base + a["url"]} for a in articles],
        }
        self._send(Resource(json.dumps(data, ensure_ascii=False).encode(), "application/json"))

    def _send(self, resource: Resource) -> None:
        self.server.responses.append((self.path, resource.status))
        self.send_response(resource.status)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(resource.body)))
        if resource.status == 200 and not self.path.startswith(
            ("/module/", "/gdtraffic/gkmlpt/api")
        ):
            self.send_header("ETag", _etag(resource.body))
            self.send_header("Last-Modified", LAST_MODIFIED)
        for name, value in resource.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(resource.body)


class PortalServer(ThreadingHTTPServer):
    """The test portal on 127.0.0.1, on a free port, in a daemon thread."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.resources, self.published = build()
        self.requests: list[str] = []
        self.responses: list[tuple[str, int]] = []  # (path, status) of every answer
        self.failed: set[str] = set()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> PortalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        time.sleep(0)
