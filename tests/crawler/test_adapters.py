"""Every adapter on real list and detail pages, each beside its expected JSON.

``pages/real/`` are pages of real portals (verbatim or quoted, see their README);
``pages/`` are pages saved from the structures of real portals that the real set lacks, and
real pages of our own (``"real": true``, their provenance on the first line). Each expected
file names every dated link (URL, title, listing date), which of them are annual reports
(year, agency), and the further requests that read the whole column.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.adapters import FAMILIES, read_list_page
from crawler.pages import attachments
from crawler.titles import read_title
from parsers.html import page_date
from report.agencies import discovered_name

PAGES = Path(__file__).resolve().parent / "pages"
CASES = sorted(
    p for p in [*PAGES.glob("*.expected.json"), *(PAGES / "real").glob("*.expected.json")]
)


def _load(expected: Path) -> tuple[dict, str]:
    spec = json.loads(expected.read_text(encoding="utf-8"))
    name = spec.get("fixture") or expected.name.replace(".expected.json", ".html")
    return spec, (expected.parent / name).read_text(encoding="utf-8")


LISTS = [c for c in CASES if _load(c)[0].get("kind", "list") == "list"]
DETAILS = [c for c in CASES if _load(c)[0].get("kind") == "detail"]


@pytest.mark.parametrize("case", LISTS, ids=[c.name.split(".")[0] for c in LISTS])
def test_list_pages_read_as_expected(case: Path) -> None:
    spec, text = _load(case)
    page = read_list_page(spec["url"], text, first=spec.get("first", True))
    if "family" in spec:
        assert page.family == spec["family"]
    dated = {(link.url, link.title, link.listed_date) for link in page.links if link.listed_date}
    assert dated == {(item["url"], item["title"], item["date"]) for item in spec["items"]}
    reports = []
    for link in page.links:
        title = read_title(link.title)
        if title.is_report:
            reports.append((link.url, title.year, discovered_name(title.issuer)))
    expected = [(r["url"], r["year"], r["agency"]) for r in spec.get("reports", [])]
    assert reports == expected
    if spec.get("pages") is not None:  # null: the saved page lacks its pager
        assert page.requests == spec["pages"]
    for key in ("pages_announced", "records_announced"):
        if key in spec:
            assert getattr(page, key) == spec[key]
    if "sublists" in spec:
        assert page.sublists == spec["sublists"]
    if "pages_hanweb" in spec:
        hanweb = spec["pages_hanweb"]
        assert page.records_announced == hanweb["total"]
        starts = []
        for request in page.requests:
            parts = urlsplit(request)
            assert f"{parts.scheme}://{parts.netloc}{parts.path}" == hanweb["proxy"]
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            assert [query[k] for k in ("columnid", "unitid", "webid")] == [
                hanweb["columnid"],
                hanweb["unitid"],
                hanweb["webid"],
            ]
            starts.append(int(query["startrecord"]))
            last = int(query["endrecord"])
        # The requests read every record after those shown, up to the announced total.
        assert starts[0] == page.records + 1
        assert last >= hanweb["total"]
        if "starts" in hanweb:
            assert starts == hanweb["starts"]


@pytest.mark.parametrize("case", DETAILS, ids=[c.name.split(".")[0] for c in DETAILS])
def test_detail_pages_give_attachments_and_date(case: Path) -> None:
    spec, text = _load(case)
    assert attachments(spec["url"], text) == spec["attachments"]
    assert page_date(text) == spec["page_date"]


def _real(case: Path) -> bool:
    return case.parent.name == "real" or _load(case)[0].get("real") is True


def test_every_registered_family_has_a_saved_real_page() -> None:
    """A family is told from a real page of it (not named by the expected file), and each
    own real page says where it came from."""
    told: dict[str, list[str]] = {}
    for case in filter(_real, LISTS):
        spec, text = _load(case)
        if case.parent.name != "real":
            assert text.startswith("<!-- provenance:"), case.name
        page = read_list_page(spec["url"], text, first=spec.get("first", True))
        told.setdefault(page.family, []).append(case.name)
    assert sorted(set(FAMILIES) - set(told)) == []


@pytest.mark.parametrize(
    ("link", "found"),
    [
        ("/files/report.PDF", True),
        ("/files/%E5%B9%B4%E6%8A%A5.docx", True),
        ("/files/report%2Epdf", True),
        ("/download.jsp?filename=P0123.wps&id=9", True),
        ("/articles/document.html", False),  # "doc" in a word is not a format
        ("/files/report.pdfx", False),
    ],
)
def test_a_page_is_searched_for_links_only_when_it_names_a_format(link: str, found: bool) -> None:
    page = (
        "<!DOCTYPE html><html><body><script>document.title='年报';</script>"
        f'<a href="{link}">附件</a></body></html>'
    )
    assert bool(attachments("http://www.example.gov.cn/a/t1.html", page)) is found


def test_the_docs_name_every_registered_family() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text(encoding="utf-8")
    line = next(x for x in docs.splitlines() if x.startswith("family = "))
    assert (
        line.split("#", 1)[1].split(":", 1)[1].split()
        == [w for f in sorted(FAMILIES) for w in (f, "|")][:-1]
    )
