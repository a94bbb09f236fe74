"""A portal whose columns a static read cannot read, served on 127.0.0.1: a 年报 column
drawn by a script from a JSON API, paged by a 下一页 control a script handles (as layui,
Vue and jQuery list pages are), and a column behind a cookie challenge (a 412 whose script
sets a cookie and reloads, as anti-bot front ends answer a first request). And three that
must be cut, never read to an end: a 下一页 that always shows more, a challenge that never
passes, a page whose scripts never stop asking the server (its list read as it stands).
"""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support import report

DONGLING = "青石县东岭镇人民政府"
XILING = "青石县西岭镇人民政府"
PER_PAGE = 3
# (agency, year, listing date) as the API lists them, newest first.
SCRIPTED = [(DONGLING, y, f"{y + 1}-01-2{y % 10}") for y in (2023, 2022, 2021, 2020)]
CHALLENGED = [(XILING, 2023, "2024-01-26")]
# An ASP.NET WebForms list paged by its AspNetPager's __doPostBack links (a form posted
# back to the same address), and a column whose list sits in an iframe.
POSTBACK_AGENCY = "青石县水利局"
POSTBACK = [(POSTBACK_AGENCY, y, f"{y + 1}-01-1{y % 10}") for y in (2023, 2022, 2021)]
# A plain column whose report pages draw their text from an API (a Vue-style article).
DRAWN_AGENCY = "青石县财政局"
DRAWN = [(DRAWN_AGENCY, 2023, "2024-01-19")]
# A list that a 加载更多 button lengthens, two at a time, until there is no more.
MORE_AGENCY = "青石县农业农村局"
MORE = [(MORE_AGENCY, y, f"{y + 1}-01-2{y % 10}") for y in (2023, 2022, 2021, 2020)]
# A column split into one list a year, the year switched by a script's tabs.
TABBED_AGENCY = "青石县卫生健康委员会"
TABBED = [(TABBED_AGENCY, y, f"{y + 1}-01-1{y % 10}") for y in (2023, 2022, 2021)]
FRAMED_AGENCY = "青石县教育局"
FRAMED = [(FRAMED_AGENCY, y, f"{y + 1}-01-15") for y in (2023, 2022)]

SHELL = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title>
</head><body>
<div class="crumb"><a href="/">首页</a> &gt; 政府信息公开年报</div>
<ul id="list"></ul>
<div class="pager"><span id="count"></span>
<a id="next" href="javascript:void(0)" onclick="go(page + 1)">下一页</a></div>
<script>
var page = 1, pages = 1;
function go(n) {
  if (n > pages) { return; }
  fetch('/api/nb?page=' + n).then(function (r) { return r.json(); }).then(function (data) {
    page = n; pages = data.pages;
    var list = document.getElementById('list'); list.innerHTML = '';
    data.items.forEach(function (it) {
      var li = document.createElement('li');
      li.innerHTML = '<a href="' + it.url + '">' + it.title + '</a><span>' + it.date + '</span>';
      list.appendChild(li);
    });
    document.getElementById('count').textContent = '共' + pages + '页 第' + page + '页';
    var next = document.getElementById('next');
    if (page >= pages) { next.className = 'disabled'; next.style.display = 'none'; }
  });
}
go(1);
</script></body></html>"""

# Each click shows another page of notices, for ever.
ENDLESS = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><ul id="list"></ul>
<a id="next" href="javascript:void(0)" onclick="go(page + 1)">下一页</a>
<script>
var page = 0;
function go(n) { page = n; var list = document.getElementById('list'); list.innerHTML = '';
  for (var i = 0; i < 3; i++) { var li = document.createElement('li');
    li.innerHTML = '<a href="/endless/n' + n + '_' + i + '.html">关于做好第' + n
      + '批政务公开工作的通知' + i + '</a><span>2024-01-01</span>'; list.appendChild(li); } }
go(1);
</script></body></html>"""
# Its scripts ask the server every tenth of a second; its list is there from the start.
RESTLESS = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><ul>
<li><a href="/restless/t2023.txt">{title}</a><span>2024-01-22</span></li></ul>
<script>setInterval(function () { fetch('/api/ping?' + Date.now()); }, 100);</script>
</body></html>"""
RESTLESS_AGENCY = "青石县南山镇人民政府"

POSTBACK_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<form method="post" action="/aspx/List.aspx" id="form1">
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="">
<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="">
<input type="hidden" name="__VIEWSTATE" value="/wEPDwUKMTM1NjE4NzQ0MQ9kFgICAw9kFgI=">
<script>
function __doPostBack(eventTarget, eventArgument) {
  var f = document.getElementById('form1');
  f.__EVENTTARGET.value = eventTarget; f.__EVENTARGUMENT.value = eventArgument; f.submit();
}
</script>
<table id="GridView1">{rows}</table>
<div id="AspNetPager1">共{pages}页 第{page}页 {next}</div>
</form></body></html>"""
ARTICLE_SHELL = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>详情</title></head>
<body><div id="app"><h1 id="title"></h1><div id="content"></div></div>
<script>
fetch('/api/article?id=' + location.search.split('=')[1]).then(function (r) { return r.json(); })
  .then(function (a) { document.getElementById('title').textContent = a.title;
    document.getElementById('content').innerHTML = a.content; });
