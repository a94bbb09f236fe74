"""The crawler's components switch themselves off without an archive, as Scrapy's own
extensions do without their configuration."""

from __future__ import annotations

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.extensions import CrawlRecorder
from crawler.middlewares import ConditionalRequests
from crawler.pipelines import ArchivePipeline


@pytest.mark.parametrize("component", [ConditionalRequests, CrawlRecorder, ArchivePipeline])
def test_without_an_archive_the_component_is_off(component: type) -> None:
    with pytest.raises(NotConfigured):
        component.from_crawler(get_crawler(settings_dict={}))
