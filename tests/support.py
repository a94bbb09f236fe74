"""What tests share that is not a fixture: the two ways to run nianbao (in process through
click's runner; as a real process where the process matters), an archive with known
agencies, report bytes from the template, and the SMTP inbox.

Fixtures built on these live in ``tests/conftest.py``.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from storage.archive import Archive, Fetched
from storage.db import connect
from storage.sources import load_sources
from tests.corpus import make_layouts as layouts

ROOT = Path(__file__).resolve().parent.parent
# The command as installed (the console script), or the module where it is not.
_SCRIPT = Path(sys.executable).with_name("nianbao")
NIANBAO = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "cli"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
# Crawl settings for a portal on loopback: no politeness delays, short retry backoff.
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_BACKOFF_BASE=0.1"]

SOURCES = """
[[agency]]
id = "demo-env"
name = "某市生态环境局"
level = "city_dept"
region = "某省某市"
list_urls = ["http://127.0.0.1/nb/index.html"]
since = 2021

[[agency]]
id = "demo-county"
name = "某县人民政府"
aliases = ["某县政府"]
level = "county"
region = "某省某市某县"
since = 2022
"""


def invoke(*args: str, input: bytes | str | None = None, cwd: Path | None = None) -> Result:
    """nianbao in this process: exit code, stdout and stderr apart."""
    from cli import main

    here = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(here)


def run(
    *args: str, cwd: Path | None = None, timeout: float = 180, **kw: Any
) -> subprocess.CompletedProcess:
    """nianbao as its own process (a crawl's reactor, a kill, a resource limit), text output."""
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    return subprocess.run([*NIANBAO, *args], cwd=cwd, env=ENV, timeout=timeout, check=False, **kw)


# Runs a command and writes the most memory any process under it held (KB): measured in a
# process of its own, so what children of earlier tests held does not count.
_PEAK = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)"
)


def run_measured(
    *args: str, cwd: Path, timeout: float = 180
) -> tuple[subprocess.CompletedProcess, float]:
    """run(), and the most memory (MB) any one of its processes held."""
    peak = cwd / ".peak-kb"
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, str(peak), *NIANBAO, *args],
        cwd=cwd,
        env=ENV,
        timeout=timeout,
        check=False,
        capture_output=True,
        text=True,
    )
    return done, int(peak.read_text()) / 1024


def start(*args: str, cwd: Path | None = None, **kw: Any) -> subprocess.Popen:
    """nianbao as its own process, not waited for."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen([*NIANBAO, *args], cwd=cwd, env=ENV, **kw)


def crawl_args(*extra: str) -> list[str]:
    return ["crawl", *FAST, "-s", "LOG_LEVEL=WARNING", *extra]


def report(
    agency: str = "某市生态环境局",
    year: int = 2022,
    template: str = "2021",
    edit: tuple[str, str] | None = None,
) -> bytes:
    """A whole report in the template's tab layout, optionally with one edit."""
    text = layouts.render(agency, year, template, "tabs")
    if edit:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1])
    return text.encode()


def mail_config(workdir: Path, port: int, subscriptions: str) -> Path:
    """workdir/nianbao.toml: mail through the SMTP server on ``port`` of 127.0.0.1, and
    the ``subscriptions`` given (TOML)."""
    path = workdir / "nianbao.toml"
    path.write_text(
        f"""
[mail]
host = "127.0.0.1"
port = {port}
starttls = false
sender = "nianbao@example.org"
{subscriptions}
""",
        encoding="utf-8",
    )
    return path


def new_archive(tmp_path: Path) -> Archive:
    """tmp_path/nianbao.db with the agencies of SOURCES (written to tmp_path/agencies.toml)."""
    sources = tmp_path / "agencies.toml"
    sources.write_text(SOURCES, encoding="utf-8")
    a = Archive(connect(tmp_path / "nianbao.db"))
    a.load_agencies(load_sources(sources))
    return a


def on_time_late_absent(a: Archive) -> Archive:
    """demo-env (city_dept, due Jan 31, since 2021): 2021 on time, 2022 late, 2023 absent;
    its lists read to their end, so an absent year may be missing."""
    from ingest import add_document

    add_document(a, report(year=2021), Fetched(agency_id="demo-env", listed_date="2022-01-10"))
    add_document(a, report(year=2022), Fetched(agency_id="demo-env", listed_date="2023-02-05"))
    read_whole(a)
    return a


def read_whole(a: Archive, complete: bool = True) -> int:
    """Record a finished crawl that read every agency's lists (to their end, or not)."""
    run = a.start_run("2024-06-01T00:00:00+00:00")
    urls = {
        u
        for (lists,) in a.conn.execute("SELECT list_urls FROM agencies")
        for u in json.loads(lists)
    }
    with a.batch():
        a.store_list_reads(
            run,
            [
                {
                    "list_url": u,
                    "family": "trs",
                    "pages_announced": 1,
                    "pages_read": 1 if complete else 0,
                    "pages_failed": 0 if complete else 1,
                    "records_announced": None,
                    "records_read": 1,
                    "complete": complete,
                    "stop_reason": "end" if complete else "page_failed",
                }
                for u in urls
            ],
        )
        a.finish_run(run, "2024-06-01T01:00:00+00:00", 0, {}, 0, {"finish_reason": "finished"})
    return run


def reports(db: Path) -> list[tuple[str, int, int]]:
    """(agency, year, version) of every report in an archive file."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT agency_id, year, version FROM reports ORDER BY agency_id IS NULL, 1, 2, 3"
        ).fetchall()
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps what it accepts; refuses while ``refuse`` is set."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False
        self.unknown: set[str] = set()  # addresses refused for good (550)
        self.rcpt: list[str] = []
        self.data_seconds = 0.0  # how long the server takes to answer the next DATA's end
        self.slow: dict[str, float] = {}  # address → how long its DATA's end waits
        # Addresses whose next message is kept but whose connection is then dropped
        # before the answer: the client cannot know it was delivered.
        self.drop: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        self.rcpt.append(address)
        if address in self.unknown:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.data_seconds:
            seconds, self.data_seconds = self.data_seconds, 0.0
            await asyncio.sleep(seconds)
        for address in envelope.rcpt_tos:
            await asyncio.sleep(self.slow.get(address, 0.0))
        if self.refuse:
            return "451 4.3.0 try again later"
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        dropped = self.drop.intersection(envelope.rcpt_tos)
        if dropped:
            self.drop -= dropped
            server.transport.close()
        return "250 OK"


def dump(conn: sqlite3.Connection) -> list[str]:
    """Every stored row and the schema, as text: what a write would change. Virtual tables
    are read through their shadow tables (a contentless index cannot be read back, so
    sqlite3's iterdump fails on it)."""
    out = [repr(r) for r in conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY 2")]
    for (table,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' "
        "ORDER BY name"
    ).fetchall():
        out += [repr(r) for r in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1')]
    return out


def left_behind(crawl_pid: int) -> list[int]:
    """Live processes a crawl started, wherever they now hang in the process tree (they
    carry its pid in their environment; reparented orphans included)."""
    marker = f"NIANBAO_CRAWL_PID={crawl_pid}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return sorted(p for p in found if p != crawl_pid)
