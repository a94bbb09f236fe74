"""Columns a static read cannot read, read in the installed Chromium as a person reads
them: a list drawn by scripts and paged by a script's 下一页, a column behind a cookie
challenge. Skipped where there is no Chromium (scripts/setup.sh installs it)."""

from __future__ import annotations

import json
import sqlite3
import time
import tomllib
from pathlib import Path

import pytest

from crawler.browser import chromium
from tests.crawler.scripted_portal import (
    CHALLENGED,
    DRAWN,
    FRAMED,
    MORE,
    PAGED,
    POSTBACK,
    SCRIPTED,
    TAB_PAGED,
    TAB_TOWNS,
    TABBED,
    ScriptedPortal,
    sources,
)
from tests.support import crawl_args, run

CAP = 6
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium() is None, reason="no Chromium (scripts/setup.sh installs it)"),
]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ScriptedPortal, str]:
    workdir = tmp_path_factory.mktemp("rendered")
    with ScriptedPortal() as portal:
        (workdir / "agencies.toml").write_text(sources(portal.url), encoding="utf-8")
        bounds = ["-s", "NIANBAO_RENDER_SECONDS=8", "-s", f"NIANBAO_LIST_PAGE_CAP={CAP}"]
        # One browser page for the host: a page a failed request left open would stop every
        # later column (each crawl closes what it opens, failures included).
        bounds += ["-s", "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT=1"]
        started = time.monotonic()
        done = run(*crawl_args(*bounds), cwd=workdir, timeout=300)
        portal.seconds = time.monotonic() - started
        assert "抓取完成" in done.stdout, done.stdout + done.stderr
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


def test_what_never_ends_is_cut_with_its_reason(crawled) -> None:
    """A 下一页 that always shows more stops at the page cap, a challenge that never
    passes fails after its seconds, a page whose scripts never rest is read as it stands;
    none is read to an end it does not have, and the crawl is bounded."""
    workdir, portal, url = crawled
    conn = sqlite3.connect(workdir / "nianbao.db")
    reads = {
        u.removeprefix(url): (reason, json.loads(detail))
        for u, reason, detail in conn.execute(
            "SELECT list_url, stop_reason, detail FROM list_reads"
        )
    }
    assert reads["/endless/index.html"][0] == "page_cap"
    reason, detail = reads["/never/index.html"]
    assert reason == "page_failed"
    (why,) = detail["failed"].values()
    assert why.startswith("render_failed: ") and ("did not pass" in why or "did not load" in why)
    assert reads["/restless/index.html"][0] == "end"
    found = conn.execute("SELECT year FROM reports WHERE agency_id = 'restless'").fetchall()
    assert found == [(2023,)]
    assert portal.seconds < 120


@pytest.mark.parametrize(
    ("agency", "column", "published"),
    [
        ("postback", "/aspx/List.aspx", POSTBACK),
        ("framed", "/frame/index.html", FRAMED),
        ("drawn", "/drawn/index.html", DRAWN),  # its report page's text drawn by a script
        ("more", "/more/index.html", MORE),  # lengthened by a 加载更多 button
        ("tabbed", "/tabs/index.html", TABBED),  # one list a year behind a script's tabs
    ],
)
def test_postback_pagers_and_framed_lists_are_read_to_their_end(
    crawled, agency: str, column: str, published: list
) -> None:
    workdir, _, url = crawled
    conn = sqlite3.connect(workdir / "nianbao.db")
    found = conn.execute(
        "SELECT year FROM reports WHERE agency_id = ? ORDER BY year", (agency,)
    ).fetchall()
    assert [y for (y,) in found] == sorted(y for _, y, _ in published)
    (reason,) = conn.execute(
        "SELECT stop_reason FROM list_reads WHERE list_url = ?", (url + column,)
    ).fetchone()
    assert reason == "end"
    cells = conn.execute(
        "SELECT count(*) FROM cell_values c JOIN reports r ON r.id = c.report_id "
        "WHERE r.agency_id = ? AND c.value IS NOT NULL",
        (agency,),
    ).fetchone()[0]
    assert cells >= 150 * len(published)  # the reports read, not pages that name them


@pytest.mark.parametrize("kind", ["element", "layui", "numbers"])
def test_ui_library_pagers_are_paged_to_the_last_page_they_show(crawled, kind: str) -> None:
    """Element UI's icon-only next button, layui's laypage and a pager of page numbers
    alone, over a list fetched by POST: every page read, the end proved by the pager's
    own last page (its next control disabled, no higher number)."""
    workdir, portal, url = crawled
    conn = sqlite3.connect(workdir / "nianbao.db")
    found = conn.execute(
        "SELECT year FROM reports WHERE agency_id = ? ORDER BY year", (f"paged-{kind}",)
    ).fetchall()
    assert [y for (y,) in found] == sorted(y for _, y, _ in PAGED[kind])
    reason, pages = conn.execute(
        "SELECT stop_reason, pages_read FROM list_reads WHERE list_url = ?",
        (f"{url}/paged/{kind}/index.html",),
    ).fetchone()
    assert (reason, pages) == ("end", 3)
    assert portal.requests.count(f"/api/paged/{kind}") == 3  # each page once


def test_a_pager_nothing_tells_the_next_page_of_proves_no_end(crawled) -> None:
    """An arrow image without a label beside 第1页: the first page is read, the end is
    not proved, and the years on the pages never shown are unverified, not missing."""
    workdir, _, url = crawled
    conn = sqlite3.connect(workdir / "nianbao.db")
    (reason,) = conn.execute(
        "SELECT stop_reason FROM list_reads WHERE list_url = ?",
        (f"{url}/paged/unlabelled/index.html",),
    ).fetchone()
    assert reason == "unproven_end"
    check = run("check", "--as-of", "2025-06-01", cwd=workdir)
    assert check.returncode == 0, check.stderr
    statuses = dict(
        conn.execute(
            "SELECT year, status FROM compliance WHERE agency_id = 'paged-unlabelled'"
        ).fetchall()
    )
    # The reports it showed are judged on their cells; the years it hid are not judged.
    assert {statuses[2023], statuses[2022]} <= {"ok", "late", "inconsistent"}
    assert {statuses[y] for y in (2021, 2020, 2019)} == {"unverified"}


def test_year_tabs_each_paged_by_their_own_pager(crawled) -> None:
    """A county's column of its townships' reports, one tab a year, each tab's list in
    pages of its own: every town's every report, filed under its own town."""
    workdir, _, url = crawled
    conn = sqlite3.connect(workdir / "nianbao.db")
    found = conn.execute(
        "SELECT agency_id, year FROM reports WHERE agency_id LIKE 'tabpaged-%' "
        "ORDER BY agency_id, year"
    ).fetchall()
    expected = sorted((f"tabpaged-{TAB_TOWNS.index(a)}", y) for a, y, _ in TAB_PAGED)
    assert found == expected
    (reason,) = conn.execute(
        "SELECT stop_reason FROM list_reads WHERE list_url = ?", (f"{url}/tabpaged/index.html",)
    ).fetchone()
    assert reason == "end"


def test_sources_discover_reads_a_script_drawn_column_in_the_browser() -> None:
    from tests.support import invoke

    with ScriptedPortal() as portal:
        done = invoke("sources", "discover", f"{portal.url}/nb/index.html")
    assert done.exit_code == 0, done.stderr
    assert "in a browser" in done.stdout.splitlines()[0]
    (entry,) = tomllib.loads(done.stdout)["agency"]
    assert entry["name"] == SCRIPTED[0][0]
    assert f"# {SCRIPTED[0][0]}: 2020, 2021, 2022, 2023" in done.stdout
