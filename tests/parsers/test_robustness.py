"""No text makes the parser crash, and every cell it reports is a template cell."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import parse_text
from report.template import (
    APPEAL_COLUMNS,
    APPEAL_GROUPS,
    APPLICATION_ROWS,
    PROACTIVE_ROWS,
)

KNOWN_KEYS = {k for rows in PROACTIVE_ROWS.values() for r in rows for k in r.cell_keys()}
KNOWN_KEYS |= {k for r in APPLICATION_ROWS for k in r.cell_keys()}
KNOWN_KEYS |= {f"appeals.{g}.{c}" for g in APPEAL_GROUPS for c in APPEAL_COLUMNS}

FRAGMENTS = [
    "某镇2021年政府信息公开工作年度报告",
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "规章",
    "行政规范性文件",
    "本年制发件数",
    "行政许可",
    "(一)予以公开",
    "(二)部分公开",
    "1.属于国家秘密",
    "(六)其他处理",
    "3.其他",
    "(七)总计",
    "总计",
    "其他",
    "四、结转下年度继续办理",
    "结果维持",
    "本年新收",
    "上年结转",
    "/",
    "—",
    "0",
    "1",
    "12",
    "-3",
    "3.5",
    "1,024",
    "\t",
    "|",
    " ",
    "\n",
    "\r\n",
    "- 2 -",
    "。",
    "年",
    "未收到申请",
    "共计10件,其中3件,9件",
    "2022年1月5日",
    "發布時間:2022-01-05",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=200))
def test_parse_text_never_raises(parts: list[str]) -> None:
    record = parse_text("".join(parts))
    assert record["template"] in ("2019", "2021", "legacy", "unknown")
    assert set(record["cells"]) <= KNOWN_KEYS
    assert all(v is None or isinstance(v, int | float) for v in record["cells"].values())
    for f in record["findings"]:
        assert set(f) == {"rule", "severity", "message", "evidence"}
        assert f["severity"] in ("error", "warning", "info")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_arbitrary_unicode_never_raises(text: str) -> None:
    parse_text(text)


def test_a_decimal_before_a_rows_whole_numbers_is_read_as_the_sums_allow() -> None:
    """0.5 before a row's seven numbers: the numbers the row total confirms, not an error
    (the compiled parser once raised TypeError here, plain Python never did)."""
    from tests.support import ROOT

    text = (ROOT / "tests" / "corpus" / "layout-2021-tab-rows.txt").read_text(encoding="utf-8")
    row = "(二)部分公开（区分处理的，只计这一情形，不计其他情形）\t"
    assert row + "2\t0\t0\t0\t1\t0\t3" in text
    record = parse_text(text.replace(row + "2", row + "0.5\t2"))
    cells = [
        record["cells"][f"applications.partially_granted.{c}"] for c in ("natural_person", "total")
    ]
    assert cells == [2, 3]


def test_a_character_outside_the_bmp_in_a_pdf_is_one_character() -> None:
    """pdfium counts 𠀀 (U+20000, common in place names) as two indexes, a surrogate pair:
    joined, it is one character (a lone half would fail the whole document when encoded)."""
    from parsers.pdfgrid import by_index

    units = [ord("青"), 0xD840, 0xDC00, ord("镇"), 0xD840, ord("村")]
    chars = by_index(units)
    assert chars == ["青", "\U00020000", "", "镇", "\ufffd", "村"]
    assert "".join(chars).encode("utf-8") == "青\U00020000镇\ufffd村".encode()


@pytest.mark.parametrize("kind", ["txt", "html"])
def test_a_utf8_mark_on_gb2312_bytes_gives_way_to_the_bytes(tmp_path, kind: str) -> None:
    """A UTF-8 byte-order mark before GB2312 bytes (an editor's mistake) once gave a
    silent empty record; the mark is honoured only when the bytes agree with it."""
    import codecs
    import json

    from tests.support import invoke, report

    text = report().decode("utf-8")
    if kind == "html":
        text = f'<html><head><meta charset="gb2312"></head><body><pre>{text}</pre></body></html>'
    path = tmp_path / f"report.{kind}"
    path.write_bytes(codecs.BOM_UTF8 + text.encode("gb18030"))
    done = invoke("parse", "--json", str(path))
    assert done.exit_code == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["agency"] == "某市生态环境局" and record["year"] == 2022
    assert sum(v is not None for v in record["cells"].values()) > 100
