"""Loaded first by the parse pool's fork server (crawler.pipelines): the server asks to
die with the crawl that started it, and its workers die with it, so a crawl killed at any
point leaves no parser process behind. Each checks that its parent is still the one that
started it (a crawl killed while its server starts would otherwise leave the server and
its first workers holding each other's pipes open, forever): the crawl's pid and the
server's reach them in the environment."""

import os

from parsers.guard import die_with_named

die_with_named("NIANBAO_CRAWL_PID")
os.environ["NIANBAO_POOL_SERVER_PID"] = str(os.getpid())
