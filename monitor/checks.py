"""Checks across an agency's years, judged against a date: missing, late, carry-overs,
rules in force, copied prose, impossible values. Pure functions over plain data.

A year without a report is ``pending`` until its deadline plus the grace period has
passed, ``unverified`` (no finding) while the agency's columns were not read to their end or
what was listed for the year turned out to be another's report, and only then
``report.missing``: our crawler's failure is never the agency's.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache
from typing import Any

from parsers.dates import china_day
from parsers.sections import section_of_text
from report.findings import Finding, finding
from report.registry import rules_of
from report.rules import Cells, too_little
from report.template import APPLICANT_COLUMNS, SECTIONS

# Rules that `nianbao check` owns: recomputed on every run, resolved when they stop holding.
CHECK_RULES = rules_of("check")
DUPLICATE_SIMILARITY = 0.9
_DIGITS = re.compile(r"[\d〇零一二三四五六七八九十]+")


@dataclass
class AgencyFacts:
    id: str
    level: str
    deadline: str  # MM-DD of the year after the report year
    since: int
    source_broken: bool = False  # its columns were not read to their end (source.*)
    unverified_years: set[int] = field(default_factory=set)  # a listing turned out another's
    region: str = ""


@dataclass
class ReportFacts:
    id: int
    year: int
    template: str
    published_at: str | None
    published_source: str | None
    first_seen: str
    cells: Cells = field(default_factory=dict)
    text: str = ""

    @cached_property
    def problems(self) -> str | None:
        """第五部分 (存在的主要问题及改进情况) of the text: read once, though two rules
        look at it in this report's year and in the next."""
        return section_of_text(self.text, SECTIONS[4])


def deadline(agency: AgencyFacts, year: int) -> date:
    """The day year ``year``'s report is due; 02-29 falls on Feb 28 in common years."""
    month, day = (int(p) for p in agency.deadline.split("-"))
    return date(year + 1, month, min(day, calendar.monthrange(year + 1, month)[1]))


def missing(
    agency: AgencyFacts, years_found: set[int], as_of: date, grace_days: int
) -> list[tuple[int, Finding]]:
    out = []
    for year in range(agency.since, as_of.year):
        due = deadline(agency, year)
        if year in years_found or as_of <= due + timedelta(days=grace_days):
            continue  # found, or pending
        if agency.source_broken or year in agency.unverified_years:
            continue  # unverified: the matrix says so; no finding against the agency
        out.append(
            (
                year,
                finding(
                    "report.missing",
                    f"no {year} report found; it was due {due.isoformat()}",
                    deadline=due.isoformat(),
                    grace_days=grace_days,
                ),
            )
        )
    return out


def _date_after_seen(report: ReportFacts) -> list[Finding]:
    """The page shows a publication date after the day the crawler first had the report:
    the date was set after it was up, so it is not when it was published."""
    if report.published_source == "first_seen" or not report.published_at:
        return []
    if not report.first_seen:  # not archived by a crawl (a hand-made fact)
        return []
    seen = china_day(report.first_seen)
    shown = date.fromisoformat(report.published_at[:10])
    if shown <= seen:
        return []
    return [
        finding(
            "report.date_after_seen",
            f"the page shows {shown.isoformat()}; the report was first seen {seen.isoformat()}",
            published_at=shown.isoformat(),
            date_source=report.published_source,
            first_seen=seen.isoformat(),
        )
    ]


def late(agency: AgencyFacts, report: ReportFacts) -> list[Finding]:
    due = deadline(agency, report.year)
    moved = _date_after_seen(report)
    if moved or report.published_source == "first_seen" or not report.published_at:
        # When it was first seen is all that is known of when it was up.
        seen = china_day(report.first_seen)
        if seen <= due:
            return moved  # seen by the crawler in time: on time, whenever it was published
        return [
            *moved,
            finding(
                "report.date_unverified",
                f"publication date unknown; first seen {seen.isoformat()}, after the "
                f"deadline {due.isoformat()}: it may have been published in time",
                deadline=due.isoformat(),
                first_seen=seen.isoformat(),
            ),
        ]
    published = date.fromisoformat(report.published_at[:10])
    if published <= due:
        return []
    return [
        finding(
            "report.late",
            f"published {published.isoformat()} ({report.published_source}), "
            f"{(published - due).days} day(s) after the deadline {due.isoformat()}",
            published_at=published.isoformat(),
            date_source=report.published_source,
            deadline=due.isoformat(),
            days_late=(published - due).days,
        )
    ]


