"""The test portal over real HTTP: its list pages, read by the crawler's readers, list
exactly the reports it publishes, and its troubles behave as real portals' do."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin

import pytest

from crawler.adapters import read_list_page
from crawler.titles import read_title, report_year
from parsers import parse_bytes
from report.agencies import AgencyIndex
from tests.portal.site import (
    BY_YEAR_AGENCY,
    BY_YEAR_PUBLISHED,
    HANWEB_AGENCIES,
    OFF_LIMITS_YEAR,
    TRS_AGENCIES,
    PortalServer,
)

NAMES = AgencyIndex.from_rows(
    {"id": k, "name": v} for k, v in {**TRS_AGENCIES, **HANWEB_AGENCIES}.items()
)


@pytest.fixture(scope="module")
def portal():
    with PortalServer() as server:
        yield server


def get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.url
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), url


def walk(start: str) -> set[tuple[str, int]]:
    """Every (agency, year) the list pages name, following their paging."""
    found, queue, seen = set(), [(start, True)], set()
    while queue:
        url, first = queue.pop()
        status, body, _ = get(url)
        assert status == 200, url
        page = read_list_page(url, body.decode("utf-8"), first)
        queue += [(p, False) for p in page.requests if p not in seen]
        seen.update(page.requests)
        for link in page.links:
            year = report_year(link.title)
            if year:
                found.add((NAMES.match(read_title(link.title).issuer), year))
    return found


def test_list_pages_name_exactly_what_is_published(portal: PortalServer) -> None:
    trs = walk(portal.url + "/trs/xxgk/nb/index.html")
    hanweb = walk(portal.url + "/col/col1229/index.html")
    off_limits = {(a, y) for a, y in trs if y == OFF_LIMITS_YEAR}
    assert off_limits == {("demo-county", OFF_LIMITS_YEAR), ("demo-county-edu", OFF_LIMITS_YEAR)}
    assert (None, 2022) in trs  # a report of an agency the sources file does not list
    by_year = {(BY_YEAR_AGENCY[0], y) for y in BY_YEAR_PUBLISHED}
    assert (trs - off_limits - {(None, 2022)}) | hanweb | by_year == portal.published
    assert {a for a, _ in trs} - {None} == set(TRS_AGENCIES)
    assert any("dataproxy.jsp" in r for r in portal.requests)
    assert any(r.endswith("index_2.html") for r in portal.requests)


def test_report_pages_parse_to_their_agency_and_year(portal: PortalServer) -> None:
    page = read_list_page(
        portal.url + "/trs/xxgk/nb/index.html",
        get(portal.url + "/trs/xxgk/nb/index.html")[1].decode(),
    )
    link = page.links[0]
    record = parse_bytes(get(link.url)[1])
    assert (NAMES.match(record["agency"]), record["year"]) == (
        NAMES.match(read_title(link.title).issuer),
        report_year(link.title),
    )
    assert len(record["cells"]) in (198, 200)


def test_troubles(portal: PortalServer) -> None:
    resources = portal.resources
    gbk = next(p for p, r in resources.items() if "gb2312" in r.content_type)
    status, body, _ = get(portal.url + gbk)
    assert status == 200 and parse_bytes(body)["template"] in ("2019", "2021")
    slow = next(p for p, r in resources.items() if "X-Test-Slow" in r.headers)
    started = time.monotonic()
    assert get(portal.url + slow)[0] == 200
    assert time.monotonic() - started >= 1.4
    flaky = next(p for p, r in resources.items() if "X-Test-Fail-First" in r.headers)
    assert get(portal.url + flaky)[0] == 500
    assert get(portal.url + flaky)[0] == 200
    moved = next(p for p, r in resources.items() if r.status == 301)
    status, _, final = get(portal.url + moved)
    assert status == 200 and final != portal.url + moved
    (gone,) = [p for p, r in resources.items() if b"-gone." in r.body]
    href = re.search(rb'href="([^"]+-gone\.\w+)"', resources[gone].body).group(1).decode()
    assert get(urljoin(portal.url + gone, href))[0] == 404
