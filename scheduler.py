"""`nianbao schedule`: the crawl, check, alerts and report jobs on cron expressions.

APScheduler 3.x with a SQLite job store. Each job runs `nianbao <command>` as its own
process (Twisted's reactor cannot restart in one process) under a time limit. No job
overlaps itself (max_instances 1), and check, alerts and report never overlap a crawl of
the archive: due while one runs (the scheduler's or anyone's), they wait for it to finish.
A job missed while the scheduler was down runs once on start (coalesced, no misfire
limit). SIGTERM or Ctrl-C stops it: a running job is asked to stop (a crawl ends cleanly
and keeps its queue) and killed after STOP_GRACE seconds; a scheduler killed outright
takes its jobs with it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from monitor.config import Config
from parsers.guard import SCHEDULER_PID
from storage.db import crawl_running

log = logging.getLogger("nianbao.schedule")
# Seconds; the crawl's comes from the config.
TIME_LIMITS = {"check": 3600, "alerts": 600, "report": 3600}
CRAWL_POLL = 5.0  # seconds between looks at whether a crawl still runs


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _day(value: str) -> int:
    value = value.strip().lower()
    if value[:3] in _DAY_NAMES:
        return _DAY_NAMES.index(value[:3])
    number = int(value)
    if not 0 <= number <= 7:
        raise ValueError(f"{value!r}: a weekday is 0–7 (0 and 7 are Sunday)")
    return number % 7


def cron_weekdays(field: str) -> str:
    """A cron weekday field as cron means it (0 and 7 are Sunday, 1 is Monday), in the
    names APScheduler reads unambiguously (its own numbers start at Monday)."""
    if field.strip() in ("*", "?"):
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span in ("*", ""):
            first, last = 0, 6
        elif "-" in span:
            a, b = span.split("-", 1)
            first, last = _day(a), _day(b) if b.strip() not in ("7",) else 7
        else:
            first = last = _day(span)
        stride = int(step) if step else 1
        days.update(d % 7 for d in range(first, last + 1, stride))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def trigger(expression: str) -> CronTrigger:
    """Five fields (minute hour day month weekday) or six with seconds first."""
    fields = expression.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) == 6:
        second, minute, hour, day, month, weekday = fields
        cron = CronTrigger(
            second=second,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=cron_weekdays(weekday),
        )
        # A date no calendar has (0 0 31 2 *): the job would never run, and say nothing.
        start = datetime.now(cron.timezone)
        if cron.get_next_fire_time(None, start) is None or cron.get_next_fire_time(
            None, start
        ) > start + timedelta(days=366 * 8):
            raise ValueError(f"{expression!r}: this cron expression never fires")
        return cron
    raise ValueError(f"{expression!r}: a cron expression has five or six fields")


def run_job(name: str, args: list[str], time_limit: int, db: str | None = None) -> int:
    """One job: `nianbao ARGS` in its own process group; logs what ran, how long, what it
    said. At its time limit the whole group (the job and its parser children) is asked to
    stop, and killed if it has not within STOP_GRACE seconds. A job other than the crawl
    first waits (up to its time limit) while a crawl runs on the archive ``db``: verdicts
    are judged and told from finished crawls."""
    if db is not None and name != "crawl" and crawl_running(db):
        log.info("%s: waiting: a crawl is running on the archive", name)
        waited = 0.0
        while crawl_running(db):
            if _stopping.is_set():
                return -1
            if waited > time_limit:
                log.error("%s: skipped: the crawl still runs after %d s", name, time_limit)
                return -1
            time.sleep(CRAWL_POLL)
            waited += CRAWL_POLL
    if _stopping.is_set():
        return -1
    started = time.monotonic()
    log.info("%s: started", name)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # It dies with this process (cli.main asks the kernel): a scheduler killed outright
        # leaves no job running without its time limit.
        env={**os.environ, SCHEDULER_PID: str(os.getpid())},
    )
    with _lock:
        _running.add(proc)
    try:
        out, err = proc.communicate(timeout=time_limit)
    except subprocess.TimeoutExpired:
        _stop_group(proc)
        log.error("%s: stopped at its time limit of %d s", name, time_limit)
        return -1
    finally:
        with _lock:
            _running.discard(proc)
    if _stopping.is_set():
        log.info("%s: stopped with the scheduler after %.1f s", name, time.monotonic() - started)
        return -1
    said = (out.strip().splitlines() or [""])[0]
    problem = (err.strip().splitlines() or [""])[-1]
    log.info(
        "%s: finished in %.1f s, exit %d: %s%s",
        name,
        time.monotonic() - started,
        proc.returncode,
        said,
        f" ({problem})" if proc.returncode and problem else "",
    )
    return proc.returncode


STOP_GRACE = 30.0  # seconds a job has to stop cleanly (a crawl saves its queue) before SIGKILL
_running: set[subprocess.Popen] = set()
_lock = threading.Lock()
_stopping = threading.Event()


def stop_jobs() -> None:
    """The scheduler is stopping: every running job is asked to stop (SIGTERM to its
    group: a crawl ends cleanly and keeps its queue), and killed after STOP_GRACE; no job
    starts any more."""
    _stopping.set()
    with _lock:
        running = list(_running)
    for proc in running:
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    while any(p.poll() is None for p in running) and time.monotonic() < deadline:
        time.sleep(0.2)
    for proc in running:
        if proc.poll() is None:
            _signal_group(proc, signal.SIGKILL)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def _stop_group(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, 10.0)):
        _signal_group(proc, sig)
        try:
            proc.communicate(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _jobs(config: Config, db: str, sources: str) -> dict[str, tuple[list[str], int]]:
    common = ["--db", db]
    return {
        "crawl": (
            ["crawl", *common, "--sources", sources, "--config", str(config.path)],
            config.crawl_time_limit,
        ),
        "check": (["check", *common, "--config", str(config.path)], TIME_LIMITS["check"]),
        "alerts": (["alerts", *common, "--config", str(config.path)], TIME_LIMITS["alerts"]),
        # The report the digests' report_url links to, kept current.
        "report": (["report", *common, "--out", str(config.report_out)], TIME_LIMITS["report"]),
    }


def build(config: Config, db: str, sources: str, jobs_path: str) -> BackgroundScheduler:
    """A scheduler (paused) holding the jobs of [schedule]. A job already stored with the
    same schedule and command keeps its next run time, so a run missed while the
    scheduler was down still happens."""
    sched = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{jobs_path}")},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    sched.start(paused=True)
    jobs = _jobs(config, db, sources)
    for job in sched.get_jobs():
        if job.id not in config.schedule:
            job.remove()
    for name, expression in config.schedule.items():
        cron = trigger(expression)
        args, limit = jobs[name]
        kwargs: dict[str, Any] = {"name": name, "args": args, "time_limit": limit, "db": db}
        stored = sched.get_job(name)
        if stored is not None and str(stored.trigger) == str(cron) and stored.kwargs == kwargs:
            continue
        if stored is not None:
            stored.remove()
        sched.add_job("scheduler:run_job", cron, id=name, name=name, kwargs=kwargs)
    return sched


def run(config: Config, db: str, sources: str, jobs_path: str) -> None:
    """Run until SIGTERM or SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for expression in config.schedule.values():
        trigger(expression)  # a bad expression is an error before anything runs
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    sched = build(config, db, sources, jobs_path)
    for job in sched.get_jobs():
        log.info("job %s: %s, next run %s", job.id, job.trigger, job.next_run_time)
    sched.resume()
    stop.wait()
    log.info("stopping: running jobs are asked to stop")
    sched.pause()
    stop_jobs()
    sched.shutdown(wait=True)
    log.info("stopped")
