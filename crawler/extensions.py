"""The crawl's record in the archive, kept by signals: the run is opened when the spider
opens, and when it closes, what it proved — each list's read, each source's health and
findings, the agencies its titles named that the sources file lacks — is written through
storage. Without an archive (``NIANBAO_DB``) it switches itself off."""

from __future__ import annotations

from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from storage.archive import Archive, now
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
        return recorder

    def opened(self, spider: Spider) -> None:
        self.archive = Archive(connect(self.db_path))
        self.run_id = self.archive.start_run(now())
        self.crawler.stats.set_value("nianbao/run_id", self.run_id)

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
        with archive.batch():
            if ledger is not None:
                reads = ledger.summaries(finished=reason == "finished")
                archive.store_list_reads(self.run_id, reads.values())
                if reason == "finished":  # a crawl stopped early proves nothing of sources
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
                agency_id, agency_id, name, None, None, findings, checked, scope=("source.",)
            )
        archive.store_discovered(self.run_id, checked, ledger.discovered.values())
