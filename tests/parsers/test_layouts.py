"""The same report in every text layout gives the same, known cells.

The expected cells come from the numbers the layout cases were generated from
(tests/corpus/make_layouts.py), not from the parser, so this checks the golden files too.
"""

from __future__ import annotations

import pytest

from parsers import parse_bytes
from tests.corpus import make_layouts as layouts
from tests.corpus.make_layouts import known_cells

CORPUS = layouts.HERE


@pytest.mark.parametrize("name", sorted(layouts.LAYOUTS))
def test_layout_gives_known_cells(name: str) -> None:
    agency, year, template, _ = layouts.LAYOUTS[name]
    record = parse_bytes((CORPUS / name).read_bytes())
    assert (record["agency"], record["year"], record["template"]) == (agency, year, template)
    assert record["cells"] == known_cells(template)
    assert record["findings"] == []
    received = layouts.APPS_2021[0][2][-1]
    assert record["narrative"] == {
        "proactive_items": 236,
        "applications_received": received,
        "fees_yuan": 0,  # 本年度未收取信息处理费
    }
    assert record["published_at"] == f"{year + 1}-01-20"


def test_layout_files_are_current() -> None:
    for name, args in layouts.LAYOUTS.items():
        assert (CORPUS / name).read_text(encoding="utf-8") == layouts.render(*args), name


# Oddity cases whose tables are a layout case's, reshaped: each must give its known cells.
RESHAPED = {
    "gb18030-encoded.txt": "2019",
    "traditional-script-with-tables.txt": "2019",
    "crlf-fullwidth-digits-and-brackets.txt": "2021",
    "label-typos-and-lost-words.txt": "2021",
    "headings-spaced-and-renumbered.txt": "2021",
    "page-footers-inside-table.txt": "2021",
    "row-with-extra-empty-columns.txt": "2021",
    "column-headers-repeated-after-page-break.txt": "2021",
    "title-split-doc-number-publication-date.txt": "2021",
    "year-first-title-chinese-numeral-date.txt": "2021",
    "template-2019-tables-in-2022-report.txt": "2019",
}


@pytest.mark.parametrize("name", sorted(RESHAPED))
def test_reshaped_tables_give_known_cells(name: str) -> None:
    record = parse_bytes((CORPUS / name).read_bytes())
    assert record["cells"] == known_cells(RESHAPED[name])
    assert len(record["sections"]) == 6
