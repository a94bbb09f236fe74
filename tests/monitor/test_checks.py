"""Checks across years, judged against controlled dates (monitor.checks, pure)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from monitor.checks import (
    AgencyFacts,
    ReportFacts,
    carry_continuity,
    check_agency,
    deadline,
    duplicate_text,
    in_force_continuity,
    late,
    missing,
    plausibility,
)

DEPT = AgencyFacts("dept", "county_dept", "01-31", 2021)
COUNTY = AgencyFacts("county", "county", "03-31", 2021)

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def report(year: int, published: str | None = None, source: str | None = "listing", **kw):
    return ReportFacts(
        kw.pop("id", year),
        year,
        kw.pop("template", "2021"),
        published,
        source if published else "first_seen",
        # first seen the day it shows (noon in China), or mid-January
        kw.pop("first_seen", f"{published or f'{year + 1}-01-15'}T04:00:00+00:00"),
        kw.pop("cells", {}),
        kw.pop("text", ""),
    )


@pytest.mark.parametrize(
    ("agency", "as_of", "expected"),
    [
        (DEPT, date(2023, 1, 31), [2021]),  # the deadline day itself: 2022 still pending
        (DEPT, date(2023, 2, 1), [2021, 2022]),
        (COUNTY, date(2023, 3, 31), [2021]),
        (COUNTY, date(2023, 4, 1), [2021, 2022]),
        (COUNTY, date(2022, 3, 31), []),
    ],
)
def test_missing_on_both_sides_of_the_deadline(agency, as_of, expected) -> None:
    found = missing(agency, set(), as_of, grace_days=0)
    assert [y for y, _ in found] == expected
    assert all(f["rule"] == "report.missing" and f["severity"] == "error" for _, f in found)


def test_grace_period_and_found_years() -> None:
    assert [y for y, _ in missing(DEPT, set(), date(2023, 2, 10), grace_days=10)] == [2021]
    assert [y for y, _ in missing(DEPT, set(), date(2023, 2, 11), grace_days=10)] == [2021, 2022]
    assert missing(DEPT, {2021, 2022}, date(2023, 6, 1), 0) == []


def test_leap_years() -> None:
    leap = AgencyFacts("x", "county", "02-29", 2022)
    assert deadline(leap, 2022) == date(2023, 2, 28)  # a common year: Feb 28
    assert deadline(leap, 2023) == date(2024, 2, 29)
    assert [y for y, _ in missing(leap, set(), date(2024, 2, 29), 0)] == [2022]
    assert [y for y, _ in missing(leap, set(), date(2024, 3, 1), 0)] == [2022, 2023]
    # 2024-02-29 is after a Jan 31 deadline by 29 days
    (f,) = late(DEPT, report(2023, "2024-02-29"))
    assert f["evidence"]["days_late"] == 29


def test_an_agency_added_mid_year_is_expected_from_its_first_year() -> None:
    added = AgencyFacts("new", "township", "01-31", 2024)
    assert missing(added, set(), date(2024, 7, 1), 0) == []
    assert missing(added, set(), date(2025, 1, 31), 0) == []
    assert [y for y, _ in missing(added, set(), date(2025, 2, 1), 0)] == [2024]


def test_a_broken_source_makes_years_unverified_not_missing() -> None:
    broken = AgencyFacts("dept", "county_dept", "01-31", 2021, source_broken=True)
    assert missing(broken, set(), date(2025, 6, 1), 0) == []


def test_late_by_the_date_source() -> None:
    assert late(DEPT, report(2022, "2023-01-31")) == []
    assert late(DEPT, report(2022, "2023-02-01", "page")) == [
        {
            "rule": "report.late",
            "severity": "warning",
            "message": "published 2023-02-01 (page), 1 day(s) after the deadline 2023-01-31",
            "evidence": {
                "published_at": "2023-02-01",
                "date_source": "page",
                "deadline": "2023-01-31",
                "days_late": 1,
            },
        }
    ]
    assert late(COUNTY, report(2022, "2023-03-15", "http")) == []


def test_first_seen_proves_on_time_only_before_the_deadline() -> None:
    assert late(DEPT, report(2022, first_seen="2023-01-20T08:00:00+00:00")) == []
    (f,) = late(DEPT, report(2022, first_seen="2023-03-02T08:00:00+00:00"))
    assert (f["rule"], f["severity"]) == ("report.date_unverified", "info")
    assert f["evidence"] == {"deadline": "2023-01-31", "first_seen": "2023-03-02"}


def test_a_date_shown_after_the_report_was_first_seen_is_not_its_publication() -> None:
    """A page dated 2023-03-10 that the crawler had on 2023-01-20 was up before its
    deadline: not late, and the later date is noted with both days. Seen after the deadline,
    the year is unverified, never late on the page's word. A page dated the 10th and first
    seen at 01:00 on the 10th in China (17:00 on the 9th in UTC) is no contradiction."""
    shown = report(2022, "2023-03-10", "page", first_seen="2023-01-20T08:00:00+00:00")
    (moved,) = late(DEPT, shown)
    assert (moved["rule"], moved["severity"]) == ("report.date_after_seen", "info")
    assert moved["evidence"] == {
        "published_at": "2023-03-10",
        "date_source": "page",
        "first_seen": "2023-01-20",
    }
    after = report(2022, "2023-03-10", "page", first_seen="2023-02-20T08:00:00+00:00")
    rules_found = [f["rule"] for f in late(DEPT, after)]
    assert rules_found == ["report.date_after_seen", "report.date_unverified"]
    same_day = report(2022, "2023-02-10", "page", first_seen="2023-02-09T17:00:00+00:00")
    assert [f["rule"] for f in late(DEPT, same_day)] == ["report.late"]


def test_carry_continuity_column_by_column() -> None:
    prev = report(
        2021,
        cells={
            "applications.carried_forward.natural_person": 2,
            "applications.carried_forward.total": 3,
        },
    )
    ok = report(
        2022,
        cells={"applications.carried_over.natural_person": 2, "applications.carried_over.total": 3},
    )
    bad = report(
        2022,
        cells={"applications.carried_over.natural_person": 0, "applications.carried_over.total": 3},
    )
    blank = report(2022, cells={"applications.carried_over.natural_person": None})
    assert carry_continuity(prev, ok) == carry_continuity(prev, blank) == []
    (f,) = carry_continuity(prev, bad)
    assert f["rule"] == "carry.continuity" and f["severity"] == "warning"  # as docs/rules.md says
    assert f["evidence"]["columns"] == {
        "natural_person": {"carried_forward_last_year": 2, "carried_over": 0}
    }


def test_in_force_continuity_for_the_2021_template_only() -> None:
    def cells(issued, repealed, in_force):
        return {
            "proactive.rules.issued": issued,
            "proactive.rules.repealed": repealed,
            "proactive.rules.in_force": in_force,
        }

    prev = report(2021, cells=cells(1, 0, 10))
    assert in_force_continuity(prev, report(2022, cells=cells(3, 1, 12))) == []
    (f,) = in_force_continuity(prev, report(2022, cells=cells(3, 1, 13)))
    assert f["evidence"]["expected"] == 12 and f["evidence"]["key"] == "proactive.rules.in_force"
    old = report(2020, template="2019", cells=cells(1, 0, 10))
    assert in_force_continuity(old, report(2021, cells=cells(3, 1, 99))) == []


PROSE = "本机关坚持以公开为常态、不公开为例外，推进决策、执行、管理、服务、结果公开。" * 8


def test_copied_prose_is_found_whatever_its_numbers() -> None:
    prev = report(2021, text=PROSE + "全年主动公开信息120条。")
    copied = report(2022, text=PROSE + "全年主动公开信息245条。")
    fresh = report(2022, text="今年围绕优化营商环境，新增政策解读栏目，办理依申请公开事项，" * 10)
    (f,) = duplicate_text(prev, copied)
    assert f["rule"] == "report.duplicate_text" and f["evidence"]["similarity"] >= 0.9
    assert duplicate_text(prev, fresh) == []
    assert duplicate_text(prev, copied, threshold=1.01) == []


def test_plausibility() -> None:
    town = AgencyFacts("t", "township", "01-31", 2021)
    r = report(
        2022,
        cells={
            "proactive.rules.in_force": 2,
            "applications.total.total": -1,
            "proactive.licensing.change": -3,
        },
    )
    assert sorted(f["rule"] for f in plausibility(town, r)) == [
        "plausibility.negative",
        "plausibility.township_rules",
    ]
    assert [f["rule"] for f in plausibility(DEPT, r)] == ["plausibility.negative"]


def test_check_agency_puts_it_together() -> None:
    reports = [report(2021, "2022-01-10"), report(2023, "2024-02-15")]
    found = check_agency(DEPT, reports, date(2024, 6, 1))
    assert [(y, rid, f["rule"]) for y, rid, f in found] == [
        (2022, None, "report.missing"),
        (2023, 2023, "report.late"),
    ]


def test_a_headline_count_that_jumps_is_a_note_for_a_person() -> None:
    """40 → 400 requests is noted (info, never an error); 3 → 20 is under the floor and
    a steady count says nothing."""
    from monitor.checks import ReportFacts, year_jump
    from report.sentences import sentence

    def facts(year: int, received: int) -> ReportFacts:
        cells = {"applications.new_received.total": received}
        return ReportFacts(year, year, "2021", None, None, "", cells)

    (jump,) = year_jump(facts(2022, 40), facts(2023, 400))
    assert jump["rule"] == "plausibility.year_jump" and jump["severity"] == "info"
    said = sentence(jump["rule"], jump["evidence"], jump["message"], "zh", 2023)
    assert "由2022年 40 变为本年 400" in said and "本年新收" in said
    assert year_jump(facts(2022, 400), facts(2023, 60)) != []  # a fall too
    assert year_jump(facts(2022, 3), facts(2023, 20)) == []  # under the floor
    assert year_jump(facts(2022, 120), facts(2023, 300)) == []  # 2.5-fold: a change, no news


def test_an_agency_at_zero_among_busy_peers_is_a_note() -> None:
    """Six county departments of one county: five received 30–60 requests, one 0. The one
    at 0 gets a note (info) with the peers' median and quartiles; a quiet region (median
    under 20) and a region of four agencies say nothing."""
    from monitor.checks import AgencyFacts, Peers, ReportFacts
    from report.sentences import sentence

    def add(peers: Peers, agency: str, region: str, received: int) -> None:
        facts = AgencyFacts(agency, "county_dept", "01-31", 2019, region=region)
        report = ReportFacts(hash(agency) % 1000, 2023, "2021", None, None, "")
        report.cells["applications.new_received.total"] = received
        peers.add(facts, [report])

    peers = Peers()
    for n, received in enumerate([30, 40, 45, 50, 60, 0]):
        add(peers, f"busy-{n}", "某市甲县", received)
    for n, received in enumerate([0, 2, 3, 5, 8, 1]):
        add(peers, f"quiet-{n}", "某市乙县", received)
    for n, received in enumerate([0, 50, 60, 70]):
        add(peers, f"few-{n}", "某市丙县", received)
    found = peers.findings()
    assert [(a, y) for a, y, _, _ in found] == [("busy-5", 2023)]
    note = found[0][3]
    assert note["rule"] == "plausibility.peer_zero" and note["severity"] == "info"
    assert note["evidence"]["median"] == 45 and note["evidence"]["peers"] == 6
    said = sentence(note["rule"], note["evidence"], note["message"], "zh")
    assert said.startswith("本年新收申请数为0；某市甲县同层级的 6 个单位中位数为 45 件")


def test_section_five_copied_word_for_word_from_last_year_is_found() -> None:
    """A real township report (seed-2021-spaces-inside-words) as last year's and, as
    this year's, the same report with its opening rewritten: section 5 unchanged is found;
    rewritten, nothing is said."""
    from monitor.checks import ReportFacts, problems_copied

    real = (CORPUS / "seed-2021-spaces-inside-words.txt").read_text(encoding="utf-8")
    opening = next(line for line in real.split("\n") if line.startswith("2023 年，"))
    this_year = real.replace(opening, "本年度我镇继续深化政务公开，完善制度，规范流程。")

    def facts(year: int, text: str) -> ReportFacts:
        return ReportFacts(year, year, "2021", None, None, "", {}, text)

    (copied,) = problems_copied(facts(2022, real), facts(2023, this_year))
    assert copied["rule"] == "narrative.problems_copied" and copied["severity"] == "warning"
    assert copied["evidence"]["previous_year"] == 2022
    rewritten = this_year.replace("还存在部分问题", "仍有不足之处")
    assert problems_copied(facts(2022, real), facts(2023, rewritten)) == []


def test_a_government_report_silent_on_its_region_is_a_note() -> None:
    """The real 洪泽区人民政府 report speaks of 各部门 and 全区: nothing to say. With every
    word of its region taken out, a county government's report is noted; a department's
    report never is."""
    from monitor.checks import REGION_WORDS, ReportFacts, region_account

    real = (CORPUS / "real-pdf-text-labels-split-around-numbers.txt").read_text(encoding="utf-8")
    county = AgencyFacts("hongze", "county", "01-31", 2019)
    dept = AgencyFacts("dept", "county_dept", "01-31", 2019)

    def facts(text: str) -> ReportFacts:
        return ReportFacts(1, 2024, "2021", None, None, "", {}, text)

    assert region_account(county, facts(real)) == []
    silent = real
    for word in REGION_WORDS:
        silent = silent.replace(word, "")
    (note,) = region_account(county, facts(silent))
    assert note["rule"] == "narrative.region_silent" and note["severity"] == "info"
    assert region_account(dept, facts(silent)) == []


def test_an_agency_far_above_its_peers_is_a_note() -> None:
    """Seven county departments: six received 20–40 requests, one 900 (a unit or a typo?).
    The one past the far-out fence (upper quartile + 3 × the spread) gets a note; 60 among
    them, at the upper quartile, says nothing; nor does a region of small numbers."""
    from monitor.checks import AgencyFacts, Peers, ReportFacts
    from report.sentences import sentence

    def add(peers: Peers, agency: str, region: str, received: int) -> None:
        facts = AgencyFacts(agency, "county_dept", "01-31", 2019, region=region)
        report = ReportFacts(abs(hash(agency)) % 1000, 2023, "2021", None, None, "")
        report.cells["applications.new_received.total"] = received
        peers.add(facts, [report])

    peers = Peers()
    for n, received in enumerate([20, 25, 30, 35, 40, 60, 900]):
        add(peers, f"dept-{n}", "某市甲县", received)
    for n, received in enumerate([0, 1, 1, 2, 2, 30]):
        add(peers, f"small-{n}", "某市乙县", received)  # 30 is far out, but under the floor
    found = peers.findings()
    assert [(a, y) for a, y, _, _ in found] == [("dept-6", 2023)]
    note = found[0][3]
    assert note["rule"] == "plausibility.peer_outlier" and note["severity"] == "info"
    assert note["evidence"]["quartiles"] == [25, 60] and note["evidence"]["value"] == 900
    said = sentence(note["rule"], note["evidence"], note["message"], "zh")
    assert said.startswith("本年新收申请 900 件，远高于某市甲县同层级的 7 个单位")


def test_last_years_problems_left_unanswered_is_a_note() -> None:
    """The real 杜关镇 2023 report as last year's; as this year's, the same report with the
    real 洪泽区 report's section 5 in place of its own: it names new problems and says
    nothing of last year's, which is noted. Once it says what became of them, or looks back
    at 2022, nothing is; nor when either year's section 5 is no account at all."""
    from monitor.checks import problems_unanswered
    from parsers.sections import section_of_text
    from report.sentences import sentence
    from report.template import SECTIONS

    def facts(year: int, text: str) -> ReportFacts:
        return ReportFacts(year, year, "2021", None, None, "", {}, text)

    last = (CORPUS / "seed-2021-spaces-inside-words.txt").read_text(encoding="utf-8")
    other = (CORPUS / "real-pdf-text-labels-split-around-numbers.txt").read_text(encoding="utf-8")
    theirs = section_of_text(other, SECTIONS[4])
    assert theirs and section_of_text(last, SECTIONS[4])

    def with_section_five(body: str) -> str:
        lines = last.split("\n")
        start = next(i for i, line in enumerate(lines) if "存在的主要问题及改进情况" in line)
        end = next(i for i, line in enumerate(lines) if "其他需要报告的事项" in line)
        return "\n".join([*lines[: start + 1], body, *lines[end:]])

    this_year = with_section_five(theirs)

    (note,) = problems_unanswered(facts(2022, last), facts(2023, this_year))
    assert note["rule"] == "narrative.problems_unanswered" and note["severity"] == "info"
    assert note["evidence"]["previous_year"] == 2022
    said = sentence(note["rule"], note["evidence"], note["message"], "zh", 2023)
    assert said.startswith("2022年报告第五部分列出的问题（“2023年，我镇对照县人民政府")

    answered = with_section_five("针对上年报告指出的问题，我镇已整改到位。" + theirs)
    assert problems_unanswered(facts(2022, last), facts(2023, answered)) == []
    dated = with_section_five("2022年报告所列问题均已落实。" + theirs)
    assert problems_unanswered(facts(2022, last), facts(2023, dated)) == []
    empty = with_section_five("无。")
    assert problems_unanswered(facts(2022, empty), facts(2023, this_year)) == []
    assert problems_unanswered(facts(2022, last), facts(2023, empty)) == []
    assert problems_unanswered(facts(2022, last), facts(2023, last)) == []  # copied: its own rule
