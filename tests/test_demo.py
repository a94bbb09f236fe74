"""`nianbao demo` as a newcomer runs it: the whole job on the bundled portal, every planted
defect found and explained, the compliance report and the digests written — and the
report read in a real browser: filtered, a cell clicked, its panel read."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from demo.portal import AS_OF, PLANTED, agencies
from tests.support import run

pytestmark = pytest.mark.slow  # a crawl in its own process


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    workdir = tmp_path_factory.mktemp("demo")
    done = run("demo", "--dir", str(workdir / "out"), cwd=workdir, timeout=120)
    assert done.returncode == 0, done.stderr
    return workdir / "out", done.stdout


def test_the_demo_finds_and_explains_every_planted_defect(demo: tuple[Path, str]) -> None:
    _, printed = demo
    assert f"判断日期 {AS_OF}" in printed
    assert "（未发现！）" not in printed
    names = {a: n for a, (n, _, _) in agencies().items()}
    for _, agency_id, _, _, said_zh, _ in PLANTED:
        assert said_zh in printed
        block = printed.split(said_zh, 1)[1].split("\n• ", 1)[0]
        assert block.strip().startswith("nianbao：")  # what nianbao itself says of it
        assert f"--agency {agency_id}" in block
        assert names[agency_id] in printed
    # The matrix: each planted defect in its cell, the other years of clean agencies ok.
    rows = {line.split()[0]: line.split()[1:] for line in printed.splitlines()[5:] if line}
    assert rows["青石县东岭镇人民政府"][-1] == "缺失"
    assert rows["某市交通运输局"][3] == "逾期"
    assert rows["某区教育局"][-1] == "数据不一致"
    assert rows["某市生态环境局"] == ["合规"] * 5
    assert "cells" not in printed and "Traceback" not in printed


def test_a_documents_problem_shows_under_its_own_year(demo: tuple[Path, str]) -> None:
    """东岭镇's 2019 attachment is gone (404): the report shows that under 2019 only, not
    under every year of the agency."""
    import sqlite3

    from output.compliance import gather

    out, _ = demo
    data = gather(sqlite3.connect(out / "nianbao.db"))
    (town,) = [a for a in data["agencies"] if a["id"] == "qs-dongling"]
    where = sorted(
        y
        for y, cell in town["cells"].items()
        if any(f["rule"] == "source.unreadable_documents" for f in cell["findings"])
    )
    assert where == [2019]
    assert not [n for n in town["notes"] if n["rule"] == "source.unreadable_documents"]


def test_the_demo_writes_a_report_and_digests_in_each_language(demo: tuple[Path, str]) -> None:
    out, _ = demo
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and AS_OF in page
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?https?:""", page)
    # The archived copies of the years findings are about (qd-edu 2023, gd-traffic 2022,
    # qs-edu 2021, xc-county 2022, qs-county 2022, the conflicting listing of qs-dongling
    # 2020), not all 44 reports: the others link their portal address.
    documents = list((out / "report-documents").iterdir())
    assert len(documents) == 6
    # The sources in trouble, each by its state's title and sentence, no internal keys.
    health = page.split('id="health"')[1].split("</table>")[0]
    assert "栏目无法访问" in health and "栏目未能读完" in health
    assert "<td>incomplete</td>" not in health and "page_failed (" not in health
    digests = sorted((out / "outbox").glob("*.eml"))
    assert len(digests) == 3
    by_to = {}
    for path in digests:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        by_to[message["To"]] = message
    zh = by_to["researcher@example.org"].get_body(("plain",)).get_content()
    assert zh.startswith("摘要\n") and "建议：" in zh and "报告缺失" in zh
    office = by_to["qingshi-office@example.org"].get_body(("plain",)).get_content()
    assert "青石县" in office and "某市交通运输局" not in office
    en = by_to["editor@example.org"]
    assert en["Subject"].startswith("nianbao: ")
    assert "What to do: " in en.get_body(("plain",)).get_content()


def test_the_report_works_in_a_browser(demo: tuple[Path, str], browser, artifacts: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    out, _ = demo
    browser.get((out / "report.html").as_uri())
    assert browser.find_element(By.ID, "as-of").text == AS_OF
    rows = browser.find_elements(By.CSS_SELECTOR, "#matrix tbody tr")
    assert len(rows) == 11
    # Filter by level: the townships only.
    Select(browser.find_element(By.ID, "f-level")).select_by_value("township")
    shown = [r for r in rows if r.is_displayed()]
    assert [r.find_element(By.TAG_NAME, "th").text.split("\n")[0] for r in shown] == [
        "青石县东岭镇人民政府"
    ]
    assert browser.find_element(By.ID, "shown").text == "1"
    Select(browser.find_element(By.ID, "f-level")).select_by_value("")
    # Filter by status, then open the broken sum's cell.
    Select(browser.find_element(By.ID, "f-status")).select_by_value("inconsistent")
    # qd-edu 2023's broken sum; qs-edu 2021's carry-over mismatch is a warning (docs/rules.md).
    assert browser.find_element(By.ID, "shown").text == "1"
    browser.find_element(By.CSS_SELECTOR, 'button[data-agency="qd-edu"][data-year="2023"]').click()
    panel = browser.find_element(By.ID, "panel")
    assert panel.is_displayed()
    text = panel.text
    assert "某区教育局 · 2023" in text
    assert "申请情况表“自然人”一列：“（七）总计”为" in text
    # Its rule's severity, title, meaning and advice, said once per rule in the page.
    from report.registry import title

    assert f"[错误] {title('applications.outcome_sum', 'zh')}" in text
    assert "含义：" in text and "建议：" in text
    document = panel.find_element(By.LINK_TEXT, "存档文件").get_attribute("href")
    assert Path(document.removeprefix("file://")).is_file()
    assert panel.find_elements(By.CSS_SELECTOR, "svg.chart")  # the agency's chart
    browser.save_screenshot(str(artifacts / "report-panel.png"))
    assert (artifacts / "report-panel.png").stat().st_size > 10_000


def test_one_verdict_per_agency_year_read_the_same_everywhere(demo: tuple[Path, str]) -> None:
    """The compliance view's status is what the findings say (missing: check's open
    report.missing; inconsistent: an open error; late: an open report.late), and the
    matrix, the report and the digests' counts all read it."""
    from output.compliance import gather
    from storage.db import connect
    from storage.query import matrix

    workdir, _ = demo
    conn = connect(workdir / "nianbao.db", readonly=True)
    open_rules: dict[tuple[str, int], set[tuple[str, str]]] = {}
    for agency, year, rule, severity in conn.execute(
        "SELECT agency_id, year, rule, severity FROM findings WHERE status = 'open'"
    ):
        open_rules.setdefault((agency, year), set()).add((rule, severity))
    view = {
        (a, y): (status, report)
        for a, y, status, report in conn.execute(
            "SELECT agency_id, year, status, report_id FROM compliance"
        )
    }
    assert {s for s, _ in view.values()} >= {"ok", "missing", "inconsistent", "unverified"}
    for key, (status, report) in view.items():
        rules = open_rules.get(key, set())
        assert (status == "missing") == (("report.missing", "error") in rules), key
        if report is not None:
            errors = any(sev == "error" for _, sev in rules)
            assert (status == "inconsistent") == errors, key
            if not errors:
                assert (status == "late") == any(r == "report.late" for r, _ in rules), key
    shown = matrix(conn)
    reported = {a["id"]: a["cells"] for a in gather(conn)["agencies"]}
    for (agency, year), (status, _) in view.items():
        assert status in shown[agency][year]
        assert status in reported[agency][year]["statuses"]
    conn.close()
