"""`nianbao sources discover` on a saved column: one entry per agency, under the names its
titles give, with levels, regions and stable ids."""

from __future__ import annotations

import tomllib

from crawler.discover import draft, read_column

COLUMN = "http://www.yunzhou.gov.cn/xxgk/nb/index.html"
PAGE = """<html><body><ul>
<li><a href="/nb/1.html">云州市民政局2023年政府信息公开工作年度报告</a><span>2024-01-20</span></li>
<li><a href="/nb/2.html">市民政局2022年政府信息公开工作年度报告</a><span>2023-01-18</span></li>
<li><a href="/nb/3.html">云州市2023年政府信息公开工作年度报告</a><span>2024-03-20</span></li>
<li><a href="/nb/4.html">安平县市场监督管理局2023年政府信息公开工作年度报告</a>
<span>2024-01-25</span></li>
</ul></body></html>"""


def _get(url: str) -> tuple[int, bytes, str | None]:
    if url == COLUMN:
        return 200, PAGE.encode(), "text/html; charset=utf-8"
    return 404, b"", None


def test_one_entry_per_agency_named_as_its_titles_name_it() -> None:
    text = draft(read_column(COLUMN, get=_get))
    entries = {a["name"]: a for a in tomllib.loads(text)["agency"]}
    assert set(entries) == {"云州市民政局", "云州市", "安平县市场监督管理局"}
    assert entries["云州市民政局"]["aliases"] == ["市民政局"]
    assert entries["云州市民政局"]["region"] == "云州市"
    assert entries["安平县市场监督管理局"]["level"] == "county_dept"
    assert entries["云州市"]["level"] == "city"
    ids = [a["id"] for a in entries.values()]
    assert len(set(ids)) == len(ids)
    assert draft(read_column(COLUMN, get=_get)) == text  # the same ids every time
