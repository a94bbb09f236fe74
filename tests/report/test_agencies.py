"""Attribution: which agency a report title names, over real title forms."""

from __future__ import annotations

import pytest

from crawler.titles import read_title
from report.agencies import AgencyIndex, discovered_name, guess_level, name_forms, place_of
from report.sites import site_of

COUNTY = "某省某市青石县"
ROWS = [
    {"id": "qs-county", "name": "青石县人民政府", "aliases": ["青石县"], "region": COUNTY},
    {"id": "qs-dongling", "name": "青石县东岭镇人民政府", "aliases": ["东岭镇"], "region": COUNTY},
    {"id": "qs-edu", "name": "青石县教育局", "region": COUNTY},
    {"id": "hd-edu", "name": "市教育局", "region": "河北省邯郸市"},
    {
        "id": "jia-chengguan",
        "name": "城关镇人民政府",
        "aliases": ["城关镇"],
        "region": "某省某市甲县",
        "list_urls": ["http://jia.example.gov.cn/nb/index.html"],
    },
    {
        "id": "yi-chengguan",
        "name": "城关镇人民政府",
        "aliases": ["城关镇"],
        "region": "某省某市乙县",
        "list_urls": ["http://yi.example.gov.cn/nb/index.html"],
    },
    {
        "id": "bing-chengguan",
        "name": "城关镇人民政府",
        "aliases": ["城关镇"],
        "region": "某省某市丙县",
        "list_urls": ["http://bing.example.gov.cn:8080/nb/index.html"],
    },
    {"id": "jia-county", "name": "甲县人民政府", "region": "某省某市甲县"},
    {"id": "nppa", "name": "国家新闻出版署（国家版权局）"},
    {"id": "egb", "name": "恩格贝生态示范区", "region": "内蒙古自治区鄂尔多斯市"},
    {
        "id": "hutian",
        "name": "湘乡市壶天镇人民政府",
        "aliases": ["壶天镇"],
        "region": "湖南省湘潭市湘乡市",
    },
]
INDEX = AgencyIndex.from_rows(ROWS)

# (title, the list's owners, the list's host) → the agency, or why nobody.
CASES = [
    ("青石县东岭镇人民政府2022年政府信息公开工作年度报告", ["qs-county"], None, "qs-dongling"),
    ("青石县2022年政府信息公开工作年度报告", ["qs-county"], None, "qs-county"),
    ("青石县人民政府2022年政府信息公开工作年度报告", ["qs-dongling"], None, "qs-county"),
    ("青石县教育局2022年政府信息公开工作年度报告", ["qs-county"], None, "qs-edu"),
    ("东岭镇2022年政府信息公开工作年度报告", ["qs-county"], None, "qs-dongling"),
    # A township the sources file does not list: never the county's.
    ("青石县南山镇人民政府2021年政府信息公开工作年度报告", ["qs-county"], None, "unknown"),
    ("青石县人民政府办公室2022年政府信息公开工作年度报告", ["qs-county"], None, "unknown"),
    ("邯郸市教育局2022年政府信息公开工作年度报告", ["hd-edu"], None, "hd-edu"),
    ("邯郸市教育局2022年政府信息公开工作年度报告", [], None, "hd-edu"),
    # A name used in two regions: the list's region or host settles it.
    ("城关镇2022年政府信息公开工作年度报告", ["jia-county"], None, "jia-chengguan"),
    ("城关镇2022年政府信息公开工作年度报告", [], "yi.example.gov.cn", "yi-chengguan"),
    ("城关镇2022年政府信息公开工作年度报告", [], None, "ambiguous"),
    # A portal on a port of its own: the site is host and port, as the crawler gives it.
    (
        "城关镇2022年政府信息公开工作年度报告",
        [],
        site_of("http://bing.example.gov.cn:8080/nb/index_1.html"),
        "bing-chengguan",
    ),
    ("甲县城关镇人民政府2022年政府信息公开工作年度报告", [], None, "jia-chengguan"),
    ("国家版权局2022年政府信息公开工作年度报告", [], None, "nppa"),
    ("国家新闻出版署2022年政府信息公开工作年度报告", [], None, "nppa"),
    ("国家新闻出版署（国家版权局）2022年政府信息公开工作年度报告", [], None, "nppa"),
    # The 恩格贝 column lists its city's and region's reports: none is the zone's.
    ("鄂尔多斯市2019年政府信息公开工作年度报告", ["egb"], None, "unknown"),
    ("鄂尔多斯市人民政府办公室2019年政府信息公开工作年度报告", ["egb"], None, "unknown"),
    ("内蒙古自治区2018年政府信息公开工作年度报告", ["egb"], None, "unknown"),
    # Titles naming nobody belong to the list's one owner, and to nobody on a shared list.
    ("2023年度政府信息公开工作年度报告", ["egb"], None, "egb"),
    ("政府信息公开工作年度报告（2023）", ["egb"], None, "egb"),
    ("2023年度政府信息公开工作年度报告", ["qs-county", "qs-dongling"], None, "unowned"),
    ("湘鄉市壺天鎮2020年政府信息公開工作年度報告", ["qs-county"], None, "hutian"),
    ("某县农业农村局2022年政府信息公开工作年度报告", ["qs-county"], None, "unknown"),
]


@pytest.mark.parametrize(("title", "owners", "host", "expected"), CASES)
def test_title_goes_to_the_agency_it_names(
    title: str, owners: list[str], host: str | None, expected: str
) -> None:
    found = INDEX.attribute(read_title(title).issuer, owners, host)
    assert (found.agency_id or found.reason) == expected


def test_names_in_brackets_and_traditional_script() -> None:
    assert name_forms("国家新闻出版署（国家版权局）") == {
        "国家新闻出版署(国家版权局)",
        "国家新闻出版署",
        "国家版权局",
    }
    assert INDEX.match(None, "湘鄉市壺天鎮") == "hutian"


def test_discovered_agencies_get_full_names_and_levels() -> None:
    assert discovered_name("鄂尔多斯市") == "鄂尔多斯市人民政府"
    assert discovered_name("内蒙古自治区") == "内蒙古自治区人民政府"
    assert discovered_name("新华街道") == "新华街道办事处"
    assert discovered_name("鄂尔多斯市人民政府办公室") == "鄂尔多斯市人民政府办公室"
    assert guess_level("青石县南山镇人民政府") == "township"
    assert guess_level("新华街道办事处") == "township"
    assert guess_level("青石县人民政府") == "county"
    assert guess_level("鄂尔多斯市人民政府") == "city"
    assert guess_level("青石县教育局") == "county_dept"
    assert guess_level("鄂尔多斯市人民政府办公室") == "city_dept"


@pytest.mark.parametrize(
    ("name", "level", "place"),
    [
        ("安平县市场监督管理局", "county_dept", "安平县"),  # 市场 is no 市
        ("云州市民政局", "city_dept", "云州市"),
        ("某区城市管理局", "county_dept", "某区"),
        ("福建省教育厅", "province_dept", "福建省"),
        ("青石县东岭镇人民政府", "township", "青石县"),
        ("鄂尔多斯市", "city", "鄂尔多斯市"),
        ("青石县", "county", "青石县"),
    ],
)
def test_a_names_last_unit_tells_its_level_and_place(name: str, level: str, place: str) -> None:
    assert (guess_level(name), place_of(name)) == (level, place)
