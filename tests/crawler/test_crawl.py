"""`nianbao crawl` end to end: the test portal on 127.0.0.1 → a real archive file.

Each crawl runs as its own process (Twisted's reactor cannot restart), as users and the
scheduler run it.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
import tomllib
from pathlib import Path

import pytest

from demo.portal import (
    BROKEN,
    BROKEN_PAGE,
    BY_YEAR_AGENCY,
    BY_YEAR_DAY,
    BY_YEAR_PUBLISHED,
    CONFLICT,
    CORRECTED,
    CSRC,
    GKMLPT,
    HIDDEN,
    LAST_MODIFIED,
    LISTS,
    LOOP,
    OFF_LIMITS_YEAR,
    UNLISTED,
    PortalServer,
    sources_toml,
)
from tests.support import FAST, crawl_args, invoke, left_behind, reports, run, start

pytestmark = pytest.mark.slow  # real processes


def crawl(workdir: Path, *extra: str, wait: bool = True):
    if not wait:
        return start(*crawl_args(*extra), cwd=workdir)
    return run(*crawl_args(*extra), cwd=workdir)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory):
    """The test portal crawled three times into one archive, the third with --full:
    (portal, workdir, first, second, the portal's answers to each crawl)."""
    workdir = tmp_path_factory.mktemp("crawl")
    with PortalServer() as portal:
        (workdir / "agencies.toml").write_text(sources_toml(portal.url), encoding="utf-8")
        first = crawl(workdir)
        one = len(portal.responses)
        second = crawl(workdir)
        two = len(portal.responses)
        crawl(workdir, "--full")
        answers = [portal.responses[:one], portal.responses[one:two], portal.responses[two:]]
        yield portal, workdir, first, second, answers


def test_first_crawl_finds_every_published_report_once(crawled) -> None:
    portal, workdir, first, _, _ = crawled
    assert first.returncode == 1, first.stderr  # a missing attachment and broken sources
    found = reports(workdir / "nianbao.db")
    assert {(a, y) for a, y, _ in found if a is not None} == portal.published
    assert all(v == 1 for *_, v in found)  # one version each
    assert "第 1 次抓取完成" in first.stdout


def test_each_report_goes_to_the_agency_it_names_or_to_nobody(crawled) -> None:
    _, workdir, *_ = crawled
    conn = sqlite3.connect(workdir / "nianbao.db")
    # A township the sources file lacks: discovered, never the county's report.
    assert conn.execute("SELECT name, years FROM discovered_agencies").fetchall() == [
        (UNLISTED[0], f"[{UNLISTED[1]}]")
    ]
    assert conn.execute(
        "SELECT count(*) FROM reports WHERE agency = ?", (UNLISTED[0],)
    ).fetchone() == (0,)
    # Listed as 东岭镇's, the document is 西岭镇's: held unassigned, and the listing's year is
    # unverified, not missing.
    agency_id, year, other = CONFLICT
    assert conn.execute(
        "SELECT agency_id, year FROM reports WHERE agency = ?", (other,)
    ).fetchall() == [(None, year)]
    (evidence,) = conn.execute(
        "SELECT evidence FROM findings WHERE rule = 'report.attribution_conflict' "
        "AND agency_id = ? AND year = ? AND status = 'open'",
        (agency_id, year),
    ).fetchone()
    assert json.loads(evidence)["document"]["agency"] == other
    assert conn.execute(
        "SELECT status FROM compliance WHERE agency_id = ? AND year = ?", (agency_id, year)
    ).fetchone() == ("unverified",)
    # The 更正 is kept beside the report it corrects; the 图解 is counted, not fetched.
    assert conn.execute("SELECT agency_id, year, kind FROM related_documents").fetchall() == [
        (*CORRECTED, "correction")
    ]
    stats = json.loads(conn.execute("SELECT stats FROM crawl_runs WHERE id = 1").fetchone()[0])
    assert int(stats["nianbao/links_not_report/correction"]) == 1
    assert int(stats["nianbao/links_not_report/interpretation"]) == 1
    assert int(stats["nianbao/titles_unassigned/unknown"]) == 1


def test_every_list_is_read_to_its_end_or_says_why_not(crawled) -> None:
    portal, workdir, *_ = crawled
    conn = sqlite3.connect(workdir / "nianbao.db")
    reads = {
        url.removeprefix(portal.url): rest
        for url, *rest in conn.execute(
            "SELECT list_url, family, pages_announced, pages_read, records_announced, "
            "records_read, complete, stop_reason FROM list_reads WHERE run_id = 1"
        )
    }
    assert reads[LISTS["qs-county"]] == ["trs", 3, 3, None, 18, 1, "end"]
    assert reads[LISTS["ms-env"]] == ["hanweb", 2, 2, 9, 9, 1, "end"]
    assert reads[LISTS[CSRC[0]]] == ["trs", 3, 3, 5, 5, 1, "end"]
    assert reads[LISTS[HIDDEN[0]]] == ["hidden", 2, 2, None, 5, 1, "end"]
    assert reads[LISTS[GKMLPT[0]]][0] == "gkmlpt" and reads[LISTS[GKMLPT[0]]][4:] == [5, 1, "end"]
    assert reads[LISTS[LOOP[0]]][-2:] == [0, "loop"]
    assert reads[LISTS[BROKEN_PAGE[0]]][-2:] == [0, "page_failed"]
    # The CSRC pager is one-based: fg.shtml, fg_2, fg_3 — never fg_1.
    assert not any(r.endswith("fg_1.shtml") for r in portal.requests)
    # The loop ends: each page of the looping list is fetched once per crawl.
    first_crawl = (
        portal.requests[: portal.requests.index("/robots.txt", 1)]
        if portal.requests.count("/robots.txt") > 1
        else portal.requests
    )
    assert first_crawl.count("/plain/nb/list1.htm") == 1
    health = dict(conn.execute("SELECT agency_id, status FROM source_health"))
    assert health[LOOP[0]] == health[BROKEN_PAGE[0]] == "incomplete"
    statuses = dict(
        conn.execute(
            "SELECT agency_id || '/' || year, status FROM compliance WHERE agency_id IN (?, ?)",
            (LOOP[0], BROKEN_PAGE[0]),
        )
    )
    # bp-water's 2019 report sits on the page that fails: unverified, never missing.
    assert statuses[f"{BROKEN_PAGE[0]}/2019"] == "unverified"
    assert "missing" not in statuses.values()


def test_crawl_keeps_manners(crawled) -> None:
    portal, workdir, *_ = crawled
    assert not any(r.startswith("/private/") for r in portal.requests)  # robots.txt
    assert "/robots.txt" in portal.requests
    conn = sqlite3.connect(workdir / "nianbao.db")
    stats = json.loads(conn.execute("SELECT stats FROM crawl_runs WHERE id = 1").fetchone()[0])
    assert int(stats["nianbao/offsite_links"]) == 1  # the mirror on another host
    assert int(stats["nianbao/robots_forbidden"]) == 1
    assert conn.execute(
        "SELECT count(*) FROM reports WHERE year = ?", (OFF_LIMITS_YEAR,)
    ).fetchone() == (0,)
    flaky = next(p for p, r in portal.resources.items() if "X-Test-Fail-First" in r.headers)
    assert [s for p, s in portal.responses if p == flaky][:2] == [500, 200]  # retried
    moved = next(p for p, r in portal.resources.items() if r.status == 301)
    target = portal.resources[moved].headers["Location"]
    assert conn.execute(
        "SELECT count(*) FROM documents WHERE source_url = ? AND final_url = ?",
        (portal.url + moved, portal.url + target),
    ).fetchone() == (1,)


def test_documents_and_dates_are_archived_with_their_sources(crawled) -> None:
    portal, workdir, *_ = crawled
    conn = sqlite3.connect(workdir / "nianbao.db")
    formats = dict(conn.execute("SELECT format, count(*) FROM documents GROUP BY format"))
    assert {"html", "pdf", "docx", "doc", "ofd"} <= set(formats)
    # Every report is dated by the list it was found on, if any; the page's date is kept.
    sources = dict(
        conn.execute(
            "SELECT agency_id = ?, group_concat(DISTINCT published_source) FROM reports "
            "WHERE agency_id IS NOT NULL GROUP BY 1",
            (BY_YEAR_AGENCY[0],),
        )
    )
    assert sources == {0: "listing", 1: "page"}  # per-year URLs have no list
    assert conn.execute(
        "SELECT year, published_at FROM reports WHERE agency_id = ? ORDER BY year",
        (BY_YEAR_AGENCY[0],),
    ).fetchall() == [(y, f"{y + 1}-{BY_YEAR_DAY}") for y in BY_YEAR_PUBLISHED]
    # An attachment's report keeps the date of the page that links to it (read off the
    # crawler's loop, by the worker that parses the page).
    dated = conn.execute(
        "SELECT d.format, count(*), count(r.page_date) FROM reports r "
        "JOIN documents d ON d.sha256 = r.document_sha256 GROUP BY 1"
    ).fetchall()
    assert {f for f, *_ in dated} >= {"html", "pdf", "docx", "doc", "ofd"}
    assert all(reports == with_date for _, reports, with_date in dated), dated
    gbk = next(p for p, r in portal.resources.items() if "gb2312" in r.content_type)
    row = conn.execute(
        "SELECT d.etag IS NOT NULL, d.last_modified FROM documents d WHERE d.source_url = ?",
        (portal.url + gbk,),
    ).fetchone()
    assert row == (1, LAST_MODIFIED)
    # A report page the CMS split in two is read as one: its tables are on the second page.
    (split,) = [p for p, r in portal.resources.items() if b"createPageHTML(2, 0" in r.body]
    (cells,) = conn.execute(
        "SELECT count(*) FROM cell_values c JOIN reports r ON r.id = c.report_id "
        "JOIN documents d ON d.sha256 = r.document_sha256 WHERE d.final_url = ?",
        (portal.url + split,),
    ).fetchone()
    assert cells == 200
    # Attachments with tables win over the page's body: some reports come from them.
    assert (
        conn.execute(
            "SELECT count(*) FROM reports r JOIN documents d ON d.sha256 = r.document_sha256 "
            "WHERE d.format != 'html'"
        ).fetchone()[0]
        >= 10
    )


def test_broken_sources_are_findings_not_missing_reports(crawled) -> None:
    _, workdir, first, *_ = crawled
    conn = sqlite3.connect(workdir / "nianbao.db")
    health = dict(conn.execute("SELECT agency_id, status FROM source_health"))
    assert health["gone"] == "http_error"
    assert health["home"] == "redirected"
    assert health["empty"] == "no_reports"
    assert health["ms-env"] == "ok"
    found = dict(
        conn.execute(
            "SELECT agency_id, rule FROM findings WHERE rule LIKE 'source.%' "
            "AND agency_id IN (?, ?, ?)",
            tuple(BROKEN),
        )
    )
    assert found == {
        "gone": "source.unreachable",
        "home": "source.unreachable",
        "empty": "source.no_reports",
    }
    (evidence,) = conn.execute(
        "SELECT evidence FROM findings WHERE rule = 'source.unreadable_documents'"
    ).fetchone()
    assert "-gone." in evidence and "HTTP 404" in evidence
    statuses = {
        a: s for a, s in conn.execute("SELECT agency_id, status FROM compliance WHERE year = 2022")
    }
    assert {statuses[a] for a in BROKEN} == {"unverified"}
    for agency in BROKEN:
        assert f"  {agency}：" in first.stdout  # each broken source named in the summary


def _documents(answers: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return [
        (p, s) for p, s in answers if p.endswith((".pdf", ".doc", ".docx", ".ofd")) or "/t20" in p
    ]


def test_second_crawl_asks_for_list_pages_only_and_adds_nothing(crawled) -> None:
    """Documents the portal confirmed within revisit_days are not asked for again (only
    the ones that failed are); --full asks for each, conditionally (304)."""
    portal, workdir, _, second, (first_answers, answers, full) = crawled
    assert second.returncode == 1  # the same broken sources
    assert {s for _, s in _documents(answers)} <= {404}  # the missing attachment, again
    assert len(answers) <= 0.3 * len(first_answers)
    assert "取自存档" in second.stdout
    # 301: the old address of a moved page still answers with its redirect.
    assert _documents(full) and {s for _, s in _documents(full)} <= {304, 404, 301}
    assert len(_documents(full)) > 30
    conn = sqlite3.connect(workdir / "nianbao.db")
    runs = conn.execute(
        "SELECT documents_new, documents_changed, documents_unchanged FROM crawl_runs ORDER BY id"
    ).fetchall()
    assert runs[0][0] > 30 and runs[1][:2] == (0, 0) and runs[1][2] > 30
    assert runs[2][:2] == (0, 0) and runs[2][2] > 30
    assert len(reports(workdir / "nianbao.db")) == len(portal.published) + 1  # + 西岭镇's
    assert not (workdir / "nianbao.db.crawl").exists()  # finished: nothing to resume


def descendants(pid: int) -> set[int]:
    """Every process started under ``pid``, however deep (Linux /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*/children"):
            for child in task.read_text().split():
                if int(child) not in found:
                    found.add(int(child))
                    todo.append(int(child))
    return found


def test_a_killed_crawl_resumes_and_the_archive_stays_consistent(tmp_path: Path) -> None:
    with PortalServer() as portal:
        (tmp_path / "agencies.toml").write_text(sources_toml(portal.url), encoding="utf-8")
        slow = ["-s", "DOWNLOAD_DELAY=0.15", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
        proc = crawl(tmp_path, *slow, wait=False)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.2)
            try:
                if len(reports(tmp_path / "nianbao.db")) >= 6:
                    break
            except sqlite3.OperationalError:
                pass  # not created yet
        helpers = descendants(proc.pid)
        assert helpers  # the parse pool's server and workers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in helpers) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.1)
        assert [pid for pid in helpers if Path(f"/proc/{pid}").exists()] == []  # none left
        assert left_behind(proc.pid) == []  # nor anywhere else in the process tree
        assert (tmp_path / "nianbao.db.crawl").is_dir()  # the queue kept for the next run
        part = reports(tmp_path / "nianbao.db")
        assert 6 <= len(part) < len(portal.published)
        conn = sqlite3.connect(tmp_path / "nianbao.db")
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()
        again = crawl(tmp_path)
        assert again.returncode == 1, again.stderr
        # A queue Scrapy never saved is not resumed: requests it lost would go unnoticed.
        assert "starting the crawl over" in again.stderr
        found = reports(tmp_path / "nianbao.db")
        assert {(a, y) for a, y, _ in found if a is not None} == portal.published
        assert all(v == 1 for *_, v in found)


def test_sources_check_shows_what_each_list_read(crawled) -> None:
    _, workdir, *_ = crawled
    done = invoke("sources", "check", "--agency", BROKEN_PAGE[0], cwd=workdir)
    assert done.exit_code == 0, done.stderr
    assert f"{BROKEN_PAGE[0]} {BROKEN_PAGE[1]}：栏目未能读完" in done.stdout
    assert "已读 2/3 页" in done.stdout and "未读完：有页面无法读取" in done.stdout
    assert "HTTP 500" in done.stdout and "page_failed" not in done.stdout
    assert done.stdout.count(f"{BROKEN_PAGE[1]}20") == 4  # the four reports it found
    english = invoke("sources", "check", "--agency", BROKEN_PAGE[0], "--lang", "en", cwd=workdir)
    assert f"{BROKEN_PAGE[0]} {BROKEN_PAGE[1]}: source not read to its end" in english.stdout
    assert "2 of 3 pages" in english.stdout
    assert "NOT read to its end: page_failed" in english.stdout
    county = invoke("sources", "check", "--agency", "qs-county", "--format", "json", cwd=workdir)
    (view,) = json.loads(county.stdout)
    assert [r["year"] for r in view["reports"]] == [2019, 2020, 2021, 2022, 2023]
    assert [(u["reason"], u["issuer"]) for u in view["unassigned"]] == [("unknown", UNLISTED[0])]


def test_sources_discover_drafts_the_agencies_of_a_column(
    portal: PortalServer, tmp_path: Path
) -> None:
    done = invoke("sources", "discover", portal.url + LISTS["qs-county"])
    assert done.exit_code == 0, done.stderr
    draft = tomllib.loads(done.stdout)["agency"]
    names = {a["name"]: a for a in draft}
    assert set(names) == {
        "青石县人民政府",
        "青石县东岭镇人民政府",
        "青石县教育局",
        UNLISTED[0],
    }
    assert names["青石县东岭镇人民政府"]["level"] == "township"
    assert names["青石县人民政府"]["level"] == "county"
    assert names["青石县教育局"]["level"] == "county_dept"
    assert all(a["list_urls"] == [portal.url + LISTS["qs-county"]] for a in draft)
    # The draft is a sources file nianbao accepts.
    (tmp_path / "agencies.toml").write_text(done.stdout, encoding="utf-8")
    from storage.sources import load_sources

    assert len(load_sources(tmp_path / "agencies.toml")) == 4


def test_a_crawl_is_quiet_names_failing_sources_and_shows_progress(
    portal: PortalServer, tmp_path: Path
) -> None:
    (tmp_path / "agencies.toml").write_text(sources_toml(portal.url), encoding="utf-8")
    done = run(
        "crawl",
        *FAST,
        "--agency",
        "gone",
        "--agency",
        "qs-edu",
        "-s",
        "NIANBAO_PROGRESS=1",
        cwd=tmp_path,
    )
    assert "第 1 次抓取完成" in done.stdout, done.stderr
    lines = [line for line in done.stderr.replace("\r", "\n").splitlines() if line.strip()]
    assert any("gone (某县水利局): list page" in line for line in lines)
    assert not any(" INFO: " in line or "Gave up retrying" in line for line in lines)
    assert not any("Deprecat" in line for line in lines)
    assert lines[-1].startswith("agencies 2/2 · pages ")  # the last progress line
    verbose = run("crawl", *FAST, "--agency", "qs-edu", "-v", cwd=tmp_path)
    assert "[scrapy.core.engine] INFO: Spider opened" in verbose.stderr
