"""Verdicts that hold still: the test portal crawled to its end, checked and told; then a
crawl killed partway and a crawl still running, each followed by `check` and `alerts`. No
finding is resolved, no 已解决 is sent, the matrix does not move; a backup taken during
the crawl is whole. Then a person's review: a dismissed finding survives `check`,
`reparse` and a new crawl, and counts against nobody."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from demo.portal import PortalServer, sources_toml
from tests.support import crawl_args, invoke, mail_config, run, start

pytestmark = pytest.mark.slow  # real crawls

AS_OF = "2025-06-01"


def _config(workdir: Path, port: int) -> Path:
    return mail_config(workdir, port, '[[subscription]]\nemail = "watch@example.org"\n')


def _state(workdir: Path) -> tuple[dict, set]:
    """(the matrix, the open findings) as a user reads them."""
    matrix = json.loads(invoke("matrix", "--format", "json", cwd=workdir).stdout)
    found = json.loads(
        invoke("findings", "--format", "json", "--status", "all", cwd=workdir).stdout
    )
    return matrix, {(f["id"], f["status"]) for f in found}


def _check_and_tell(workdir: Path, config: Path) -> str:
    done = invoke("check", "--as-of", AS_OF, "--config", str(config), cwd=workdir)
    assert done.exit_code == 0, done.stderr
    told = invoke("alerts", "--config", str(config), cwd=workdir)
    assert told.exit_code == 0, told.stderr
    return done.stdout


def _partway(workdir: Path, portal: PortalServer) -> object:
    """A slow crawl, started and left running until it has asked for some pages."""
    slow = ["-s", "DOWNLOAD_DELAY=0.3", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
    asked = len(portal.requests)
    proc = start(*crawl_args(*slow), cwd=workdir)
    deadline = time.monotonic() + 60
    while len(portal.requests) < asked + 8 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert proc.poll() is None, "the crawl ended before it was stopped"
    return proc


def test_verdicts_hold_still_while_crawls_are_killed_or_running(smtp, tmp_path: Path) -> None:
    inbox, port = smtp
    config = _config(tmp_path, port)
    with PortalServer() as portal:
        (tmp_path / "agencies.toml").write_text(sources_toml(portal.url), encoding="utf-8")
        assert run(*crawl_args(), cwd=tmp_path).returncode in (0, 1)
        _check_and_tell(tmp_path, config)
        matrix, findings = _state(tmp_path)
        missing = [y for row in matrix.values() for y in row.values() if "missing" in y]
        assert missing, "the portal has missing years to hold still"
        told = len(inbox.messages)
        assert told == 1

        # A crawl killed partway changes no verdict.
        proc = _partway(tmp_path, portal)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        said = _check_and_tell(tmp_path, config)
        assert "已解决 0 条" in said, said
        assert _state(tmp_path) == (matrix, findings)
        assert len(inbox.messages) == told  # nothing to tell: no 已解决

        # Nor does one still running; a backup taken meanwhile is whole.
        proc = _partway(tmp_path, portal)
        try:
            said = _check_and_tell(tmp_path, config)
            assert "已解决 0 条" in said, said
            assert _state(tmp_path) == (matrix, findings)
            assert len(inbox.messages) == told
            copy = tmp_path / "copy.db"
            done = invoke("backup", str(copy), cwd=tmp_path)
            assert done.exit_code == 0, done.stderr
        finally:
            proc.send_signal(signal.SIGINT)  # Ctrl-C: stopped, not finished
            proc.wait(timeout=60)
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute(
            "SELECT count(*) FROM crawl_runs WHERE outcome = 'finished'"
        ).fetchone() == (1,)
        assert not Path(f"{copy}-wal").exists()
        conn.close()
        said = _check_and_tell(tmp_path, config)
        assert "已解决 0 条" in said, said
        assert _state(tmp_path) == (matrix, findings)
        assert len(inbox.messages) == told
        assert not any("已解决：" in m.get_body(("plain",)).get_content() for m in inbox.messages)

        # A person dismisses one missing year: it stays dismissed through a whole new
        # crawl and check, and counts against nobody.
        done = invoke("findings", "--format", "json", "--rule", "report.missing", cwd=tmp_path)
        first = json.loads(done.stdout)[0]
        note = ["--note", "该单位当年已撤并", "--by", "李明"]
        assert invoke("review", str(first["id"]), "--dismiss", *note, cwd=tmp_path).exit_code == 0
        assert run(*crawl_args(), cwd=tmp_path).returncode in (0, 1)
        said = _check_and_tell(tmp_path, config)
        assert "已解决 0 条" in said, said
        listed = json.loads(
            invoke("findings", "--format", "json", "--review", "dismissed", cwd=tmp_path).stdout
        )
        assert [(f["id"], f["review_note"]) for f in listed] == [(first["id"], "该单位当年已撤并")]
        matrix_now, _ = _state(tmp_path)
        assert matrix_now[first["agency_id"]][str(first["year"])] != ["missing"]
        assert len(inbox.messages) == told
