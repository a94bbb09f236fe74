"""Starting a crawl: Scrapy's settings for one run, the queue it may resume, the process.

Each crawl runs in a process of its own (Twisted's reactor cannot restart), as
`nianbao crawl` and the scheduler's jobs do.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Mapping

from crawler import jobdir


def queue_of(db_path: str) -> str:
    """Where a crawl keeps its queue (Scrapy's JOBDIR): beside the archive."""
    return f"{db_path}.crawl"


def run_crawl(
    sources: str,
    db_path: str,
    agencies: list[str],
    years: list[int],
    settings: Mapping[str, str],
    contact: str | None = None,
    verbose: bool = False,
) -> str | None:
    """Run the portal spider to its end (or its stop); returns why the queue was not
    resumed, if it was not. Quiet unless ``verbose``: warnings only (a source that
    failed, named), and Scrapy's own retries and statistics left out."""
    queue = queue_of(db_path)
    why = jobdir.check(queue)
    if why:
        jobdir.discard(queue)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.browser import browser_settings

    scrapy_settings = get_project_settings()
    scrapy_settings.set("JOBDIR", queue, priority="cmdline")
    if contact:  # who runs this crawler, for the portals' webmasters
        scrapy_settings.set("USER_AGENT", f"nianbao/0.1 (+{contact})", priority="cmdline")
    if not verbose:
        scrapy_settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    # A browser for the pages a static read cannot prove (crawler.browser), unless
    # there is no Chromium or -s NIANBAO_RENDER=off.
    render = settings.get("NIANBAO_RENDER", "auto")
    seconds = float(
        settings.get("NIANBAO_RENDER_SECONDS") or scrapy_settings.getfloat("NIANBAO_RENDER_SECONDS")
    )
    for name, value in browser_settings(render, seconds).items():
        scrapy_settings.set(name, value, priority="project")
    for name, value in settings.items():
        scrapy_settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(scrapy_settings)
    if not verbose:
        # The spider says which source failed and why; Scrapy's retry log repeats it.
        logging.getLogger("scrapy.downloadermiddlewares.retry").setLevel(logging.CRITICAL)
    process.crawl(
        "portal",
        sources=sources,
        db=db_path,
        agency=",".join(agencies),
        year=",".join(str(y) for y in years),
    )
    process.start()
    return why


def finished(db_path: str) -> None:
    """A crawl that finished leaves nothing to resume."""
    shutil.rmtree(queue_of(db_path), ignore_errors=True)
