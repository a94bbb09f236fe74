"""A crawl either completes or says it did not: killed at random points, out of disk,
run twice at once, or fed a list URL it cannot fetch, it never calls a published report
missing, and the next run completes to exactly what the portal publishes."""

from __future__ import annotations

import os
import random
import resource
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from demo.portal import PortalServer, sources_toml
from tests.support import crawl_args, left_behind, reports, run, start

pytestmark = pytest.mark.slow  # real processes

KILL_ROUNDS = int(os.environ.get("NIANBAO_KILL_ROUNDS", "4"))


def false_missing(workdir: Path, published: set[tuple[str, int]]) -> list[tuple[str, int]]:
    """Published (agency, year) the archive calls missing after a check."""
    done = run("check", "--as-of", "2024-06-01", cwd=workdir)
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(workdir / "nianbao.db")
    try:
        missing = conn.execute(
            "SELECT agency_id, year FROM compliance WHERE status = 'missing'"
        ).fetchall()
    finally:
        conn.close()
    return sorted(set(missing) & published)


def test_killed_at_random_points_never_a_false_missing(tmp_path: Path) -> None:
    rng = random.Random(20261127)
    with PortalServer() as portal:
        for round_ in range(KILL_ROUNDS):
            workdir = tmp_path / f"round{round_}"
            workdir.mkdir()
            (workdir / "agencies.toml").write_text(sources_toml(portal.url), encoding="utf-8")
            proc = start(
                *crawl_args("-s", "DOWNLOAD_DELAY=0.05"),
                cwd=workdir,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(rng.uniform(0.5, 4.0))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            deadline = time.monotonic() + 10
            while left_behind(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert left_behind(proc.pid) == []  # no parser process outlives the crawl
            if not (workdir / "nianbao.db").exists():
                continue  # killed before it opened the archive
            conn = sqlite3.connect(workdir / "nianbao.db")
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            conn.close()
            # Between the kill and the next run, nothing published is called missing.
            assert false_missing(workdir, portal.published) == []
            again = run(*crawl_args(), cwd=workdir)
            assert "抓取完成" in again.stdout, again.stderr
            found = reports(workdir / "nianbao.db")
            assert {(a, y) for a, y, _ in found if a is not None} == portal.published
            assert all(v == 1 for *_, v in found)
            assert false_missing(workdir, portal.published) == []


def test_a_full_disk_stops_the_crawl_and_says_so(tmp_path: Path) -> None:
    with PortalServer() as portal:
        (tmp_path / "agencies.toml").write_text(sources_toml(portal.url), encoding="utf-8")
        first = run(*crawl_args("--agency", "qs-county"), cwd=tmp_path)  # a small archive
        assert (tmp_path / "nianbao.db").exists(), first.stderr
        size = (tmp_path / "nianbao.db").stat().st_size

        def no_room() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails
            resource.setrlimit(resource.RLIMIT_FSIZE, (size + 200_000, size + 200_000))

        full = run(*crawl_args(), cwd=tmp_path, preexec_fn=no_room)
        assert full.returncode != 0
        assert "finished:" not in full.stdout  # never reported as a finished crawl
        conn = sqlite3.connect(tmp_path / "nianbao.db")
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()
        assert false_missing(tmp_path, portal.published) == []
        again = run(*crawl_args(), cwd=tmp_path)
        assert "抓取完成" in again.stdout, again.stderr
        found = reports(tmp_path / "nianbao.db")
        assert {(a, y) for a, y, _ in found if a is not None} == portal.published


def test_two_crawls_on_one_archive_the_second_refuses(tmp_path: Path) -> None:
    with PortalServer() as portal:
        (tmp_path / "agencies.toml").write_text(sources_toml(portal.url), encoding="utf-8")
        first = start(*crawl_args("-s", "DOWNLOAD_DELAY=0.05"), cwd=tmp_path, text=True)
        deadline = time.monotonic() + 30
        while not (tmp_path / "nianbao.db.crawl.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        second = run(*crawl_args(), cwd=tmp_path)
        out, err = first.communicate(timeout=180)
        assert second.returncode == 2
        assert "another crawl is running on this archive" in second.stderr
        assert "抓取完成" in out, err
        found = reports(tmp_path / "nianbao.db")
        assert {(a, y) for a, y, _ in found if a is not None} == portal.published


@pytest.mark.parametrize("where", ["first", "last"])
def test_a_list_url_that_cannot_be_fetched_fails_alone(tmp_path: Path, where: str) -> None:
    with PortalServer() as portal:
        bad = (
            '[[agency]]\nid = "bad-port"\nname = "某县审计局"\nlevel = "county_dept"\n'
            'list_urls = ["http://127.0.0.1:99999/nb/index.html"]\n'
        )
        good = sources_toml(portal.url)
        text = bad + "\n" + good if where == "first" else good + "\n" + bad
        (tmp_path / "agencies.toml").write_text(text, encoding="utf-8")
        done = run(*crawl_args(), cwd=tmp_path)
        assert "抓取完成" in done.stdout, done.stderr
        found = reports(tmp_path / "nianbao.db")
        assert {(a, y) for a, y, _ in found if a is not None} == portal.published
        conn = sqlite3.connect(tmp_path / "nianbao.db")
        health = dict(conn.execute("SELECT agency_id, status FROM source_health"))
        assert health["bad-port"] == "unreachable"
        assert health["gone"] == "http_error" and health["home"] == "redirected"
        assert conn.execute(
            "SELECT rule FROM findings WHERE agency_id = 'bad-port'"
        ).fetchall() == [("source.unreachable",)]
        statuses = {
            s for (s,) in conn.execute("SELECT status FROM compliance WHERE agency_id = 'bad-port'")
        }
        assert statuses == {"unverified"}


def test_a_crawl_of_one_agency_proves_nothing_of_the_agencies_it_skipped(tmp_path: Path) -> None:
    """The county's column lists its townships' reports too: a crawl limited to the county
    read that column for the county alone, so the townships' years stay unverified."""
    with PortalServer() as portal:
        (tmp_path / "agencies.toml").write_text(sources_toml(portal.url), encoding="utf-8")
        done = run(*crawl_args("--agency", "qs-county"), cwd=tmp_path)
        assert "抓取完成" in done.stdout, done.stderr
        assert false_missing(tmp_path, portal.published) == []
        conn = sqlite3.connect(tmp_path / "nianbao.db")
        statuses = {
            s
            for (s,) in conn.execute(
                "SELECT status FROM compliance WHERE agency_id = 'qs-dongling'"
            )
        }
        conn.close()
        assert statuses == {"unverified"}
