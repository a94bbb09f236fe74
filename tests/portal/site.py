"""A test portal: a TRS-style county site and a Hanweb-style site, served on 127.0.0.1.

Built from the corpus (reports as TRS article pages and as PDF/DOCX/DOC attachments), with
what real portals do to crawlers: paging over three pages, Hanweb's records hidden in a
script and the rest behind dataproxy.jsp, titles cut with …, a GBK page, a slow page, a 500
that succeeds on retry, a missing attachment, a redirect, robots.txt.

``PortalServer`` is a real HTTP server in a thread; ``EXPECTED`` says which agency has a
report for which year, for the tests to compare a crawl with.
"""

from __future__ import annotations

import hashlib
import html
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.corpus import make_formats

FORMATS = Path(__file__).resolve().parent.parent / "corpus" / "formats"
YEARS = (2019, 2020, 2021, 2022, 2023)
TRS_AGENCIES = {
    "demo-county": "某县人民政府",
    "demo-county-edu": "某县教育局",
    "demo-town-1": "某县第一镇人民政府",
    "demo-town-2": "某县第二镇人民政府",
}
HANWEB_AGENCIES = {
    "demo-city-env": "某市生态环境局",
    "demo-city-civil": "某市民政局",
}
# Years an agency did not publish: the crawl must not find them.
UNPUBLISHED = {("demo-town-2", 2023), ("demo-city-civil", 2019)}
ATTACHMENTS = ("pdf", "docx", "doc")
OFF_LIMITS_YEAR = 2018  # the year of the links the crawler must not follow
UNLISTED_TITLE = "某县农业农村局2022年政府信息公开工作年度报告"
# Sources whose portal is broken: the crawl must say so, never call their reports missing.
BROKEN = {
    "demo-gone": ("某县水利局", "/gone/index.html"),  # 404
    "demo-empty": ("某县林业局", "/empty/index.html"),  # a list naming no report
    "demo-home": ("某县统计局", "/moved-col/index.html"),  # redirected to the home page
}
BY_YEAR_AGENCY = ("demo-city-edu", "某市教育局")
BY_YEAR_PATH = "/module/xxgk/xxgkAnnualReport.jsp?area=11350500&fbtime={year}"
BY_YEAR_PUBLISHED = (2021, 2022, 2023)
LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"
PER_PAGE = 6


@dataclass
class Resource:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def _report_html(agency: str, year: int) -> str:
    template = "2019" if year <= 2020 else "2021"
    return make_formats.body(agency, year, template, None)


def _trs_article(title: str, date: str, body: str, attachment: str | None = None) -> str:
    link = (
        (
            f'<p>附件：<a href="{attachment}">{html.escape(title)}.{attachment.rsplit(".", 1)[1]}'
            "</a></p>"
        )
        if attachment
        else ""
    )
    return (
        f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" '
        f'content="{html.escape(title)}"><meta name="PubDate" content="{date} 09:30">'
        f'<title>{html.escape(title)}</title></head><body><div class="nav">首页 &gt; 年报'
        f'</div><div class="TRS_Editor">{body}{link}</div>'
        '<div class="footer">主办单位：某县人民政府</div></body></html>'
    )


