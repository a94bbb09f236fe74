"""Loaded first by the parse pool's fork server (crawler.pipelines): the server asks to
die with the crawl that started it, and its workers die with it (guard.die_with), so a
crawl killed at any point leaves no parser process behind."""

from parsers.guard import die_with

die_with()
