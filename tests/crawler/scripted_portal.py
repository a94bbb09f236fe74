"""A portal whose columns a static read cannot read, served on 127.0.0.1: a 年报 column
drawn by a script from a JSON API, paged by a 下一页 control a script handles (as layui,
Vue and jQuery list pages are), and a column behind a cookie challenge (a 412 whose script
sets a cookie and reloads, as anti-bot front ends answer a first request).
"""

from __future__ import annotations

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

CHALLENGE = """<html><head><script>
document.cookie = "passed=1; path=/"; location.reload();
</script></head><body></body></html>"""


def _title(agency: str, year: int) -> str:
    return f"{agency}{year}年政府信息公开工作年度报告"


def _li(agency: str, year: int, date: str, folder: str) -> dict[str, str]:
    return {"title": _title(agency, year), "url": f"{folder}/t{year}.txt", "date": date}


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedPortal

    def log_message(self, *args: Any) -> None:
        pass

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
        if path == "/guard/index.html":
            if "passed=1" not in (self.headers.get("Cookie") or ""):
                return self._send(412, CHALLENGE.encode())
            lis = "".join(
                f'<li><a href="/guard/t{y}.txt">{_title(a, y)}</a><span>{d}</span></li>'
                for a, y, d in CHALLENGED
            )
            return self._send(200, f"<html><body><ul>{lis}</ul></body></html>".encode())
        for folder, listed in (("/nb", SCRIPTED), ("/guard", CHALLENGED)):
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
    return f"""
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
"""