def carry_continuity(previous: ReportFacts, current: ReportFacts) -> list[Finding]:
    """This year's 上年结转 equals last year's 结转下年度, column by column."""
    differ = {}
    for col in APPLICANT_COLUMNS:
        before = previous.cells.get(f"applications.carried_forward.{col}")
        now = current.cells.get(f"applications.carried_over.{col}")
        if before is not None and now is not None and before != now:
            differ[col] = {"carried_forward_last_year": before, "carried_over": now}
    if not differ:
        return []
    return [
        finding(
            "carry.continuity",
            f"上年结转 differs from the {previous.year} report's 结转下年度 in "
            f"{len(differ)} column(s)",
            columns=differ,
            previous_report_id=previous.id,
        )
    ]


def in_force_continuity(previous: ReportFacts, current: ReportFacts) -> list[Finding]:
    """2021 template: 现行有效 = last year's 现行有效 + 本年制发 - 本年废止."""
    if previous.template != "2021" or current.template != "2021":
        return []
    out = []
    for kind in ("rules", "normative_docs"):
        last = previous.cells.get(f"proactive.{kind}.in_force")
        issued, repealed, now = (
            current.cells.get(f"proactive.{kind}.{c}") for c in ("issued", "repealed", "in_force")
        )
        if None in (last, issued, repealed, now):
            continue
        expected = last + issued - repealed
        if expected != now:
            out.append(
                finding(
                    "proactive.in_force_continuity",
                    f"proactive.{kind}.in_force is {now}; last year's {last} + {issued} issued "
                    f"- {repealed} repealed = {expected}",
                    key=f"proactive.{kind}.in_force",
                    last_year=last,
                    issued=issued,
                    repealed=repealed,
                    expected=expected,
                    stated=now,
                    previous_report_id=previous.id,
                )
            )
    return out


@lru_cache(maxsize=4)  # each report is compared as "this year" and then as "last year"
def _shingles(text: str, size: int = 5) -> frozenset[str]:
    text = "".join(_DIGITS.sub("#", text).split())
    return frozenset(text[i : i + size] for i in range(max(len(text) - size + 1, 0)))


def similarity(a: str, b: str) -> float:
    """Share of five-character pieces two texts have in common (numbers ignored: a copied
    report changes its year and its figures, not its sentences)."""
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def duplicate_text(
    previous: ReportFacts,
    current: ReportFacts,
    threshold: float = DUPLICATE_SIMILARITY,
    similar: Callable[[str, str], float] = similarity,
) -> list[Finding]:
    """The 2021 template notice names 内容雷同 as a failing: prose copied from last year.
    ``similar``: similarity, or a caller's memory of what it gave before."""
    if len(current.text) < 200:  # too little prose to judge
        return []
    score = similar(previous.text, current.text)
    if score < threshold:
        return []
    return [
        finding(
            "report.duplicate_text",
            f"the prose is {score:.0%} the same as the {previous.year} report's",
            similarity=round(score, 3),
            threshold=threshold,
            previous_report_id=previous.id,
        )
    ]


def problems_copied(previous: ReportFacts, current: ReportFacts) -> list[Finding]:
    """第五部分 (存在的主要问题及改进情况) word for word last year's: the same problems
    and the same remedies again, whatever else changed."""
    this, last = current.problems, previous.problems
    if not this or this != last:
        return []
    if too_little(this):
        return []  # too little to be an account: narrative.problems_empty says so already
    return [
        finding(
            "narrative.problems_copied",
            f"section 5 is word for word the {previous.year} report's",
            previous_year=previous.year,
            previous_report_id=previous.id,
            said=this[:60],
        )
    ]


