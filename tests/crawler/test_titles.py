"""Report titles as portals write them."""

from __future__ import annotations

import pytest

from crawler.titles import report_year


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("高龙镇人民政府2020年政府信息公开工作年度报告", 2020),
        ("湘鄉市壺天鎮2020年政府信息公開工作年度報告", 2020),
        ("东乡县凤山乡 2020 年政府信息公开工作年度 报 告", 2020),
        ("2021年度南京市民政局政府信息公开工作年度报告", 2021),
        ("某县人民政府二〇二二年政府信息公开年度报告", 2022),
        ("某市生态环境局2022年政府信息公开工作年报", 2022),
        ("某区教育局政府信息公开工作年度报告（2023年）", 2023),
        ("ＸＸ局２０２１年政府信息公开工作年度报告", 2021),
        ("某县第一镇人民政府2022年政府信息公开工作年度报告...", 2022),
    ],
)
def test_report_titles_give_their_year(title: str, year: int) -> None:
    assert report_year(title) == year


@pytest.mark.parametrize(
    "title",
    [
        "关于做好2022年政府信息公开工作的通知",
        "2021年政务公开工作要点",
        "市政府召开常务会议",
        "政府信息公开工作年度报告",  # no year: cannot be assigned
        "某县人民政府2022年政府...",  # cut before it says what it is
    ],
)
def test_other_titles_are_not_reports(title: str) -> None:
    assert report_year(title) is None
