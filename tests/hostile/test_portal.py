"""A crawl of a hostile portal ends, bounded in time and memory, with every list recorded
as not read to its end (and why), nothing fetched off the agencies' own sites, and a
portal's Retry-After believed."""

from __future__ import annotations

import json
import sqlite3
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import ClassVar

import pytest

from crawler.browser import chromium
from tests.hostile.portal import HostilePortal, sources
from tests.support import crawl_args, run_measured

pytestmark = pytest.mark.slow  # real processes


class _Counter(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def test_hostile_portal_is_crawled_within_bounds(tmp_path: Path) -> None:
    other = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)  # another site, same host
    Thread(target=other.serve_forever, daemon=True).start()
    try:
        with HostilePortal(other.server_address[1]) as portal:
            (tmp_path / "agencies.toml").write_text(sources(portal.url), encoding="utf-8")
            started = time.monotonic()
            done, peak_mb = run_measured(
                *crawl_args("-s", "NIANBAO_LIST_PAGE_CAP=40", "-s", "RETRY_BACKOFF_MAX=5"),
                cwd=tmp_path,
                timeout=300,
            )
            seconds = time.monotonic() - started
            requests = list(portal.requests)
    finally:
        other.shutdown()
        other.server_close()
    assert "抓取完成" in done.stdout, done.stderr
    assert seconds < 120 and peak_mb < 800, (seconds, peak_mb)
    conn = sqlite3.connect(tmp_path / "nianbao.db")
    reads = {
        url.rsplit(":", 1)[1].split("/", 1)[1]: (reason, pages)
        for url, reason, pages in conn.execute(
            "SELECT list_url, stop_reason, pages_read FROM list_reads WHERE run_id = 1"
        )
    }
    assert reads["cal/index.html"] == ("page_cap", 40)  # the calendar is cut at the cap
    assert reads["hw/index.html"][0] in ("page_cap", "total_not_reached")
    assert reads["cycle/a.html"] == ("loop", 2)
    # Read after its 429. A page without one item proves no column (a shell, perhaps,
    # whose list a script draws) until a browser has read it as empty too.
    empty_read = ("end", 1) if chromium() else ("unproven_end", 1)
    assert reads["busy/index.html"] == empty_read
    # 10¹² announced records cost at most the cap of proxy requests.
    assert sum("dataproxy" in p for _, p in requests) <= 40
    # Nothing fetched from another site: not after a redirect, not on another port.
    assert _Counter.hits == []
    stats = json.loads(conn.execute("SELECT stats FROM crawl_runs WHERE id = 1").fetchone()[0])
    assert int(stats["nianbao/offsite_requests"]) >= 1
    assert int(stats["nianbao/offsite_links"]) >= 1
    # The 429 said to come back in a second: the retry waited for it.
    busy = [t for t, p in requests if p == "/busy/index.html"]
    assert len(busy) == (3 if chromium() else 2) and busy[1] - busy[0] >= 0.9  # 3rd: browser
