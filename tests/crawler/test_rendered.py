"""Columns a static read cannot read, read in the installed Chromium as a person reads
them: a list drawn by scripts and paged by a script's 下一页, a column behind a cookie
challenge. Skipped where there is no Chromium (scripts/setup.sh installs it)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler.browser import chromium
from tests.crawler.scripted_portal import CHALLENGED, SCRIPTED, ScriptedPortal, sources
from tests.support import crawl_args, run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium() is None, reason="no Chromium (scripts/setup.sh installs it)"),
]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ScriptedPortal, str]:
    workdir = tmp_path_factory.mktemp("rendered")
    with ScriptedPortal() as portal:
        (workdir / "agencies.toml").write_text(sources(portal.url), encoding="utf-8")
        done = run(*crawl_args(), cwd=workdir, timeout=300)
        assert "finished" in done.stdout, done.stdout + done.stderr
        return workdir, portal, portal.url


def test_a_list_drawn_by_scripts_is_read_to_its_end_in_the_browser(crawled) -> None:
    workdir, portal, url = crawled
    conn = sqlite3.connect(workdir / "nianbao.db")
    found = conn.execute(
        "SELECT year FROM reports WHERE agency_id = 'dongling' ORDER BY year"
    ).fetchall()
    assert [y for (y,) in found] == sorted(y for _, y, _ in SCRIPTED)
    family, reason, complete = conn.execute(
        "SELECT family, stop_reason, complete FROM list_reads WHERE list_url = ?",
        (f"{url}/nb/index.html",),
    ).fetchone()
    assert (family, reason, complete) == ("rendered", "end", 1)
    assert portal.requests.count("/api/nb") == 2  # its two pages, each once


def test_a_cookie_challenge_is_passed_by_the_browser(crawled) -> None:
    workdir, _, url = crawled
    assert_read_whole = f"{url}/guard/index.html"
    conn = sqlite3.connect(workdir / "nianbao.db")
    found = conn.execute("SELECT year FROM reports WHERE agency_id = 'xiling'").fetchall()
    assert [y for (y,) in found] == [y for _, y, _ in CHALLENGED]
    (status,) = conn.execute(
        "SELECT status FROM source_health WHERE agency_id = 'xiling'"
    ).fetchone()
    assert status == "ok"
    (reason,) = conn.execute(
        "SELECT stop_reason FROM list_reads WHERE list_url = ?", (assert_read_whole,)
    ).fetchone()
    assert reason == "end"