def build() -> tuple[dict[str, Resource], set[tuple[str, int]]]:
    """The portal's resources by path (with query for dynamic ones) and the (agency, year)
    pairs it publishes."""
    res: dict[str, Resource] = {}
    published: set[tuple[str, int]] = set()
    res["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /private/\n", "text/plain")

    # TRS county site: one 年报 column for the county and its townships and departments.
    items = []
    n = 0
    for year in reversed(YEARS):
        for agency_id, name in TRS_AGENCIES.items():
            if (agency_id, year) in UNPUBLISHED:
                continue
            n += 1
            date = f"{year + 1}-01-{10 + n % 18:02d}"
            stamp = date.replace("-", "")
            title = f"{name}{year}年政府信息公开工作年度报告"
            folder = f"/trs/xxgk/nb/{stamp[:6]}"
            path = f"{folder}/t{stamp}_{1000 + n}.html"
            kind = ATTACHMENTS[n % 4] if n % 4 < 3 else None
            if kind:
                source = "merged-cells-2021" if year >= 2021 else "merged-cells-2019"
                attachment = f"P0{stamp}{n:04d}.{kind}"
                data = (FORMATS / f"{source}.{kind}").read_bytes()
                # The corpus attachments name another agency; the page's own body names
                # this one, as portals that publish both do.
                res[f"{folder}/{attachment}"] = Resource(data, _mime(kind))
                body = _report_html(name, year)
                res[path] = Resource(_trs_article(title, date, body, attachment).encode())
            else:
                res[path] = Resource(_trs_article(title, date, _report_html(name, year)).encode())
            published.add((agency_id, year))
            shown = title if n % 3 else title[:16] + "..."
            items.append((path, title, shown, date))
    # What real portals do: a page in GBK, a slow page, a 500 that succeeds on retry, an
    # attachment that is gone, a link to an old address that redirects.
    gbk, slow, flaky, moved = (items[i][0] for i in (1, 4, 7, 13))
    missing = next(p for p, *_ in items[9:] if "附件".encode() in res[p].body)
    page = (
        res[gbk]
        .body.decode()
        .replace(
            '<meta charset="utf-8">',
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
        )
    )
    res[gbk] = Resource(page.encode("gb18030"), "text/html; charset=gb2312")
    res[slow].headers["X-Test-Slow"] = "1.5"
    res[flaky].headers["X-Test-Fail-First"] = "500"
    res[missing] = Resource(
        res[missing]
        .body.replace(b'.pdf"', b'-gone.pdf"')
        .replace(b'.docx"', b'-gone.docx"')
        .replace(b'.doc"', b'-gone.doc"')
    )
    old = "/trs/old/" + moved.rsplit("/", 1)[1]
    res[old] = Resource(b"", status=301, headers={"Location": moved})
    items[13] = (old, *items[13][1:])
    news = (
        "/trs/xxgk/nb/202203/t20220301_99.html",
        "关于做好2022年政务公开工作的通知",
        "关于做好2022年政务公开工作的通知",
        "2022-03-01",
    )
    items.insert(3, news)
    # robots.txt forbids /private/; the mirror is another host: neither may be fetched.
    items.insert(
        5,
        (
            "/private/nb/t1.html",
            f"某县人民政府{OFF_LIMITS_YEAR}年政府信息公开工作年度报告",
            "某县人民政府",
            "2019-01-05",
        ),
    )
    items.insert(
        8,
        (
            "http://127.0.0.2/trs/xxgk/nb/t2.html",
            f"某县教育局{OFF_LIMITS_YEAR}年政府信息公开工作年度报告",
            "某县教育局",
            "2019-01-06",
        ),
    )
    # A report of an agency the sources file does not list: recorded and skipped.
    items.insert(
        10, ("/trs/xxgk/nb/202301/t20230105_98.html", UNLISTED_TITLE, UNLISTED_TITLE, "2023-01-05")
    )
    res["/private/nb/t1.html"] = Resource(_trs_article("x", "2019-01-05", "<p>x</p>").encode())
    res[news[0]] = Resource(_trs_article(news[1], news[3], "<p>通知正文。</p>").encode())
    pages = [items[i : i + PER_PAGE] for i in range(0, len(items), PER_PAGE)]
    for number, page in enumerate(pages):
        lis = "".join(
            f'<li><a href="{_relative(p)}" title="{html.escape(t)}">'
            f"{html.escape(s)}</a><span>{d}</span></li>"
            for p, t, s, d in page
        )
        script = (
            f"<script>var countPage = {len(pages)}//共多少页\nvar currentPage = {number};\n"
            'createPageHTML(countPage, currentPage, "index", "html");</script>'
        )
        name = "index.html" if number == 0 else f"index_{number}.html"
        res[f"/trs/xxgk/nb/{name}"] = Resource(
            f'<html><head><meta charset="utf-8"></head><body><ul class="list">{lis}</ul>'
            f"{script}</body></html>".encode()
        )

    # Hanweb city site: records in the datastore, the rest from dataproxy.jsp.
    records = []
    n = 0
    for year in reversed(YEARS):
        for agency_id, name in HANWEB_AGENCIES.items():
            if (agency_id, year) in UNPUBLISHED:
                continue
            n += 1
            date = f"{year + 1}-01-{20 + n % 8:02d}"
            y, m, d = date.split("-")
            path = f"/art/{y}/{int(m)}/{int(d)}/art_1229_{3000 + n}.html"
            title = f"{name}{year}年政府信息公开工作年度报告"
            res[path] = Resource(
                _trs_article(title, date, _report_html(name, year))
                .replace('class="TRS_Editor"', 'id="zoom"')
                .encode()
            )
            published.add((agency_id, year))
            records.append(
                f'<record><![CDATA[<li><a href="{path}" title="{html.escape(title)}" '
                f'target="_blank">{html.escape(title[:14])}...</a><span>{date}</span></li>]]>'
                "</record>"
            )
    shown = 3
    res["/col/col1229/index.html"] = Resource(
        (
            '<html><head><meta charset="utf-8"></head><body><div id="470">'
            '<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/'
            "dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=1229&unitid=8016&"
            'permissiontype=0"></a>]]></nextgroup><recordset>'
            + "".join(records[:shown])
            + f"</recordset><totalrecord>{len(records)}</totalrecord>"
            "</datastore></script></div></body></html>"
        ).encode()
    )
    res["@hanweb-records"] = Resource("\n".join(records).encode(), "text/plain")
    # Hanweb's annual-report module: one URL per unit and year, no list.
    for year in BY_YEAR_PUBLISHED:
        title = f"{BY_YEAR_AGENCY[1]}{year}年政府信息公开工作年度报告"
        res[BY_YEAR_PATH.format(year=year)] = Resource(
            _trs_article(title, f"{year + 1}-02-01", _report_html(BY_YEAR_AGENCY[1], year))
            .replace('class="TRS_Editor"', 'id="zoom"')
            .encode()
        )
        published.add((BY_YEAR_AGENCY[0], year))
    res["/"] = Resource("<html><body><h1>某县人民政府门户网站</h1></body></html>".encode())
    res["/empty/index.html"] = Resource(
        '<html><body><ul><li><a href="/empty/1.html">关于做好政务公开工作的通知</a></li></ul>'
        "</body></html>".encode()
    )
    res["/moved-col/index.html"] = Resource(b"", status=302, headers={"Location": "/"})
    return res, published


