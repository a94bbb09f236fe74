"""`nianbao serve`: the archive in Datasette on 127.0.0.1, described, faceted, with canned
questions and a search box that finds Chinese text; nothing written to the archive."""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from datetime import date
from pathlib import Path

import pytest

from demo.portal import article, report_body
from ingest import add_document
from monitor.runner import run_checks
from storage.archive import Archive, Fetched
from storage.outbox import enqueue
from tests.support import free_port, read_whole, start

pytest.importorskip("datasette", reason="the web extra (datasette) is not installed")
pytestmark = pytest.mark.slow  # a server in its own process


def get(base: str, path: str, **params: str) -> dict | list:
    url = f"{base}{path}" + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def served(archive: Archive, tmp_path: Path):
    for year in (2021, 2022, 2023):
        page = article(
            f"某市生态环境局{year}年政府信息公开工作年度报告",
            f"{year + 1}-01-15",
            report_body("某市生态环境局", year),
        )
        add_document(archive, page, Fetched(agency_id="demo-env", listed_date=f"{year + 1}-01-15"))
    read_whole(archive)
    run_checks(archive, date(2024, 6, 1))
    enqueue(archive.conn, "chief@example.org", "年报监测", b"SECRET DIGEST", ["x"], [], "2024")
    # A packed blob that inflates to 200 MB (too long for a URL: kept in a table of its own).
    archive.conn.execute("CREATE TABLE probe (packed BLOB)")
    archive.conn.execute("INSERT INTO probe VALUES (?)", (zlib.compress(b"0" * 200_000_000, 9),))
    archive.close()
    db = tmp_path / "nianbao.db"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    port = free_port()
    proc = start("serve", "--db", str(db), "--port", str(port), cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            get(base, "/nianbao.json", sql="SELECT 1")
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    yield base, str(tmp_path), proc.pid
    proc.terminate()
    proc.wait(timeout=10)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # read-only


def test_tables_are_described_and_faceted(served: tuple[str, str, int]) -> None:
    base, *_ = served
    meta = get(base, "/-/metadata.json")
    tables = meta["databases"]["nianbao"]["tables"]
    assert "docs/rules.md" in tables["findings"]["description"]
    assert "问题" in tables["findings"]["description"]  # what a person reads is Chinese
    assert meta["databases"]["nianbao"]["queries"]["not_ok"]["title"] == "所有不合规的单位和年度"
    assert tables["document_bytes"]["hidden"] is True
    compliance = get(base, "/nianbao/compliance.json", _facet="status")
    statuses = {f["value"] for f in compliance["facet_results"]["status"]["results"]}
    assert statuses == {"ok", "missing"}  # demo-county published nothing
    findings = get(base, "/nianbao/findings.json", _shape="objects")
    assert findings["rows"] and "facet_results" in findings
    assert findings["filtered_table_rows_count"] == len(findings["rows"])
    assert findings["suggested_facets"] == []  # a query per column: off
    # Every cell of every report: its rows, no total counted.
    cells = get(base, "/nianbao/cell_values.json", _shape="objects")
    assert cells["rows"] and cells["filtered_table_rows_count"] is None


def test_the_search_box_finds_chinese_text(served: tuple[str, str, int]) -> None:
    base, *_ = served
    found = get(base, "/nianbao/report_texts.json", _search="信息处理费", _shape="objects")
    assert len(found["rows"]) == 3
    assert (
        get(base, "/nianbao/report_texts.json", _search="没有这段文字", _shape="objects")["rows"]
        == []
    )


def test_canned_questions_answer(served: tuple[str, str, int]) -> None:
    base, *_ = served
    rows = get(base, "/nianbao/received.json", _shape="array")
    assert [r["year"] for r in rows] == [2021, 2022, 2023]
    assert all(r["received"] > 0 for r in rows)
    cell = get(
        base, "/nianbao/one_cell.json", key="applications.new_received.total", _shape="array"
    )
    assert [r["value"] for r in cell] == [r["received"] for r in rows]
    mine = get(base, "/nianbao/agency_findings.json", agency="某县人民政府", _shape="array")
    assert {r["rule"] for r in mine} == {"report.missing"}
    problems = get(base, "/nianbao/not_ok.json", _shape="array")
    assert {(r["name"], r["status"]) for r in problems} == {("某县人民政府", "missing")}


def test_subscribers_and_their_digests_are_not_shown(served: tuple[str, str, int]) -> None:
    base, *_ = served
    sql = "SELECT address, subject, message FROM outbox"
    rows = get(base, "/nianbao.json", sql=sql, _shape="array")
    assert rows == [{"address": None, "subject": None, "message": None}]
    table = get(base, "/nianbao/outbox.json", _shape="array")
    assert "chief@example.org" not in json.dumps(table, ensure_ascii=False)
    assert "SECRET" not in json.dumps(table)


def status(base: str, path: str, **params: str) -> tuple[int, str]:
    url = f"{base}{path}" + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_where_the_archive_lies_and_the_servers_settings_are_not_shown(
    served: tuple[str, str, int],
) -> None:
    base, folder, _ = served
    for page in ("/-/databases.json", "/-/databases", "/-/settings.json", "/-/versions.json"):
        code, body = status(base, page)
        assert code == 404 and folder not in body, page
    sql = "SELECT * FROM pragma_database_list"
    code, body = status(base, "/nianbao.json", sql=sql)
    assert code == 200 and folder not in body
    for page in ("/", "/nianbao", "/nianbao/reports", "/nianbao.json"):
        code, body = status(base, page)
        assert code == 200 and folder not in body, page


def test_the_archives_functions_are_bounded_in_any_sql(served: tuple[str, str, int]) -> None:
    """A packed blob that inflates without end, or a string built past what one value may
    be: an error at once, the server still answering."""
    base, _, pid = served
    code, body = status(
        base, "/nianbao.json", sql="SELECT length(nianbao_unpack(packed)) FROM probe"
    )
    assert code == 400 and "function raised exception" in body
    code, body = status(base, "/nianbao.json", sql="SELECT nianbao_chars(zeroblob(100000000))")
    assert code == 400 and "too big" in body
    code, _ = status(base, "/nianbao.json", sql="SELECT count(*) FROM report_texts")
    assert code == 200
    peak = Path(f"/proc/{pid}/status").read_text().split("VmHWM:")[1].split()[0]
    assert int(peak) < 300_000  # kB: the 200 MB the blob would inflate to was never built
