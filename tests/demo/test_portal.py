"""The test portal itself: its columns, read by the adapters and parsed by the parser, name
exactly what it publishes, and its troubles are real."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from urllib.parse import urljoin

import pytest

from crawler.adapters import read_list_page
from crawler.titles import read_title
from demo.portal import (
    BROKEN_PAGE,
    BY_YEAR_AGENCY,
    BY_YEAR_PUBLISHED,
    CONFLICT,
    LISTS,
    OFF_LIMITS_YEAR,
    UNLISTED,
    PortalServer,
    agencies,
)
from parsers import parse_bytes
from report.agencies import AgencyIndex

NAMES = AgencyIndex.from_rows(
    {"id": k, "name": n, "aliases": a} for k, (n, a, _) in agencies().items()
)


@pytest.fixture(scope="module")
def portal():
    with PortalServer() as server:
        yield server


def get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read(), r.url
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), url


def walk(portal: PortalServer, start: str) -> dict[tuple[str | None, int | None], str]:
    """Every (agency, year) a column's pages list, following its paging, with its page."""
    found: dict[tuple[str | None, int | None], str] = {}
    queue, seen = [(start, True)], {start}
    owners = [a for a, path in LISTS.items() if portal.url + path == start]
    while queue:
        url, first = queue.pop()
        status, body, _ = get(url)
        if status != 200:
            continue
        page = read_list_page(url, body.decode("utf-8", "replace"), first)
        for nxt in page.requests + page.sublists:
            if nxt.split("#")[0] not in seen:
                seen.add(nxt.split("#")[0])
                queue.append((nxt, False))
        for link in page.links:
            title = read_title(link.title)
            if title.is_report:
                found[(NAMES.attribute(title.issuer, owners).agency_id, title.year)] = link.url
    return found


def test_columns_name_exactly_what_is_published(portal: PortalServer) -> None:
    found: dict = {}
    for path in set(LISTS.values()):
        if "{year}" not in path:
            found.update(walk(portal, portal.url + path))
    named = {k for k in found if k[0] is not None}
    by_year = {(BY_YEAR_AGENCY[0], y) for y in BY_YEAR_PUBLISHED}
    # The page that fails hides bp-water's oldest report; the 东岭镇 listing is 西岭镇's.
    assert named | by_year - {CONFLICT[:2]} >= portal.published
    assert (None, UNLISTED[1]) in found  # a township the sources file lacks
    assert (BROKEN_PAGE[0], 2019) not in named


def test_report_pages_and_attachments_parse_to_their_agency_and_year(portal: PortalServer) -> None:
    found = walk(portal, portal.url + LISTS["qs-county"])
    checked = 0
    for (agency_id, year), url in found.items():
        if agency_id is None or (agency_id, year) == CONFLICT[:2] or year == OFF_LIMITS_YEAR:
            continue
        status, body, _ = get(url)
        if status == 500:  # the page that fails once, then answers
            status, body, _ = get(url)
        record = parse_bytes(body)
        assert (NAMES.match(record["agency"]), record["year"]) == (agency_id, year)
        checked += 1
    assert checked >= 10


def test_troubles() -> None:
    with PortalServer() as portal:
        _troubles(portal)


def _troubles(portal: PortalServer) -> None:
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
    assert get(portal.url + "/water/nb/index_2.html")[0] == 500