def _relative(path: str) -> str:
    """A link as TRS lists print it: ./YYYYMM/tYYYYMMDD_ID.html beside the list."""
    prefix = "/trs/xxgk/nb/"
    return "./" + path[len(prefix) :] if path.startswith(prefix) else path


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


def sources_toml(url: str) -> str:
    """The sources file of the test portal served at ``url``."""
    out = []
    for agency_id, name in TRS_AGENCIES.items():
        level = (
            "county"
            if name.endswith("县人民政府")
            else ("township" if "镇" in name else "county_dept")
        )
        out.append((agency_id, name, level, f"{url}/trs/xxgk/nb/index.html"))
    for agency_id, name in HANWEB_AGENCIES.items():
        out.append((agency_id, name, "city_dept", f"{url}/col/col1229/index.html"))
    for agency_id, (name, path) in BROKEN.items():
        out.append((agency_id, name, "county_dept", url + path))
    out.append((*BY_YEAR_AGENCY, "city_dept", url + BY_YEAR_PATH))
    return "\n".join(
        f'[[agency]]\nid = "{a}"\nname = "{n}"\nlevel = "{lv}"\nregion = "某省某市某县"\n'
        f'list_urls = ["{u}"]\n'
        for a, n, lv, u in out
    )


def _mime(kind: str) -> str:
    return {
        "pdf": "application/pdf",
        "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }[kind]


class _Handler(BaseHTTPRequestHandler):
    server: PortalServer

    def log_message(self, *args: object) -> None:  # quiet: tests read the counters instead
        pass

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        parts = urlsplit(self.path)
        if parts.path == "/module/web/jpage/dataproxy.jsp":
            return self._dataproxy(parse_qs(parts.query))
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

    def _send(self, resource: Resource) -> None:
        self.server.responses.append((self.path, resource.status))
        self.send_response(resource.status)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(resource.body)))
        if resource.status == 200 and not self.path.startswith("/module/"):
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
