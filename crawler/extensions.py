"""The crawl's record in the archive, kept by signals: the run is opened when the spider
opens, and when it closes, what it proved — each column's read, each source's health and
findings, the agencies its titles named that the sources file lacks — is written through
storage. Without an archive (``NIANBAO_DB``) it switches itself off."""

from __future__ import annotations

import sys
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from parsers.dates import now
from report.registry import rules_of
from storage.archive import Archive
from storage.db import connect


class CrawlRecorder:
    def __init__(self, crawler: Crawler, db_path: str):
        self.crawler = crawler
        self.db_path = db_path
        self.archive: Archive | None = None
        self.run_id = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRecorder:
        db_path = crawler.settings.get("NIANBAO_DB")
        if not db_path:
            raise NotConfigured("no archive (NIANBAO_DB)")
        recorder = cls(crawler, db_path)
        crawler.signals.connect(recorder.opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.closed, signal=signals.spider_closed)
        crawler.signals.connect(recorder.spider_error, signal=signals.spider_error)
        return recorder

    def opened(self, spider: Spider) -> None:
        self.archive = Archive(connect(self.db_path))
        self.run_id = self.archive.start_run(now())
        # Verdicts rest on the last crawl that finished: this one counts once it has
        # (crawl_runs.outcome); killed or stopped, it changes none.
        self.crawler.stats.set_value("nianbao/run_id", self.run_id)

    def spider_error(self, failure: Any, response: Any, spider: Spider) -> None:
        """A callback that failed on a page: recorded against its column or its agency,
        never dropped without a word."""
        ledger = getattr(spider, "ledger", None)
        self.crawler.stats.inc_value("nianbao/spider_errors")
        if ledger is None:
            return
        kwargs = response.request.cb_kwargs if response.request is not None else {}
        error = f"crawler failed on this page: {failure.getErrorMessage()}"[:300]
        if "list_url" in kwargs and kwargs["list_url"] in ledger.reads:
            ledger.reads[kwargs["list_url"]].page_failed(response.url, error)
        elif kwargs.get("agency_id") in ledger.health:
            ledger.health[kwargs["agency_id"]].unread(response.url, error, kwargs.get("year"))

    def closed(self, spider: Spider, reason: str) -> None:
        archive = self.archive
        if archive is None:
            return
        ledger = getattr(spider, "ledger", None)
        stats = self.crawler.stats.get_stats()
        counts = {
            k.removeprefix("nianbao/"): v for k, v in stats.items() if k.startswith("nianbao/")
        }
        errors = sum(
            int(counts.get(k, 0))
            for k in ("list_errors", "documents_failed", "documents_unreadable")
        )
        finished = reason == "finished"
        with archive.batch():
            if ledger is not None:
                reads = ledger.summaries(finished=finished)
                archive.store_list_reads(self.run_id, ledger.as_evidence(reads))
                # Source health and findings only from a crawl that finished: one stopped
                # early proves nothing of its sources either way, and the last finished
                # crawl's stand.
                if finished:
                    self._store_sources(archive, ledger, reads)
            archive.finish_run(
                self.run_id,
                now(),
                int(stats.get("response_received_count", 0)),
                counts,
                errors,
                {"finish_reason": reason, **{k: str(v) for k, v in stats.items()}},
            )
        archive.close()

    def _store_sources(self, archive: Archive, ledger: Any, reads: dict[str, Any]) -> None:
        checked = now()
        for agency_id, health in ledger.health.items():
            status, detail, findings = health.judge(reads)
            archive.store_health(
                self.run_id, agency_id, checked, status, detail, health.reports_found
            )
            name = ledger.names.get(agency_id, agency_id)
            archive.store_findings(
                agency_id, agency_id, name, None, None, findings, checked, scope=rules_of("source")
            )
        archive.store_discovered(self.run_id, checked, ledger.discovered.values())


class Progress:
    """One line on a terminal while a crawl runs: agencies whose columns are all read (or
    failed), pages, documents, errors, time. On with NIANBAO_PROGRESS (`nianbao crawl`
    sets it when standard error is a terminal and -v is not given)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.started = 0.0
        self.documents = 0
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        if not crawler.settings.getbool("NIANBAO_PROGRESS"):
            raise NotConfigured("progress is off (NIANBAO_PROGRESS)")
        progress = cls(crawler)
        crawler.signals.connect(progress.opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.closed, signal=signals.spider_closed)
        crawler.signals.connect(progress.scraped, signal=signals.item_scraped)
        return progress

    def opened(self, spider: Spider) -> None:
        from twisted.internet import task

        self.started = time.monotonic()
        self.task = task.LoopingCall(self.show, spider)
        self.task.start(0.5, now=True)

    def scraped(self, item: Any) -> None:
        self.documents += len(getattr(item, "docs", ())) or 1

    def line(self, spider: Spider) -> str:
        ledger = getattr(spider, "ledger", None)
        done = total = 0
        if ledger is not None:
            for health in ledger.health.values():
                total += 1
                reads = [ledger.reads.get(u) for u in health.lists]
                done += all(
                    r is not None and r.requested and r.requested <= r.read | set(r.failed)
                    for r in reads
                )
        stats = self.crawler.stats
        errors = (
            stats.get_value("log_count/ERROR", 0)
            + stats.get_value("nianbao/spider_errors", 0)
            + stats.get_value("downloader/exception_count", 0)
        )
        seconds = int(time.monotonic() - self.started)
        return (
            f"agencies {done}/{total} · pages {stats.get_value('response_received_count', 0)}"
            f" · documents {self.documents} · errors {errors} · {seconds // 60}:{seconds % 60:02d}"
        )

    def show(self, spider: Spider) -> None:
        sys.stderr.write("\r" + self.line(spider) + "\x1b[K")
        sys.stderr.flush()

    def closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.show(spider)
        sys.stderr.write("\n")