# Words by which a section 5 looks back at last year's problems or says what became of
# them; {previous} is last year (2023年).
_LOOKS_BACK = (
    r"上一?年|去年|往年|前一年|以往|{previous}年"
    r"|已整改|整改到位|整改完成|已解决|得到解决|得到改进|有所改善"
)


def problems_unanswered(previous: ReportFacts, current: ReportFacts) -> list[Finding]:
    """Last year's section 5 named problems; this year's, an account of its own, says
    nothing of what became of them (assessors: 未说明上年度问题整改情况): a note."""
    last, this = previous.problems, current.problems
    if not last or too_little(last) or not this or too_little(this) or this == last:
        return []  # nothing named, or problems_empty / problems_copied say it already
    if re.search(_LOOKS_BACK.format(previous=previous.year), this):
        return []
    return [
        finding(
            "narrative.problems_unanswered",
            f"the {previous.year} report named problems; section 5 says nothing of them",
            previous_year=previous.year,
            previous_report_id=previous.id,
            named=last[:40],
        )
    ]


# The counts assessors compare year on year, and how far one may move before a person
# should look: more than JUMP times last year's, or less than 1/JUMP of it, once the larger
# of the two is at least JUMP_FLOOR (3 → 20 requests is no news; 40 → 400 is).
HEADLINE_COUNTS = (
    "applications.new_received.total",
    "applications.total.total",
    "appeals.review.total",
)
JUMP, JUMP_FLOOR = 5, 50


def year_jump(previous: ReportFacts, current: ReportFacts) -> list[Finding]:
    """A headline count that moved more than JUMP-fold since last year's report: a note
    for a person to check (a typo, a unit, a real change), never an accusation."""
    out = []
    for key in HEADLINE_COUNTS:
        before, now = previous.cells.get(key), current.cells.get(key)
        if before is None or now is None or max(before, now) < JUMP_FLOOR:
            continue
        if now > JUMP * before or now * JUMP < before:
            out.append(
                finding(
                    "plausibility.year_jump",
                    f"{key} went from {before:g} last year to {now:g}",
                    key=key,
                    last_year=before,
                    this_year=now,
                    previous_report_id=previous.id,
                )
            )
    return out


# A government's report speaks for its whole region: its departments, townships, streets.
GOVERNMENTS = ("county", "city", "province")
REGION_WORDS = (
    "部门", "乡镇", "街道", "县直", "市直", "区直", "省直", "各单位", "全县", "全市", "全区",
    "全省", "全州", "全旗", "各镇", "各乡",
)  # fmt: skip


def region_account(agency: AgencyFacts, report: ReportFacts) -> list[Finding]:
    """A county, city or province government's report that says nothing of its region's
    departments, townships or streets (assessors: 未反映本行政区域全貌): a note."""
    if agency.level not in GOVERNMENTS or not report.text.strip():
        return []
    if any(word in report.text for word in REGION_WORDS):
        return []
    return [
        finding(
            "narrative.region_silent",
            f"a {agency.level} government's report names none of its departments or townships",
            level=agency.level,
        )
    ]


# An agency at 0 is worth a look when the agencies of its level in its region (at least
# PEERS of them) report a median of PEER_MEDIAN or more.
PEER_KEY = "applications.new_received.total"
PEERS, PEER_MEDIAN = 5, 20
# Far above them: past the upper quartile by OUTLIER_SPREAD times the spread between the
# quartiles (Tukey's far-out fence), and at least JUMP_FLOOR.
OUTLIER_SPREAD = 3


