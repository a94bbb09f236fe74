"""`nianbao schedule` running real jobs on second-level cron expressions: a crawl of the
test portal, a check and an alerts run into a real SMTP server, each once; a job missed
while the scheduler was down runs once when it starts again."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller

from tests.monitor.test_alerts import Inbox, free_port
from tests.portal.site import PortalServer, sources_toml

ROOT = Path(__file__).resolve().parent.parent


def at(seconds: float) -> str:
    """A six-field cron expression for the moment ``seconds`` from now (daily)."""
    t = datetime.now() + timedelta(seconds=seconds)
    return f"{t.second} {t.minute} {t.hour} * * *"


def start(workdir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "schedule"],
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
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


def test_jobs_run_once_each_on_schedule(tmp_path: Path) -> None:
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        with PortalServer() as portal:
            (tmp_path / "agencies.toml").write_text(sources_toml(portal.url), encoding="utf-8")
            (tmp_path / "nianbao.toml").write_text(
                f"""
[mail]
host = "127.0.0.1"
port = {smtp.port}
starttls = false
sender = "nianbao@example.org"

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
                encoding="utf-8",
            )
            proc = start(tmp_path)
            log = wait_for(tmp_path, "alerts: finished", timeout=90)
            time.sleep(1.5)
            assert stop(proc) == 0
    finally:
        smtp.stop()
    log = (tmp_path / "schedule.log").read_text(encoding="utf-8")
    for job in ("crawl", "check", "alerts"):
        assert log.count(f"{job}: started") == 1, log
        assert log.count(f"{job}: finished") == 1, log
    assert re.search(r"crawl: finished in [\d.]+ s, exit 1: crawl 1 finished", log)
    assert re.search(r"check: finished in [\d.]+ s, exit 0: checked as of", log)
    assert re.search(r"alerts: finished in [\d.]+ s, exit 0: 1 digest\(s\) queued, 1 sent", log)
    assert "stopped" in log
    assert [m["To"] for m in inbox.messages] == ["watch@example.org"]
    assert "source.unreachable" in inbox.messages[0].get_body(("plain",)).get_content()


def test_a_job_missed_while_down_runs_once_on_start(tmp_path: Path) -> None:
    (tmp_path / "agencies.toml").write_text("", encoding="utf-8")
    due = time.monotonic() + 8
    (tmp_path / "nianbao.toml").write_text(f'[schedule]\ncheck = "{at(8)}"\n', encoding="utf-8")
    proc = start(tmp_path)
    wait_for(tmp_path, "job check:")
    assert stop(proc) == 0
    assert time.monotonic() < due  # it was down before the job's time…
    time.sleep(due + 2 - time.monotonic())  # …and stays down while that time passes
    proc = start(tmp_path)
    log = wait_for(tmp_path, "check: finished")
    time.sleep(2)
    assert stop(proc) == 0
    log = (tmp_path / "schedule.log").read_text(encoding="utf-8")
    assert log.count("check: started") == 1, log
