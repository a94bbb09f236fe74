"""Scores under rule packs: the shipped packs load, points and caps apply per agency-year,
flagged rules cost nothing, dismissed findings never deduct, ranks are within region and
level; a pack with an unknown key or a rule that does not exist is refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from report.scoring import PACKS, PackError, load_pack, score

AGENCIES = {
    "a": {"name": "甲县教育局", "level": "county_dept", "region": "某市甲县"},
    "b": {"name": "甲县民政局", "level": "county_dept", "region": "某市甲县"},
    "c": {"name": "甲县财政局", "level": "county_dept", "region": "某市甲县"},
    "t": {"name": "甲县某镇", "level": "township", "region": "某市甲县"},
}


def f(agency: str, year: int | None, rule: str, status: str = "open") -> dict:
    return {"agency_id": agency, "year": year, "rule": rule, "status": status}


def test_the_shipped_packs_load() -> None:
    names = {p.name: load_pack(p) for p in PACKS.glob("*.toml")}
    assert set(names) == {"default.toml", "county-assessment.toml"}
    county = names["county-assessment.toml"]
    assert county.base == 5 and county.points_of("report.missing") == -2
    assert county.flags("applications.balance") and county.points_of("applications.balance") is None


def test_points_caps_flags_and_ranks() -> None:
    pack = load_pack(PACKS / "county-assessment.toml")
    found = [
        f("a", 2022, "report.missing"),
        f("a", 2023, "report.late"),
        f("b", 2023, "report.late"),
        f("b", 2023, "applications.balance"),  # flagged, not deducted
        f("c", 2023, "report.missing", status="dismissed"),  # a person said no: costs nothing
        f("c", 2022, "report.late", status="resolved"),
        f("t", 2021, "report.missing"),
        f("t", 2021, "report.duplicate_text"),
        f("t", 2021, "narrative.problems_empty"),
        f("t", 2021, "report.late"),  # all in 2021: −4, under the cap of −5
    ]
    by_id = {s.agency_id: s for s in score(pack, AGENCIES, found)}
    assert by_id["a"].score == 2 and by_id["a"].lost == {"report.missing": -2, "report.late": -1}
    assert by_id["b"].score == 4 and by_id["b"].flagged == {"applications.balance": 1}
    assert by_id["c"].score == 5 and by_id["c"].lost == {}
    assert by_id["t"].score == 1  # −2 −0.5 −0.5 −1 = −4 in one year
    assert [(s.agency_id, s.rank, s.of) for s in score(pack, AGENCIES, found)] == [
        ("c", 1, 3),
        ("b", 2, 3),
        ("a", 3, 3),
        ("t", 1, 1),  # a township is ranked among townships
    ]


def test_the_cap_limits_one_agency_year(tmp_path: Path) -> None:
    path = tmp_path / "strict.toml"
    path.write_text(
        'name = "严"\nbase = 10\n[points]\n"applications.*" = -3\n[cap]\nagency_year = -4\n',
        encoding="utf-8",
    )
    pack = load_pack(path)
    found = [f("a", 2023, r) for r in ("applications.balance", "applications.outcome_sum")]
    found += [f("a", 2022, "applications.balance")]
    (a,) = [s for s in score(pack, AGENCIES, found) if s.agency_id == "a"]
    assert a.score == 10 - 4 - 3  # 2023 capped at −4, 2022 −3


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('name = "x"\nbase = 1\n[point]\n"report.late" = -1\n', "unknown key 'point'"),
        ('name = "x"\n[points]\n"report.lat" = -1\n', "names no rule"),
        ('name = "x"\n[points]\n"report.late" = "一分"\n', "must be a number"),
        ("name = ", "not TOML"),
    ],
)
def test_a_bad_pack_is_refused_in_one_line(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PackError, match=says) as err:
        load_pack(path)
    assert "\n" not in str(err.value)