class Peers:
    """Each report's headline count by region, level and year, to set an agency beside
    the agencies like it."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str, int], list[tuple[str, int, float]]] = {}

    def add(self, agency: AgencyFacts, reports: Sequence[ReportFacts]) -> None:
        if not agency.region:
            return
        for r in reports:
            value = r.cells.get(PEER_KEY)
            if value is not None:
                group = self.groups.setdefault((agency.region, agency.level, r.year), [])
                group.append((agency.id, r.id, value))

    def findings(self) -> list[tuple[str, int, int, Finding]]:
        """(agency id, year, report id, finding) of each agency set apart from the agencies
        like it: at 0 among busy peers, or far above their upper quartile. A note for a
        person (no request, a table left blank, a unit or a typo?), never an accusation."""
        out = []
        for (region, level, year), group in sorted(self.groups.items()):
            if len(group) < PEERS:
                continue
            values = sorted(v for _, _, v in group)
            median = values[len(values) // 2]
            low, high = values[len(values) // 4], values[3 * len(values) // 4]
            fence = high + OUTLIER_SPREAD * (high - low)
            for agency_id, report_id, value in group:
                evidence = {
                    "key": PEER_KEY,
                    "value": value,
                    "region": region,
                    "level": level,
                    "peers": len(group),
                    "median": median,
                    "quartiles": [low, high],
                }
                if value == 0 and median >= PEER_MEDIAN:
                    rule = "plausibility.peer_zero"
                    message = (
                        f"{PEER_KEY} is 0 where {len(group)} {level} agencies of {region} "
                        f"report a median of {median:g}"
                    )
                elif value > fence and value >= JUMP_FLOOR:
                    rule = "plausibility.peer_outlier"
                    message = (
                        f"{PEER_KEY} is {value:g} where {len(group)} {level} agencies of "
                        f"{region} have quartiles {low:g}–{high:g}"
                    )
                else:
                    continue
                out.append((agency_id, year, report_id, finding(rule, message, **evidence)))
        return out


def plausibility(agency: AgencyFacts, report: ReportFacts) -> list[Finding]:
    out = []
    for key, value in sorted(report.cells.items()):
        # 本年增减 (the 2019 template's .change) is the one column that may fall.
        if value is not None and value < 0 and not key.endswith(".change"):
            out.append(
                finding(
                    "plausibility.negative",
                    f"{key} is negative ({value})",
                    key=key,
                    value=value,
                )
            )
    if agency.level == "township":
        # Townships cannot make 规章; only the 2021 template's own counts say they did.
        for key in ("proactive.rules.issued", "proactive.rules.in_force"):
            value = report.cells.get(key)
            if value:
                out.append(
                    finding(
                        "plausibility.township_rules",
                        f"a township reports {key} = {value}: townships make no 规章",
                        key=key,
                        value=value,
                    )
                )
    return out


def check_agency(
    agency: AgencyFacts,
    reports: Sequence[ReportFacts],
    as_of: date,
    grace_days: int = 0,
    duplicate_threshold: float = DUPLICATE_SIMILARITY,
    similar: Callable[[str, str], float] = similarity,
) -> list[tuple[int, int | None, Finding]]:
    """Every finding for one agency's latest reports: (year, report id, finding)."""
    by_year: Mapping[int, ReportFacts] = {r.year: r for r in reports}
    out: list[tuple[int, int | None, Finding]] = [
        (year, None, f) for year, f in missing(agency, set(by_year), as_of, grace_days)
    ]
    for year, report in sorted(by_year.items()):
        found: list[Finding] = late(agency, report) + plausibility(agency, report)
        found += region_account(agency, report)
        previous = by_year.get(year - 1)
        if previous is not None:
            found += carry_continuity(previous, report)
            found += in_force_continuity(previous, report)
            found += duplicate_text(previous, report, duplicate_threshold, similar)
            found += year_jump(previous, report)
            found += problems_copied(previous, report)
            found += problems_unanswered(previous, report)
        out += [(year, report.id, f) for f in found]
    return out


def summary(findings: Sequence[tuple[int, int | None, Finding]]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for _, _, f in findings:
        counts[f["rule"]] = counts.get(f["rule"], 0) + 1
    return dict(sorted(counts.items()))
