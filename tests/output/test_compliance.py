"""The compliance report as a file and in a real browser: what a portal or a report
says reaches the page as text, never as markup; English on request."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from demo.portal import article, report_body
from ingest import add_document
from monitor.runner import run_checks
from output.compliance import write_report
from storage.archive import Archive, Fetched
from storage.sources import load_sources
from tests.support import read_whole

HOSTILE = '<img src=x onerror="window.pwned=1">'


@pytest.fixture
def hostile(archive: Archive, tmp_path: Path) -> Archive:
    """An archive where an agency's name, a report's title and a source address carry
    markup and a script address."""
    sources = tmp_path / "hostile.toml"
    sources.write_text(
        f"""
[[agency]]
id = "bad-name"
name = '某县审计局{HOSTILE}'
level = "county_dept"
region = "某省</script><script>window.pwned=2</script>"
list_urls = ["http://127.0.0.1/audit/index.html"]
""",
        encoding="utf-8",
    )
    archive.load_agencies(load_sources(sources))
    title = f"某市生态环境局2022年政府信息公开工作年度报告{HOSTILE}"
    page = article(title, "2023-01-10", report_body("某市生态环境局", 2022))
    # The archived page's own script: it must not run where the report's folder opens it.
    page = page.replace(b"</body>", b"<script>window.pwned=4</script></body>")
    add_document(
        archive,
        page,
        Fetched(agency_id="demo-env", listed_date="2023-01-10", source_url="javascript:alert(3)"),
    )
    read_whole(archive)
    run_checks(archive, date(2024, 6, 1))
    return archive


def test_values_from_reports_and_portals_are_text_not_markup(
    hostile: Archive, tmp_path: Path, browser
) -> None:
    from selenium.webdriver.common.by import By

    out = tmp_path / "report.html"
    _, written = write_report(hostile.conn, out, all_documents=True)
    page = out.read_text(encoding="utf-8")
    assert HOSTILE not in page and "</script><script>" not in page
    assert "javascript:" not in page
    assert written == 1
    browser.get(out.as_uri())
    names = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#matrix tbody th")]
    assert any(HOSTILE in n for n in names)  # shown as the text it is
    browser.find_element(
        By.CSS_SELECTOR, 'button[data-agency="demo-env"][data-year="2022"]'
    ).click()
    panel = browser.find_element(By.ID, "panel")
    # The source address was javascript:, so it is no link; the archived copy is.
    assert [a.text for a in panel.find_elements(By.TAG_NAME, "a")] == ["存档文件"]
    browser.find_element(By.ID, "close").click()
    assert not panel.is_displayed()
    browser.find_element(By.CSS_SELECTOR, 'button[data-agency="bad-name"]').click()
    assert HOSTILE in panel.text and "</script><script>window.pwned=2</script>" in panel.text
    assert panel.find_elements(By.TAG_NAME, "img") == []
    assert browser.execute_script("return window.pwned") is None
    assert browser.find_elements(By.CSS_SELECTOR, "body img") == []


def test_english_on_request(hostile: Archive, tmp_path: Path) -> None:
    out = tmp_path / "en.html"
    write_report(hostile.conn, out, "en", documents=False)
    page = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Judged as of" in page and "2024-06-01" in page
    for chinese in ("判断日期", "图例", "合规", "建议"):
        assert chinese not in page
    assert not (tmp_path / "en-documents").exists()


def test_archived_pages_are_exported_whole_and_run_no_scripts(
    hostile: Archive, tmp_path: Path, browser
) -> None:
    out = tmp_path / "report.html"
    assert write_report(hostile.conn, out)[1] == 0  # no finding: only its portal address
    assert write_report(hostile.conn, out, all_documents=True)[1] == 1
    (exported,) = (tmp_path / "report-documents").iterdir()
    assert exported.suffix == ".html" and b"window.pwned=4" in exported.read_bytes()
    browser.get(exported.as_uri())
    assert "某市生态环境局" in browser.page_source
    assert browser.execute_script("return window.pwned") is None
    # A killed run's truncated file is written again, whole; a whole one is left alone.
    whole = exported.read_bytes()
    exported.write_bytes(whole[:100])
    assert write_report(hostile.conn, out, all_documents=True)[1] == 1
    assert exported.read_bytes() == whole
    assert write_report(hostile.conn, out, all_documents=True)[1] == 0
    assert not list((tmp_path / "report-documents").glob(".*.partial"))


def test_a_digest_link_opens_the_report_at_its_cell_and_esc_closes_it(
    hostile: Archive, tmp_path: Path, browser
) -> None:
    """report.html#AGENCY-YEAR, as the digests link it, opens that cell's panel; #AGENCY-
    (an agency's column) opens its last year; Esc closes the panel."""
    from urllib.parse import quote

    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    out = tmp_path / "report.html"
    write_report(hostile.conn, out)
    browser.get(out.as_uri() + "#" + quote("demo-env-2022"))
    panel = browser.find_element(By.ID, "panel")
    assert panel.is_displayed()
    assert panel.find_element(By.TAG_NAME, "h2").text == "某市生态环境局 · 2022"
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    assert not panel.is_displayed()
    browser.get(out.as_uri() + "#" + quote("demo-env-"))
    browser.refresh()
    years = browser.find_elements(By.CSS_SELECTOR, 'button[data-agency="demo-env"]')
    last = years[-1].get_attribute("data-year")
    panel = browser.find_element(By.ID, "panel")  # a new page: a new panel
    assert panel.is_displayed()
    assert panel.find_element(By.TAG_NAME, "h2").text == f"某市生态环境局 · {last}"


def test_statuses_are_rolled_up_by_region_and_level(hostile: Archive, tmp_path: Path) -> None:
    """The latest judged year's statuses counted per region and level, a total row; the
    legend says what — means."""
    from lxml import html as lxml_html

    out = tmp_path / "report.html"
    data, _ = write_report(hostile.conn, out, documents=False)
    page = lxml_html.fromstring(out.read_text(encoding="utf-8"))
    (table,) = page.xpath('//table[@id="rollup"]')
    heads = [th.text_content() for th in table.xpath(".//thead//th")]
    assert heads[:2] == ["地区", "层级"] and "缺失" in heads and "合规" in heads
    rows = table.xpath(".//tbody/tr")
    total = rows[-1]
    assert total.xpath("./th")[0].text_content() == "合计"
    counted = sum(int(td.text_content() or 0) for td in total.xpath("./td")[1:])
    year = int(table.getparent().xpath("./h2")[0].text_content().split("（")[1][:4])
    assert counted == sum(1 for a in data["agencies"] if year in a["cells"])
    assert any("—" in li.text_content() for li in page.xpath('//ul[@class="legend"]/li'))


def test_a_rule_pack_adds_a_ranking(hostile: Archive, tmp_path: Path) -> None:
    from lxml import html as lxml_html

    from report.scoring import PACKS, load_pack

    out = tmp_path / "report.html"
    write_report(hostile.conn, out, documents=False, pack=load_pack(PACKS / "default.toml"))
    page = lxml_html.fromstring(out.read_text(encoding="utf-8"))
    (table,) = page.xpath('//table[@id="ranking"]')
    rows = {r.xpath("./td")[1].text_content(): r for r in table.xpath(".//tbody/tr")}
    env = [td.text_content() for td in rows["某市生态环境局"].xpath("./td")]
    assert env[0].split("/")[0].isdigit()  # its rank within region and level, N/M
    assert float(env[4]) < 100  # its open findings cost it points
    plain = tmp_path / "plain.html"
    write_report(hostile.conn, plain, documents=False)
    assert 'id="ranking"' not in plain.read_text(encoding="utf-8")


def test_a_cell_sets_its_numbers_beside_last_years(
    archive: Archive, tmp_path: Path, browser
) -> None:
    """demo-env 2022 received 20 requests where 2021 received 18: the panel of 2022 sets
    table 三 row by row (its 总计 column) and table 四's totals beside 2021's, the changes
    marked; 2021 has no last year."""
    from selenium.webdriver.common.by import By

    from tests.support import report

    add_document(
        archive, report(year=2021), Fetched(agency_id="demo-env", listed_date="2022-01-10")
    )
    more = report(
        year=2022,
        edit=(
            "一、本年新收政府信息公开申请数量\t12\t3\t0\t1\t2\t0\t18",
            "一、本年新收政府信息公开申请数量\t14\t3\t0\t1\t2\t0\t20",
        ),
    )
    add_document(archive, more, Fetched(agency_id="demo-env", listed_date="2023-01-10"))
    read_whole(archive)
    run_checks(archive, date(2023, 6, 1))
    out = tmp_path / "report.html"
    write_report(archive.conn, out, documents=False)
    browser.get(out.as_uri() + "#demo-env-2022")
    table = browser.find_element(By.ID, "compare")
    rows = {
        r.find_elements(By.TAG_NAME, "td")[0].text: r
        for r in table.find_elements(By.TAG_NAME, "tr")[1:]
    }
    received = rows["一、本年新收政府信息公开申请数量 · 总计"]
    assert [td.text for td in received.find_elements(By.TAG_NAME, "td")[1:]] == ["18", "20", "+2"]
    assert received.get_attribute("class") == "changed"
    labels = list(rows)
    assert (
        labels.index("一、本年新收政府信息公开申请数量 · 总计")
        < labels.index("（三）不予公开 1.属于国家秘密 · 总计")
        < labels.index("行政复议 · 总计")
    )
    secret = rows["（三）不予公开 1.属于国家秘密 · 总计"]
    assert [td.text for td in secret.find_elements(By.TAG_NAME, "td")[1:]] == ["0", "0", "0"]
    assert secret.get_attribute("class") == ""
    assert len(rows) >= 25
    assert [h.text for h in table.find_elements(By.TAG_NAME, "th")][1:3] == ["2021", "2022"]
    browser.get(out.as_uri() + "#demo-env-2021")
    browser.refresh()
    assert browser.find_elements(By.ID, "compare") == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chart_totals_and_legends_are_not_clipped(
    hostile: Archive, tmp_path: Path, browser, lang: str
) -> None:
    """Every total above a bar and every legend entry lies inside its chart, in the
    browser's own measure of the text, in either language."""
    out = tmp_path / f"report-{lang}.html"
    write_report(hostile.conn, out, lang, documents=False)
    browser.get(out.as_uri())
    outside = browser.execute_script(
        """return [...document.querySelectorAll('svg.chart')].flatMap((svg) => {
             const box = svg.viewBox.baseVal;
             return [...svg.querySelectorAll('text')].map((t) => [t.textContent, t.getBBox()])
               .filter(([, b]) => b.x < 0 || b.y < 0 || b.x + b.width > box.width
                 || b.y + b.height > box.height).map(([text]) => text);
           });"""
    )
    assert browser.execute_script("return document.querySelectorAll('svg.chart text').length")
    assert outside == []


def test_a_large_archive_is_an_index_of_regions_and_a_page_per_region(
    hostile: Archive, tmp_path: Path, browser
) -> None:
    """Past region_pages_over agencies, report.html is an index of the regions (counts per
    status, a link to each region's page) and a digest's link report.html#AGENCY-YEAR goes
    on to the agency's region page with that cell's panel open; a region page links its
    archived documents one folder up."""
    from urllib.parse import quote

    from lxml import html as lxml_html
    from selenium.webdriver.common.by import By

    from output.regions import page_of
    from report.scoring import load_pack

    out = tmp_path / "report.html"
    data, _ = write_report(
        hostile.conn, out, all_documents=True, region_pages_over=1, pack=load_pack()
    )
    regions = sorted({a["region"] for a in data["agencies"]})
    assert data["region_pages"] == len(regions) >= 2
    index = lxml_html.fromstring(out.read_text(encoding="utf-8"))
    links = index.xpath('//table[@id="regions"]//a/@href')
    assert links == [f"report-regions/{page_of(r)}" for r in regions]
    assert not index.xpath('//table[@id="matrix"]')  # no agency rows on the index
    env = next(a for a in data["agencies"] if a["id"] == "demo-env")
    page = tmp_path / "report-regions" / page_of(env["region"])
    text = page.read_text(encoding="utf-8")
    assert 'data-agency="demo-env"' in text and 'data-agency="bad-name"' not in text
    assert '"document":"../report-documents/' in text
    # Ranks are within region and level: a region's page ranks its own agencies only.
    ranking = lxml_html.fromstring(text).xpath('//table[@id="ranking"]//tbody/tr/td[2]')
    assert [td.text_content() for td in ranking] == [
        a["name"] for a in data["agencies"] if a["region"] == env["region"]
    ]

    browser.get(out.as_uri() + "#" + quote("demo-env-2022"))
    assert browser.current_url.startswith(page.as_uri())
    panel = browser.find_element(By.ID, "panel")
    assert panel.is_displayed()
    assert panel.find_element(By.TAG_NAME, "h2").text == "某市生态环境局 · 2022"
    (archived,) = [a for a in panel.find_elements(By.TAG_NAME, "a") if a.text == "存档文件"]
    assert archived.get_attribute("href").startswith((tmp_path / "report-documents").as_uri())


def test_past_the_region_pages_only_the_years_an_error_is_about_export_their_documents(
    archive: Archive, tmp_path: Path, browser
) -> None:
    """A national archive has a warning in most years: exporting each would write most of
    its documents. Past the region pages' threshold, only a year an error is about (an
    inconsistent report) has its document beside the report; a year with a warning only
    names its document for `nianbao document`. Below it, both are exported."""
    from selenium.webdriver.common.by import By

    from output.regions import page_of
    from tests.support import report

    # 某市生态环境局 2022 published in June: late, a warning. 某县人民政府 2022: a sum broken.
    late = add_document(archive, report(), Fetched(agency_id="demo-env", listed_date="2023-06-10"))
    broken = report(
        agency="某县人民政府",
        edit=("申请数量\t12\t3\t0\t1\t2\t0\t18", "申请数量\t12\t3\t0\t1\t2\t0\t19"),
    )
    add_document(archive, broken, Fetched(agency_id="demo-county", listed_date="2023-01-10"))
    read_whole(archive)
    run_checks(archive, date(2024, 6, 1))

    out = tmp_path / "small" / "report.html"
    out.parent.mkdir()
    assert write_report(archive.conn, out)[1] == 2  # one page: every finding's year

    out = tmp_path / "national" / "report.html"
    out.parent.mkdir()
    data, written = write_report(archive.conn, out, region_pages_over=1)
    assert written == 1
    cells = {a["id"]: a["cells"][2022] for a in data["agencies"]}
    assert cells["demo-env"]["worst"] == "late" and cells["demo-county"]["worst"] == "inconsistent"
    assert cells["demo-env"]["report"]["document"] is None
    (exported,) = (tmp_path / "national" / "report-documents").iterdir()
    assert cells["demo-county"]["report"]["document"].endswith(exported.name)

    page = tmp_path / "national" / "report-regions" / page_of("某省某市")
    browser.get(page.as_uri() + "#demo-env-2022")
    panel = browser.find_element(By.ID, "panel")
    assert panel.is_displayed()
    fetch = f"存档文件：nianbao document {late.sha256[:16]}"
    assert [c.text for c in panel.find_elements(By.TAG_NAME, "code")] == [fetch]
    assert "存档文件" not in [a.text for a in panel.find_elements(By.TAG_NAME, "a")]


@pytest.fixture
def judged(archive: Archive) -> Archive:
    """Two regions' agencies with findings of each kind: a late report (a warning), a
    broken sum (an error), missing years; checked."""
    from tests.support import report

    add_document(archive, report(), Fetched(agency_id="demo-env", listed_date="2023-06-10"))
    broken = report(
        agency="某县人民政府",
        edit=("申请数量\t12\t3\t0\t1\t2\t0\t18", "申请数量\t12\t3\t0\t1\t2\t0\t19"),
    )
    add_document(archive, broken, Fetched(agency_id="demo-county", listed_date="2023-01-10"))
    add_document(
        archive, report(agency="某县人民政府", year=2021), Fetched(agency_id="demo-county")
    )
    read_whole(archive)
    run_checks(archive, date(2024, 6, 1))
    return archive


def test_a_region_gathered_alone_is_what_the_whole_report_shows_of_it(judged: Archive) -> None:
    """Region pages gather one region at a time: each agency's cells, findings, numbers,
    notes and chart are the same as gathered with every agency."""
    from output.compliance import gather

    whole = gather(judged.conn, "zh", "docs", errors_only=True)
    regions: dict[str, list[dict]] = {}
    for agency in whole["agencies"]:
        regions.setdefault(agency["region"], []).append(agency)
    assert len(regions) >= 2
    assert any(c["findings"] for a in whole["agencies"] for c in a["cells"].values())
    for region, shown in regions.items():
        alone = gather(
            judged.conn, "zh", "docs", errors_only=True, agency_ids=[a["id"] for a in shown]
        )
        assert alone["agencies"] == shown, region
        assert set(alone["rules"]) == {
            f["rule"] for a in shown for c in a["cells"].values() for f in c["findings"]
        } | {f["rule"] for a in shown for f in a["notes"]}


def test_region_pages_written_by_worker_processes_are_the_ones_one_process_writes(
    judged: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the threshold each region is written by a pool worker with its own reader of
    the archive; the files are byte for byte those this process writes alone."""
    import output.regions

    monkeypatch.setattr(output.regions, "now", lambda: "2024-06-01T08:00:00")
    written = {}
    for cores in (2, 1):
        monkeypatch.setattr(output.regions.os, "cpu_count", lambda cores=cores: cores)
        out = tmp_path / f"cores-{cores}" / "report.html"
        out.parent.mkdir()
        told: list[tuple[int, int]] = []
        data, exported = write_report(
            judged.conn, out, region_pages_over=1, progress=lambda *p, told=told: told.append(p)
        )
        assert data["region_pages"] >= 2 and exported == 1
        pages = data["region_pages"]
        assert told == [(done, pages) for done in range(1, pages + 1)]
        written[cores] = {
            p.relative_to(out.parent): p.read_bytes() for p in out.parent.rglob("*") if p.is_file()
        }
    assert written[2] == written[1]
    assert len(written[2]) == data["region_pages"] + 2  # the index and the error's document
    assert not [p for p in written[2] if p.name.endswith(".partial")]
