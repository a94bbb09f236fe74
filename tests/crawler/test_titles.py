"""Report titles as portals write them."""

from __future__ import annotations

import pytest

from crawler.titles import read_title, report_year


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


@pytest.mark.parametrize(
    ("title", "kind", "year", "issuer"),
    [
        ("某局2023年政务信息公开年度报告", "report", 2023, "某局"),
        ("某局政府信息公开工作年度报告（2023）", "report", 2023, "某局"),
        ("某局政府信息公开2023年度报告", "report", 2023, "某局"),
        ("2023年下各镇政府信息公开工作年度报告", "report", 2023, "下各镇"),
        ("2023年度政府信息公开工作年度报告", "report", 2023, ""),
        # A date in the title is when it was published, not the year it covers.
        ("某局政府信息公开工作年度报告（2024年1月20日）", "report", None, "某局"),
        ("新华街道办事处政府信息公开工作年度报告", "report", None, "新华街道办事处"),
        ("政府信息公开工作年度报告", "column_name", None, ""),
        ("某局2023年政府信息公开工作年度报告的更正", "correction", None, ""),
        ("某局2023年政府信息公开工作年度报告解读", "interpretation", None, ""),
        ("图解：某局2023年政府信息公开工作年度报告", "interpretation", None, ""),
        ("关于做好2022年政府信息公开工作年度报告编制发布工作的通知", "notice", None, ""),
        ("某市2022年国民经济和社会发展统计年报", "other_report", None, ""),
        ("市政府召开常务会议", "not_report", None, ""),
    ],
)
def test_titles_read_as_report_or_the_reason_they_are_not(
    title: str, kind: str, year: int | None, issuer: str
) -> None:
    found = read_title(title)
    assert (found.kind, found.year, found.issuer) == (kind, year, issuer)
