"""`nianbao schedule` running real jobs on second-level cron expressions: a crawl of the
test portal, a check and an alerts run into a real SMTP server, each once; a job missed
while the scheduler was down runs once when it starts again."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from demo.portal import PortalServer, sources_toml
from tests.support import mail_config, start


def at(seconds: float) -> str:
    """A six-field cron expression for the moment ``seconds`` from now (daily)."""
    t = datetime.now() + timedelta(seconds=seconds)
    return f"{t.second} {t.minute} {t.hour} * * *"


def schedule(workdir: Path) -> subprocess.Popen:
    return start(
        "schedule",
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "schedule.log", "ab"),
    )


def wait_for(workdir: Path, text: str, count: int = 1, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = (workdir / "schedule.log").read_text(encoding="utf-8")
        if log.count(text) >= count:
            return log
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not logged {count}x:\n{log}")


def stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=60)


@pytest.mark.slow
def test_jobs_run_once_each_on_schedule(smtp, portal: PortalServer, tmp_path: Path) -> None:
    inbox, port = smtp
    (tmp_path / "agencies.toml").write_text(sources_toml(portal.url), encoding="utf-8")
    mail_config(
        tmp_path,
        port,
        f"""
[[subscription]]
email = "watch@example.org"

[crawl.settings]
AUTOTHROTTLE_ENABLED = "0"
DOWNLOAD_DELAY = "0"
RETRY_BACKOFF_BASE = "0.1"
LOG_LEVEL = "WARNING"

[schedule]
crawl = "{at(6)}"
check = "{at(18)}"
alerts = "{at(22)}"
""",
    )
    proc = schedule(tmp_path)
    log = wait_for(tmp_path, "alerts: finished", timeout=90)
    time.sleep(1.5)
    assert stop(proc) == 0
    log = (tmp_path / "schedule.log").read_text(encoding="utf-8")
    for job in ("crawl", "check", "alerts"):
        assert log.count(f"{job}: started") == 1, log
        assert log.count(f"{job}: finished") == 1, log
    assert re.search(r"crawl: finished in [\d.]+ s, exit 1: 第 1 次抓取完成", log)
    assert re.search(r"check: finished in [\d.]+ s, exit 0: 已按 \S+ 核查", log)
    assert re.search(r"alerts: finished in [\d.]+ s, exit 0: 1 digest\(s\) queued, 1 sent", log)
    assert "stopped" in log
    assert [m["To"] for m in inbox.messages] == ["watch@example.org"]
    assert "栏目无法访问" in inbox.messages[0].get_body(("plain",)).get_content()


@pytest.mark.slow
def test_check_and_report_wait_for_a_running_crawl(portal: PortalServer, tmp_path: Path) -> None:
    """Due while the crawl runs, check and the report wait for it to finish: verdicts
    are judged from finished crawls, and the report the digests link to is current."""
    (tmp_path / "agencies.toml").write_text(sources_toml(portal.url), encoding="utf-8")
    (tmp_path / "nianbao.toml").write_text(
        f"""
[crawl.settings]
AUTOTHROTTLE_ENABLED = "0"
DOWNLOAD_DELAY = "0.2"
CONCURRENT_REQUESTS_PER_DOMAIN = "1"
LOG_LEVEL = "WARNING"