</script></body></html>"""
LOAD_MORE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<ul id="list"></ul><button id="more" onclick="more()">加载更多</button>
<script>
var next = 1;
function more() {
  fetch('/api/more?batch=' + next).then(function (r) { return r.json(); }).then(function (d) {
    d.items.forEach(function (it) { var li = document.createElement('li');
      li.innerHTML = '<a href="' + it.url + '">' + it.title + '</a><span>' + it.date + '</span>';
      document.getElementById('list').appendChild(li); });
    next += 1; if (!d.more) { document.getElementById('more').style.display = 'none'; } });
}
more();
</script></body></html>"""
YEAR_TABS = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<ul class="tabs"><li onclick="show(2023)">2023年度</li><li onclick="show(2022)">2022年度</li>
<li onclick="show(2021)">2021年度</li></ul><ul id="list"></ul>
<script>
var byYear = {byYear};
function show(y) { var it = byYear[y];
  document.getElementById('list').innerHTML = '<li><a href="' + it.url + '">' + it.title
    + '</a><span>' + it.date + '</span></li>'; }
show(2023);
</script></body></html>"""
FRAME_SHELL = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<h3>政府信息公开年报</h3>
<iframe src="/frame/inner/list.html" width="100%" height="600" frameborder="0"></iframe>
</body></html>"""

