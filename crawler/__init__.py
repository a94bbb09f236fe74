"""The Scrapy project that finds and fetches annual reports from agency portals."""