[schedule]
crawl = "{at(5)}"
check = "{at(8)}"
report = "{at(8)}"
report_out = "site/report.html"
""",
        encoding="utf-8",
    )
    (tmp_path / "site").mkdir()
    proc = schedule(tmp_path)
    wait_for(tmp_path, "report: finished", timeout=150)
    wait_for(tmp_path, "check: finished", timeout=30)
    assert stop(proc) == 0
    log = (tmp_path / "schedule.log").read_text(encoding="utf-8")
    for job in ("check", "report"):
        assert f"{job}: waiting: a crawl is running on the archive" in log, log
        assert log.index("crawl: finished") < log.index(f"{job}: started"), log
    assert re.search(r"report: finished in [\d.]+ s, exit 0: wrote site/report.html", log), log
    assert (tmp_path / "site" / "report.html").stat().st_size > 10_000


def test_a_scheduled_report_needs_its_path(tmp_path: Path) -> None:
    from monitor.config import ConfigError, load_config

    path = tmp_path / "nianbao.toml"
    path.write_text('[schedule]\nreport = "0 7 * * *"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="report_out"):
        load_config(path)


@pytest.mark.slow
def test_a_job_missed_while_down_runs_once_on_start(tmp_path: Path) -> None:
    (tmp_path / "agencies.toml").write_text("", encoding="utf-8")
    due = time.monotonic() + 8
    (tmp_path / "nianbao.toml").write_text(f'[schedule]\ncheck = "{at(8)}"\n', encoding="utf-8")
    proc = schedule(tmp_path)
    wait_for(tmp_path, "job check:")
    assert stop(proc) == 0
    assert time.monotonic() < due  # it was down before the job's time…
    time.sleep(due + 2 - time.monotonic())  # …and stays down while that time passes
    proc = schedule(tmp_path)
    log = wait_for(tmp_path, "check: finished")
    time.sleep(2)
    assert stop(proc) == 0
    log = (tmp_path / "schedule.log").read_text(encoding="utf-8")
    assert log.count("check: started") == 1, log


@pytest.mark.parametrize(
    ("expression", "next_run"),
    [
        ("0 3 * * 1", "2026-11-30 03:00"),  # Monday, as cron means 1 (from Friday the 27th)
        ("0 3 * * 0", "2026-11-29 03:00"),  # 0 is Sunday
        ("0 3 * * 7", "2026-11-29 03:00"),  # and so is 7
        ("30 6 * * 1-5", "2026-11-30 06:30"),  # weekdays, Monday first
        ("0 0 * * 5", "2026-12-04 00:00"),  # Friday: not today, it is past midnight
    ],
)
def test_cron_weekdays_mean_what_cron_means(expression: str, next_run: str) -> None:
    from scheduler import trigger

    friday = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    fired = trigger(expression).get_next_fire_time(None, friday)
    assert fired.strftime("%Y-%m-%d %H:%M") == next_run


@pytest.mark.slow
def test_a_job_at_its_time_limit_is_stopped_with_its_children(tmp_path: Path) -> None:
    """The whole process group goes: the job and the parser child it forked."""
    import pypdfium2 as pdfium

    from scheduler import run_job

    corpus = Path(__file__).resolve().parent / "corpus" / "formats"
    source = pdfium.PdfDocument((corpus / "merged-cells-2021.pdf").read_bytes())
    heavy = pdfium.PdfDocument.new()
    for _ in range(1000):  # 3,000 pages: seconds of work on every core, far past the limit
        heavy.import_pages(source)
    long_pdf = tmp_path / "long-report.pdf"
    heavy.save(str(long_pdf))
    started = time.monotonic()
    code = run_job("parse", ["parse", str(long_pdf), "--timeout", "600", "--max-pages", "10000"], 2)
    assert code == -1 and time.monotonic() - started < 40
    time.sleep(0.5)
    left = [
        p.name
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and _cmdline(p).count(str(long_pdf))
    ]
    assert left == []


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _scheduled_crawl(portal: PortalServer, workdir: Path) -> tuple[subprocess.Popen, int]:
    """The scheduler with a slow crawl of the test portal due in 3 s: (the scheduler,
    the crawl's pid once it runs)."""
    (workdir / "agencies.toml").write_text(sources_toml(portal.url), encoding="utf-8")
    (workdir / "nianbao.toml").write_text(
        f"""
[crawl.settings]
AUTOTHROTTLE_ENABLED = "0"
DOWNLOAD_DELAY = "0.5"
CONCURRENT_REQUESTS_PER_DOMAIN = "1"
LOG_LEVEL = "WARNING"

[schedule]
crawl = "{at(3)}"
""",
        encoding="utf-8",
    )
    proc = schedule(workdir)
    wait_for(workdir, "crawl: started", timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for entry in Path("/proc").glob("[0-9]*"):
            if " cli crawl " in _cmdline(entry) and _cwd(entry) == workdir:
                # Under way: asking for pages (a loaded machine starts it slowly).
                seen = len(portal.requests)
                while len(portal.requests) < seen + 3 and time.monotonic() < deadline:
                    time.sleep(0.1)
                return proc, int(entry.name)
        time.sleep(0.1)
    raise AssertionError("the scheduled crawl did not start")


def _cwd(proc: Path) -> Path | None:
    try:
        return (proc / "cwd").resolve()
    except OSError:
        return None


def _gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        stat = Path(f"/proc/{pid}/stat")
        if not stat.exists() or stat.read_text().split(") ")[1].startswith("Z"):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
def test_a_scheduler_killed_outright_takes_its_crawl_with_it(
    portal: PortalServer, tmp_path: Path
) -> None:
    """SIGKILL leaves the scheduler no time to stop its job: the crawl, whose time limit
    the scheduler kept, dies with it, and so does everything the crawl started."""
    from tests.support import left_behind

    proc, crawl = _scheduled_crawl(portal, tmp_path)
    proc.kill()
    proc.wait(timeout=10)
    assert _gone(crawl, 10), "the crawl outlived its scheduler"
    deadline = time.monotonic() + 10
    while left_behind(crawl) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left_behind(crawl) == []


@pytest.mark.slow
def test_sigterm_stops_the_running_crawl_cleanly(portal: PortalServer, tmp_path: Path) -> None:
    """SIGTERM (systemd's stop) asks the running crawl to stop, which ends cleanly and says
    so; the scheduler exits 0, no traceback anywhere."""
    proc, crawl = _scheduled_crawl(portal, tmp_path)
    started = time.monotonic()
    assert stop(proc) == 0
    assert time.monotonic() - started < 40  # not the whole crawl: it was asked to stop
    assert _gone(crawl, 1)
    log = (tmp_path / "schedule.log").read_text(encoding="utf-8")
    assert "crawl: stopped with the scheduler" in log and "Traceback" not in log, log
    import sqlite3

    conn = sqlite3.connect(tmp_path / "nianbao.db")
    assert conn.execute("SELECT outcome FROM crawl_runs").fetchall() == [("shutdown",)]