# Pagers as UI libraries draw them, over a list a script fetches (``{api}``): Element
# UI's el-pagination (next and previous are icon buttons without text, the last page's
# next button disabled), layui's laypage (下一页 marked layui-disabled on the last page),
# page numbers alone, and a pager nothing tells the next page of (an arrow image
# without a label beside 第N页), whose end is then not proved.
PAGED_SHELL = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<ul id="list"></ul><div id="pager"></div>
<script>
var page = 1, pages = 1;
function draw() {}
function go(n) {
  fetch('{api}', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({pageNum: n, pageSize: 2})})
  .then(function (r) { return r.json(); }).then(function (data) {
    page = n; pages = data.pages;
    document.getElementById('list').innerHTML = data.items.map(function (it) {
      return '<li><a href="' + it.url + '">' + it.title + '</a><span>' + it.date + '</span></li>';
    }).join('');
    document.getElementById('pager').innerHTML = pager(page, pages, data.total);
  });
}
{pager}
document.addEventListener('click', function (e) {
  var to = e.target.closest('[data-to]');
  if (to && !to.hasAttribute('disabled') && !/disabled/.test(to.className)) {
    go(Number(to.getAttribute('data-to')));
  }
});
go(1);
</script></body></html>"""
PAGERS = {
    "element": """function pager(p, n, total) {
  var nums = '';
  for (var i = 1; i <= n; i++) {
    nums += '<li class="number' + (i === p ? ' active' : '') + '" data-to="' + i + '">' + i
      + '</li>';
  }
  return '<div class="el-pagination is-background"><span class="el-pagination__total">共 '
    + total + ' 条</span><button type="button" class="btn-prev"'
    + (p === 1 ? ' disabled="disabled"' : '') + ' data-to="' + (p - 1)
    + '"><i class="el-icon el-icon-arrow-left"></i></button><ul class="el-pager">' + nums
    + '</ul><button type="button" class="btn-next"' + (p === n ? ' disabled="disabled"' : '')
    + ' data-to="' + (p + 1) + '"><i class="el-icon el-icon-arrow-right"></i></button></div>';
}""",
    "layui": """function pager(p, n, total) {
  var out = '<div class="layui-box layui-laypage layui-laypage-default" id="layui-laypage-1">'
    + '<a href="javascript:;" class="layui-laypage-prev' + (p === 1 ? ' layui-disabled' : '')
    + '" data-to="' + (p - 1) + '">上一页</a>';
  for (var i = 1; i <= n; i++) {
    out += i === p ? '<span class="layui-laypage-curr"><em class="layui-laypage-em"></em><em>'
      + i + '</em></span>' : '<a href="javascript:;" data-to="' + i + '">' + i + '</a>';
  }
  return out + '<a href="javascript:;" class="layui-laypage-next'
    + (p === n ? ' layui-disabled' : '') + '" data-to="' + (p + 1) + '">下一页</a></div>';
}""",
    "numbers": """function pager(p, n, total) {
  var out = '<div class="page">';
  for (var i = 1; i <= n; i++) {
    out += '<a href="javascript:void(0)" class="' + (i === p ? 'cur' : '') + '" data-to="' + i
      + '">' + i + '</a> ';
  }
  return out + '</div>';
}""",
    "unlabelled": """function pager(p, n, total) {
  return '<div class="fy"><span>第' + p + '页</span> <img src="/img/arrow.gif" width="12"'
    + ' height="12" style="cursor:pointer" data-to="' + Math.min(p + 1, n) + '"></div>';
}""",
}
# (agency, year, listing date) of each paged list, newest first: two pages and more.
PAGED_AGENCIES = {
    "element": "青石县市场监督管理局",
    "layui": "青石县自然资源局",
    "numbers": "青石县交通运输局",
    "unlabelled": "青石县民政局",
}
PAGED = {
    kind: [(agency, y, f"{y + 1}-01-2{y % 10}") for y in (2023, 2022, 2021, 2020, 2019)]
    for kind, agency in PAGED_AGENCIES.items()
}
# A county's column of its townships' reports, one tab a year of publication, each year's
# list paged by page numbers of its own.
TAB_TOWNS = ["青石县上河镇人民政府", "青石县下河镇人民政府", "青石县中河镇人民政府"]
TAB_PAGED = [
    (town, y, f"{y + 1}-01-1{n}") for y in (2023, 2022) for n, town in enumerate(TAB_TOWNS)
]
TAB_PAGED_SHELL = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<div class="tab"><span onclick="show(2024, 1)">2024年</span>
<span onclick="show(2023, 1)">2023年</span></div>
<ul id="list"></ul><div class="page" id="pager"></div>
<script>
var byYear = {byYear}, year = 2024;
function show(y, p) { year = y; var items = byYear[y], pages = Math.ceil(items.length / 2);
  document.getElementById('list').innerHTML = items.slice((p - 1) * 2, p * 2).map(function (it) {
    return '<li><a href="' + it.url + '">' + it.title + '</a><span>' + it.date + '</span></li>';
  }).join('');
  var out = '';
  for (var i = 1; i <= pages; i++) {
    out += '<a href="javascript:void(0)" onclick="show(year, ' + i + ')">' + i + '</a> ';
  }
  document.getElementById('pager').innerHTML = out;
}
show(2024, 1);
</script></body></html>"""

CHALLENGE = """<html><head><script>
document.cookie = "passed=1; path=/"; location.reload();
</script></head><body></body></html>"""


