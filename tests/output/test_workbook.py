"""`nianbao export`: the workbook an office hands on, read back with openpyxl, and the
CSV files Excel opens (a BOM, Chinese headers and statuses)."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from ingest import add_document
from monitor.runner import run_checks
from output.compliance import COLOURS
from storage.archive import Archive, Fetched
from tests.support import invoke, read_whole, report

URL = "https://www.example.gov.cn/hbj/nb/t20230205_1.html"


@pytest.fixture
def checked(archive: Archive, tmp_path: Path) -> Path:
    """demo-env: 2021 on time, 2022 late (its document at URL), 2023 absent; checked."""
    add_document(
        archive, report(year=2021), Fetched(agency_id="demo-env", listed_date="2022-01-10")
    )
    add_document(
        archive,
        report(year=2022),
        Fetched(agency_id="demo-env", listed_date="2023-02-05", source_url=URL),
    )
    read_whole(archive)
    run_checks(archive, date(2024, 4, 1))
    archive.close()
    return tmp_path / "nianbao.db"


def test_the_workbook_has_the_matrix_the_findings_and_the_cells(
    checked: Path, tmp_path: Path
) -> None:
    out = tmp_path / "年报合规.xlsx"
    result = invoke("export", "--db", str(checked), "--out", str(out))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["合规矩阵", "问题清单", "报表数据"]

    matrix = book["合规矩阵"]
    header = [c.value for c in matrix[1]]
    assert header[:4] == ["单位", "单位编号", "层级", "地区"] and "2022" in header
    rows = {r[1].value: r for r in matrix.iter_rows(min_row=2)}
    env = rows["demo-env"]
    assert env[0].value == "某市生态环境局" and env[2].value == "市级部门"
    by_year = dict(zip(header, env, strict=True))
    assert [by_year[y].value for y in ("2021", "2022", "2023")] == ["合规", "逾期", "缺失"]
    assert by_year["2022"].fill.fgColor.rgb[-6:] == COLOURS["late"].lstrip("#").upper()
    assert matrix.freeze_panes == "E2" and matrix.auto_filter.ref.startswith("A1:")

    found = book["问题清单"]
    names = [c.value for c in found[1]]
    assert names[:3] == ["编号", "单位", "单位编号"] and "说明" in names and "文件链接" in names
    items = [dict(zip(names, r, strict=True)) for r in found.iter_rows(min_row=2)]
    late = next(i for i in items if i["问题"].value == "报告逾期")
    assert late["年度"].value == 2022 and late["严重程度"].value == "警告"
    assert "晚于截止日期" in late["说明"].value  # a sentence, not a rule key
    assert late["文件链接"].hyperlink.target == URL
    assert isinstance(late["首次发现"].value, datetime)
    assert any(i["问题"].value == "报告缺失" and i["年度"].value == 2023 for i in items)

    cells = book["报表数据"]
    heads = [c.value for c in cells[1]]
    column = next(n for n, h in enumerate(heads) if h.endswith("\napplications.new_received.total"))
    assert heads[column].startswith("一、本年新收政府信息公开申请数")
    values = {(r[1].value, r[4].value): r[column].value for r in cells.iter_rows(min_row=2)}
    assert set(values) == {("demo-env", 2021), ("demo-env", 2022)}
    assert all(isinstance(v, int) for v in values.values())


def test_csv_files_open_in_excel_with_chinese_names_and_statuses(
    checked: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "csv"
    result = invoke("export", "--db", str(checked), "--format", "csv", "--out", str(folder))
    assert result.exit_code == 0, result.output
    raw = (folder / "合规矩阵.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:2] == ["单位", "单位编号"]
    env = next(r for r in rows if r[1] == "demo-env")
    assert env[0] == "某市生态环境局" and "逾期" in env and "缺失" in env
    english = invoke(
        "export", "--db", str(checked), "--format", "csv", "--out", str(folder), "--lang", "en"
    )
    assert english.exit_code == 0
    rows = list(csv.reader((folder / "Compliance.csv").read_text("utf-8-sig").splitlines()))
    assert rows[0][:2] == ["Agency", "Agency id"]
    assert "late" in next(r for r in rows if r[1] == "demo-env")


def test_export_refuses_a_folder_for_a_workbook(checked: Path, tmp_path: Path) -> None:
    result = invoke("export", "--db", str(checked), "--out", str(tmp_path))
    assert result.exit_code == 2 and "is a folder" in result.output
    assert not list(tmp_path.glob("*.partial"))


def test_a_rule_pack_adds_the_scores(checked: Path, tmp_path: Path) -> None:
    out = tmp_path / "scores.xlsx"
    pack = Path(__file__).resolve().parents[2] / "report" / "packs" / "county-assessment.toml"
    result = invoke("export", "--db", str(checked), "--out", str(out), "--pack", str(pack))
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["得分"]
    assert [c.value for c in sheet[1]][:5] == ["排名", "单位", "层级", "地区", "得分"]
    env = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == "某市生态环境局")
    # 5 − 2 (2023 missing) − 1 (2022 late) − 0.5 (2022's prose the same as 2021's)
    assert env[4] == "1.5" and "报告缺失 -2" in env[5] and "报告逾期 -1" in env[5]
