"""A crawl of a report page whose tables are pictures (tests/corpus/pictured: the real
Pingtan page with its tables as screenshots), served on 127.0.0.1: the pictures are
fetched, read by OCR in their places, and the report is the page's whole record."""

from __future__ import annotations

import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from parsers import parse_bytes
from tests.crawler.conftest import pingtan_sources
from tests.support import ROOT, crawl_args, run

pytestmark = pytest.mark.slow  # a real crawl

PICTURED = ROOT / "tests" / "corpus" / "pictured"
REAL_PAGE = "real-page-title-and-date-outside-content.html"
TITLE = "平潭综合实验区2024年度政府信息公开工作年度报告"
LIST = f"""<html><head><meta charset="utf-8"><title>年度报告</title></head><body>
<div class="list"><ul>
<li><a href="/nb/t20250310_97791.htm" title="{TITLE}">{TITLE}</a><span>2025-03-10</span></li>
</ul></div></body></html>"""


class _Portal(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.seen.append(self.path)
        if self.path == "/nb/index.html":
            body, kind = LIST.encode(), "text/html; charset=utf-8"
        elif self.path == "/nb/t20250310_97791.htm":
            body = (PICTURED / "real-page-tables-as-pictures.html").read_bytes()
            kind = "text/html; charset=utf-8"
        elif self.path.startswith("/picture/table-"):
            body, kind = (PICTURED / self.path.rsplit("/", 1)[1]).read_bytes(), "image/png"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_crawl_reads_a_report_page_whose_tables_are_pictures(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    sources = pingtan_sources(f"{url}/nb/index.html")
    (tmp_path / "agencies.toml").write_text(sources, encoding="utf-8")
    try:
        done = run(*crawl_args(), cwd=tmp_path, timeout=240)
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr
    assert "报告页中的图片 3" in done.stdout and "3 页扫描图像或图片经文字识别读出" in done.stdout
    assert sorted(p for p in _Portal.seen if p.startswith("/picture/")) == [
        f"/picture/table-{n}.png" for n in (1, 2, 3)
    ]
    text = parse_bytes((ROOT / "tests/corpus" / REAL_PAGE).read_bytes())
    conn = sqlite3.connect(tmp_path / "nianbao.db")
    cells = dict(
        conn.execute(
            "SELECT k.key, c.value FROM latest_reports r JOIN cells c ON c.report_id = r.id "
            "JOIN cell_keys k ON k.id = c.key_id WHERE r.agency_id = 'pingtan' AND r.year = 2024"
        )
    )
    rules = {rule for (rule,) in conn.execute("SELECT rule FROM findings")}
    conn.close()
    assert cells == text["cells"]
    assert "template.missing_table" not in rules and "cells.ocr" in rules
