"""`nianbao schedule`: the crawl, check and alerts jobs on cron expressions.

APScheduler 3.x with a SQLite job store. Each job runs `nianbao <command>` as its own
process (Twisted's reactor cannot restart in one process) under a time limit. No job
overlaps itself (max_instances 1); a job missed while the scheduler was down runs once on
start (coalesced, no misfire limit). SIGTERM or Ctrl-C stops it between jobs: a running
job is waited for.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from monitor.config import Config

log = logging.getLogger("nianbao.schedule")
TIME_LIMITS = {"check": 3600, "alerts": 600}  # seconds; the crawl's comes from the config


def trigger(expression: str) -> CronTrigger:
    """Five fields (minute hour day month weekday) or six with seconds first."""
    fields = expression.split()
    if len(fields) == 5:
        return CronTrigger.from_crontab(expression)
    if len(fields) == 6:
        second, minute, hour, day, month, weekday = fields
        return CronTrigger(
            second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=weekday
        )
    raise ValueError(f"{expression!r}: a cron expression has five or six fields")


def run_job(name: str, args: list[str], time_limit: int) -> int:
    """One job: `nianbao ARGS` in its own process; logs what ran, how long, what it said."""
    started = time.monotonic()
    log.info("%s: started", name)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cli", *args],
            capture_output=True,
            text=True,
            timeout=time_limit,
        )
    except subprocess.TimeoutExpired:
        log.error("%s: stopped at its time limit of %d s", name, time_limit)
        return -1
    said = (done.stdout.strip().splitlines() or [""])[0]
    problem = (done.stderr.strip().splitlines() or [""])[-1]
    log.info(
        "%s: finished in %.1f s, exit %d: %s%s",
        name,
        time.monotonic() - started,
        done.returncode,
        said,
        f" ({problem})" if done.returncode and problem else "",
    )
    return done.returncode


def _jobs(config: Config, db: str, sources: str) -> dict[str, tuple[list[str], int]]:
    common = ["--db", db]
    return {
        "crawl": (
            ["crawl", *common, "--sources", sources, "--config", str(config.path)],
            config.crawl_time_limit,
        ),
        "check": (["check", *common, "--config", str(config.path)], TIME_LIMITS["check"]),
        "alerts": (["alerts", *common, "--config", str(config.path)], TIME_LIMITS["alerts"]),
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
        kwargs: dict[str, Any] = {"name": name, "args": args, "time_limit": limit}
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
    log.info("stopping: waiting for running jobs")
    sched.shutdown(wait=True)
    log.info("stopped")
