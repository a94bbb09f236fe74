"""A hostile portal on 127.0.0.1: lists that never end, totals of 10¹², cycles, redirects
off the agency's site, a portal that says come back later."""

from __future__ import annotations

import datetime as dt
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

REPORT = "某县信访局2022年政府信息公开工作年度报告"


def page(body: str) -> bytes:
    return f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()


class _Handler(BaseHTTPRequestHandler):
    server: HostilePortal

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.requests.append((time.monotonic(), self.path))
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        path = parts.path
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if path == "/cal/index.html":  # a calendar: every day links the next, forever
            day = dt.date.fromisoformat(query.get("d", ["2024-01-01"])[0])
            nxt = (day + dt.timedelta(days=1)).isoformat()
            return self._send(
                200, page(f'<p>{day}</p><a href="/cal/index.html?d={nxt}">下一页</a>')
            )
        if path == "/hw/index.html":  # Hanweb announcing 10¹² records
            return self._send(
                200,
                page(
                    '<script type="text/xml"><datastore><recordset><record><![CDATA[<li><a '
                    f'href="/hw/t1.html" title="{REPORT}">x</a><span>2023-01-05</span></li>]]>'
                    "</record></recordset><totalrecord>1000000000000</totalrecord>"
                    "</datastore></script>"
                ),
            )
        if path == "/module/web/jpage/dataproxy.jsp":
            return self._send(200, b"<datastore><recordset></recordset></datastore>", "text/xml")
        if path in ("/cycle/a.html", "/cycle/b.html"):  # A → B → A
            other = "/cycle/b.html" if path.endswith("a.html") else "/cycle/a.html"
            return self._send(200, page(f'<a href="{other}">下一页</a>'))
        if path == "/off/index.html":
            other = f"http://127.0.0.1:{self.server.other_port}/t2.html"
            return self._send(
                200,
                page(
                    f'<ul><li><a href="/off/t1.html" title="{REPORT}">x</a>'
                    f'<span>2023-01-05</span></li><li><a href="{other}" '
                    f'title="{REPORT.replace("2022", "2021")}">y</a><span>2022-01-05</span>'
                    "</li></ul>"
                ),
            )
        if path == "/off/t1.html":  # a report page that redirects to another site
            location = f"http://127.0.0.1:{self.server.other_port}/t1.html"
            return self._send(302, b"", headers={"Location": location})
        if path == "/busy/index.html":  # come back in a second
            if not self.server.told_busy:
                self.server.told_busy = True
                return self._send(429, b"busy", headers={"Retry-After": "1"})
            return self._send(200, page("<p>no reports yet</p>"))
        return self._send(404, b"not here")

    def _send(
        self, status: int, body: bytes, kind: str = "text/html; charset=utf-8", headers=None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class HostilePortal(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, other_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.other_port = other_port  # another site on the same host
        self.requests: list[tuple[float, str]] = []
        self.told_busy = False
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> HostilePortal:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


LISTS = {
    "calendar": "/cal/index.html",
    "hanweb-total": "/hw/index.html",
    "cycle": "/cycle/a.html",
    "off-site": "/off/index.html",
    "busy": "/busy/index.html",
}


def sources(url: str) -> str:
    """One agency per list; the off-site list's agency is the one its titles name."""
    names = {"off-site": "某县信访局"}
    return "\n".join(
        f'[[agency]]\nid = "{agency}"\nname = "{names.get(agency, f"某县机关{n}")}"\n'
        f'level = "county_dept"\nlist_urls = ["{url}{path}"]\n'
        for n, (agency, path) in enumerate(LISTS.items())
    )
