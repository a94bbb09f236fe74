"""Scrapy settings for nianbao's portal crawler: polite by default. Every one can be
changed per run (``nianbao crawl -s NAME=VALUE``, as ``scrapy crawl -s``)."""

from parsers.document import Limits

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# An honest User-Agent naming the project and where to reach its operator; `nianbao crawl`
# puts the contact URL of nianbao.toml's [crawl] contact here.
USER_AGENT = "nianbao/0.1 (government annual report archive; +https://github.com/nianbao/nianbao)"
ROBOTSTXT_OBEY = True
# Politeness is per host (two requests at a time, AutoThrottle's delay); across hosts a
# national sweep is a broad crawl (Scrapy's "Broad Crawls"): hundreds in flight, taken
# from the hosts least busy (DownloaderAwarePriorityQueue), so a slow host holds back no
# other. Its queue is on disk (JOBDIR, beside the archive): memory stays bounded.
CONCURRENT_REQUESTS = 256
CONCURRENT_REQUESTS_PER_DOMAIN = 2
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
REACTOR_THREADPOOL_MAXSIZE = 20  # DNS lookups of many hosts at once
# Scrapy starts this many tasks for every response's output; a page of ours yields one
# report group or a column's links, and 100 (the default) idle tasks per page cost the
# crawler's process more than the parse it waits for.
CONCURRENT_ITEMS = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = Limits.max_bytes  # the parser refuses larger files anyway
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.OwnHosts": 50,
    "crawler.middlewares.RetryBackoff": 560,
    "crawler.middlewares.ConditionalRequests": 580,
}
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
EXTENSIONS = {"crawler.extensions.CrawlRecorder": 500, "crawler.extensions.Progress": 510}
# Pages read of one column in one crawl, at most: a longer list is recorded as not read to
# its end (source.incomplete), never silently cut.
NIANBAO_LIST_PAGE_CAP = 500
# Seconds a rendered list page may take to settle, and a click on its 下一页 to show the
# next page (crawler.browser).
NIANBAO_RENDER_SECONDS = 20.0
# Days a document the portal confirmed (downloaded, or answered 304) is not asked for
# again: the archive answers for it. List pages are read on every crawl, so a new or
# moved report is seen at once; a revision of a known one within this many days.
# `nianbao crawl --full` sets 0: everything is asked for.
NIANBAO_REVISIT_DAYS = 30
# Pages without a text layer: read by OCR when the extra is installed ("auto"), or "off".
NIANBAO_OCR = "auto"
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no console or control port on a crawl, no token files
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 30.0