def _postback_page(page: int) -> str:
    """Page ``page`` of the postback list, two rows a page."""
    pages = -(-len(POSTBACK) // 2)
    rows = "".join(
        f'<tr><td><a href="/aspx/t{y}.txt">{_title(a, y)}</a></td><td>{d}</td></tr>'
        for a, y, d in POSTBACK[(page - 1) * 2 : page * 2]
    )
    following = (
        f"<a href=\"javascript:__doPostBack('AspNetPager1','{page + 1}')\">下一页</a>"
        if page < pages
        else ""
    )
    return (
        POSTBACK_PAGE.replace("{rows}", rows)
        .replace("{pages}", str(pages))
        .replace("{page}", str(page))
        .replace("{next}", following)
    )


def _static_list(listed: list[tuple[str, int, str]], href: str) -> bytes:
    """A plain list of reports, no pager: ``href`` with {year} is each report's address."""
    lis = "".join(
        f'<li><a href="{href.format(year=y)}">{_title(a, y)}</a><span>{d}</span></li>'
        for a, y, d in listed
    )
    return f"<html><body><ul>{lis}</ul></body></html>".encode()


def _title(agency: str, year: int) -> str:
    return f"{agency}{year}年政府信息公开工作年度报告"


def _li(agency: str, year: int, date: str, folder: str) -> dict[str, str]:
    return {"title": _title(agency, year), "url": f"{folder}/t{year}.txt", "date": date}


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedPortal

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.requests.append(self.path)
        if urlsplit(self.path).path == "/aspx/List.aspx":
            form = parse_qs(body.decode())
            page = int(form.get("__EVENTARGUMENT", ["1"])[0] or 1)
            return self._send(200, _postback_page(page).encode())
        kind = urlsplit(self.path).path.removeprefix("/api/paged/")
        if kind in PAGED:
            asked = json.loads(body)
            page, size = int(asked["pageNum"]), int(asked["pageSize"])
            items = [_li(a, y, d, f"/paged/{kind}") for a, y, d in PAGED[kind]]
            answer = {
                "total": len(items),
                "pages": -(-len(items) // size),
                "items": items[(page - 1) * size : page * size],
            }
            data = json.dumps(answer, ensure_ascii=False).encode()
            return self._send(200, data, "application/json; charset=utf-8")
        return self._send(404, b"not here")

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        self.server.requests.append(path)
        if path == "/nb/index.html":
            return self._send(200, SHELL.encode())
        if path == "/api/nb":
            page = int(query.get("page", ["1"])[0])
            items = [_li(a, y, d, "/nb") for a, y, d in SCRIPTED]
            chunk = items[(page - 1) * PER_PAGE : page * PER_PAGE]
            pages = -(-len(items) // PER_PAGE)
            body = json.dumps({"pages": pages, "items": chunk}, ensure_ascii=False)
            return self._send(200, body.encode(), "application/json; charset=utf-8")
        if path == "/aspx/List.aspx":
            return self._send(200, _postback_page(1).encode())
        if path == "/drawn/index.html":
            return self._send(200, _static_list(DRAWN, "/drawn/detail.html?id={year}"))
        if path == "/drawn/detail.html":
            return self._send(200, ARTICLE_SHELL.encode())
        if path == "/api/article":
            year = int(query.get("id", ["0"])[0])
            text = report(DRAWN_AGENCY, year).decode()
            article = {
                "title": _title(DRAWN_AGENCY, year),
                "content": f"<pre>{html.escape(text)}</pre>",
            }
            body = json.dumps(article, ensure_ascii=False).encode()
            return self._send(200, body, "application/json; charset=utf-8")
        if path == "/more/index.html":
            return self._send(200, LOAD_MORE.encode())
        if path == "/api/more":
            batch = int(query.get("batch", ["1"])[0])
            items = [_li(a, y, d, "/more") for a, y, d in MORE][(batch - 1) * 2 : batch * 2]
            body = json.dumps({"items": items, "more": batch * 2 < len(MORE)}, ensure_ascii=False)
            return self._send(200, body.encode(), "application/json; charset=utf-8")
        if path == "/tabs/index.html":
            by_year = {y: _li(a, y, d, "/tabs") for a, y, d in TABBED}
            page = YEAR_TABS.replace("{byYear}", json.dumps(by_year, ensure_ascii=False))
            return self._send(200, page.encode())
        if path == "/frame/index.html":
            return self._send(200, FRAME_SHELL.encode())
        if path in ("/frame/inner/list.html", "/frame/inner/list_2.html"):
            # Relative links, to the frame's own folder; its pager inside the frame too.
            second = path.endswith("_2.html")
            body = _static_list(FRAMED[1:] if second else FRAMED[:1], "t{year}.txt")
            pager = b"" if second else '<a href="list_2.html">下一页</a>'.encode()
            return self._send(200, body.replace(b"</body>", pager + b"</body>"))
        kind = path.removeprefix("/paged/").removesuffix("/index.html")
        if kind in PAGED and path.endswith("/index.html"):
            page = PAGED_SHELL.replace("{api}", f"/api/paged/{kind}")
            return self._send(200, page.replace("{pager}", PAGERS[kind]).encode())
        if path == "/tabpaged/index.html":
            by_year: dict[int, list] = {}
            for agency, year, date in TAB_PAGED:
                folder = f"/tabpaged/{TAB_TOWNS.index(agency)}"
                by_year.setdefault(year + 1, []).append(_li(agency, year, date, folder))
            page = TAB_PAGED_SHELL.replace("{byYear}", json.dumps(by_year, ensure_ascii=False))
            return self._send(200, page.encode())
        if path == "/endless/index.html":
            return self._send(200, ENDLESS.encode())
        if path == "/never/index.html":  # a challenge no cookie passes
            return self._send(412, CHALLENGE.encode())
        if path == "/restless/index.html":
            page = RESTLESS.replace("{title}", _title(RESTLESS_AGENCY, 2023))
            return self._send(200, page.encode())
        if path == "/restless/t2023.txt":
            return self._send(200, report(RESTLESS_AGENCY, 2023), "text/plain; charset=utf-8")
        if path == "/api/ping":
            return self._send(200, b"{}", "application/json")
        if path == "/guard/index.html":
            if "passed=1" not in (self.headers.get("Cookie") or ""):
                return self._send(412, CHALLENGE.encode())
            return self._send(200, _static_list(CHALLENGED, "/guard/t{year}.txt"))
        for folder, listed in (
            ("/nb", SCRIPTED),
            ("/guard", CHALLENGED),
            ("/aspx", POSTBACK),
            ("/frame/inner", FRAMED),
            ("/more", MORE),
            ("/tabs", TABBED),
            *(
                (f"/tabpaged/{n}", [x for x in TAB_PAGED if x[0] == town])
                for n, town in enumerate(TAB_TOWNS)
            ),
            *((f"/paged/{kind}", listed) for kind, listed in PAGED.items()),
        ):
            for agency, year, _ in listed:
                if path == f"{folder}/t{year}.txt":
                    body = report(agency, year, "2021" if year >= 2021 else "2019")
                    return self._send(200, body, "text/plain; charset=utf-8")
        return self._send(404, b"not here")

    def _send(self, status: int, body: bytes, kind: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class ScriptedPortal(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[str] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> ScriptedPortal:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


def sources(url: str) -> str:
    return (
        f"""
[[agency]]
id = "dongling"
name = "{DONGLING}"
level = "township"
region = "某省某市青石县"
list_urls = ["{url}/nb/index.html"]
since = 2020

[[agency]]
id = "xiling"
name = "{XILING}"
level = "township"
region = "某省某市青石县"
list_urls = ["{url}/guard/index.html"]
since = 2023

[[agency]]
id = "endless"
name = "青石县北山镇人民政府"
level = "township"
list_urls = ["{url}/endless/index.html"]
since = 2023

[[agency]]
id = "never"
name = "青石县中山镇人民政府"
level = "township"
list_urls = ["{url}/never/index.html"]
since = 2023

[[agency]]
id = "restless"
name = "{RESTLESS_AGENCY}"
level = "township"
list_urls = ["{url}/restless/index.html"]
since = 2023

[[agency]]
id = "postback"
name = "{POSTBACK_AGENCY}"
level = "county_dept"
list_urls = ["{url}/aspx/List.aspx"]
since = 2021

[[agency]]
id = "framed"
name = "{FRAMED_AGENCY}"
level = "county_dept"
list_urls = ["{url}/frame/index.html"]
since = 2022

[[agency]]
id = "drawn"
name = "{DRAWN_AGENCY}"
level = "county_dept"
list_urls = ["{url}/drawn/index.html"]
since = 2023

[[agency]]
id = "more"
name = "{MORE_AGENCY}"
level = "county_dept"
list_urls = ["{url}/more/index.html"]
since = 2020

[[agency]]
id = "tabbed"
name = "{TABBED_AGENCY}"
level = "county_dept"
list_urls = ["{url}/tabs/index.html"]
since = 2021
"""
        + "".join(
            f"""
[[agency]]
id = "paged-{kind}"
name = "{agency}"
level = "county_dept"
list_urls = ["{url}/paged/{kind}/index.html"]
since = 2019
"""
            for kind, agency in PAGED_AGENCIES.items()
        )
        + "".join(
            f"""
[[agency]]
id = "tabpaged-{n}"
name = "{town}"
level = "township"
list_urls = ["{url}/tabpaged/index.html"]
since = 2022
"""
            for n, town in enumerate(TAB_TOWNS)
        )
    )
