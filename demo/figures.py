"""The demo's reports: figures that hold every identity of the template year after year
(this year's 上年结转 is last year's 结转下年度, documents in force continue), and prose
that says the same thing in different words each year, as real offices write it.

Everything is drawn from a random generator seeded by the agency and the year, so the
demo portal serves the same reports on every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from demo.documents import OUTCOMES, Applications, Figures, Proactive
from report.template import APPLICANT_COLUMNS, APPLICATION_ROWS, GROUP_LABELS, ROW_LABELS

PARTIES = len(APPLICANT_COLUMNS) - 1
# How many requests a year an agency of each level receives from natural persons.
_SCALE = {"county": (30, 80), "township": (1, 6), "city_dept": (8, 30), "county_dept": (4, 18)}
# Where handled requests end up, by weight.
_OUTCOME_WEIGHTS = {
    "granted": 46,
    "partially_granted": 12,
    "denied.third_party": 3,
    "denied.internal_affairs": 2,
    "denied.process_info": 3,
    "denied.enforcement_file": 1,
    "unavailable.not_held": 17,
    "unavailable.needs_creation": 4,
    "unavailable.unclear": 3,
    "not_processed.petition": 3,
    "not_processed.duplicate": 3,
    "other.no_correction": 2,
    "other.other": 1,
    "other": 1,  # the 2019 template's single 其他处理 row
}


def template_of(year: int) -> str:
    return "2019" if year <= 2020 else "2021"


def _rows(template: str) -> list[str]:
    """The applications rows a template prints, by key without "applications."."""
    keys = [r.key.removeprefix("applications.") for r in APPLICATION_ROWS]
    if template == "2019":
        return [k for k in keys if not k.startswith("other.")]
    return [k for k in keys if k != "other"]


def _group(row: str, rows: list[str]) -> str | None:
    """The group label printed beside a row: on the first row of its group only."""
    if row == "granted":
        return OUTCOMES
    if "." not in row:
        return None
    group = row.split(".")[0]
    first = next(r for r in rows if r.startswith(group + "."))
    return GROUP_LABELS[f"applications.{group}"][0] if row == first else None


@dataclass
class State:
    """What one year hands the next: requests carried forward, documents in force."""

    carried: list[int] = field(default_factory=lambda: [0] * PARTIES)
    in_force: dict[str, int] = field(default_factory=dict)


def applications(
    rng: random.Random, level: str, template: str, carried_over: list[int]
) -> tuple[Applications, list[int]]:
    """The applications table and what it carries forward, every identity holding."""
    low, high = _SCALE.get(level, _SCALE["county_dept"])
    new = [
        rng.randint(low, high),
        rng.randint(0, max(1, high // 8)),
        rng.choice([0, 0, 0, 1]),
        rng.choice([0, 0, 1]),
        rng.randint(0, 2),
        rng.choice([0, 0, 1]),
    ]
    rows = _rows(template)
    outcome_rows = [r for r in rows if r not in ("new_received", "carried_over", "total")][:-1]
    weights = [_OUTCOME_WEIGHTS.get(r, 0) for r in outcome_rows]
    values = {r: [0] * PARTIES for r in rows}
    values["new_received"], values["carried_over"] = new, list(carried_over)
    for col in range(PARTIES):
        available = new[col] + carried_over[col]
        forward = min(available, rng.choice([0, 0, 0, 1, 1, 2]))
        values["carried_forward"][col] = forward
        for row in rng.choices(outcome_rows, weights, k=available - forward):
            values[row][col] += 1
    values["total"] = [sum(values[r][c] for r in outcome_rows) for c in range(PARTIES)]
    table = [
        (ROW_LABELS[f"applications.{r}"][0], _group(r, rows), [*values[r], sum(values[r])])
        for r in rows
    ]
    return table, values["carried_forward"]


def proactive(
    rng: random.Random, level: str, template: str, in_force: dict[str, int]
) -> tuple[Proactive, dict[str, int]]:
    """The proactive tables; rules and normative documents in force carry on."""
    if template == "2021":
        return _proactive_2021(rng, level, in_force)
    return _proactive_2019(rng, level, in_force)


def _proactive_2021(
    rng: random.Random, level: str, in_force: dict[str, int]
) -> tuple[Proactive, dict[str, int]]:
    township = level == "township"
    makes_rules = level == "county"
    big = 1 if township else 4
    after: dict[str, int] = {}
    rows: list[tuple[str, list]] = []
    for key, label in (("rules", "规章"), ("normative_docs", "行政规范性文件")):
        if key == "rules" and not makes_rules:
            issued = repealed = now = 0
        else:
            last = in_force.get(key, rng.randint(3, 40) if key != "rules" else 2)
            issued = rng.randint(0, 2) if key == "rules" else rng.randint(1, 3 * big)
            repealed = rng.randint(0, min(last, 2))
            now = last + issued - repealed
        after[key] = now
        rows.append((label, [issued, repealed, now]))
    fees = 0.0 if township else round(rng.uniform(0, 40), 2)
    return [
        (
            "第二十条第（一）项",
            ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            rows,
        ),
        (
            "第二十条第（五）项",
            ["信息内容", "本年处理决定数量"],
            [("行政许可", [rng.randint(10, 120) * big])],
        ),
        (
            "第二十条第（六）项",
            ["信息内容", "本年处理决定数量"],
            [("行政处罚", [rng.randint(0, 30) * big]), ("行政强制", [rng.randint(0, 3) * big])],
        ),
        (
            "第二十条第（八）项",
            ["信息内容", "本年收费金额（单位：万元）"],
            [("行政事业性收费", [fees])],
        ),
    ], after


def _proactive_2019(
    rng: random.Random, level: str, in_force: dict[str, int]
) -> tuple[Proactive, dict[str, int]]:
    makes_rules = level == "county"
    big = 1 if level == "township" else 4
    made = [rng.randint(0, 1) if makes_rules else 0, rng.randint(1, 3 * big)]
    totals = [
        in_force.get("rules_2019", 2 if makes_rules else 0) + made[0],
        in_force.get("normative_2019", rng.randint(10, 40)) + made[1],
    ]
    after = {"rules_2019": totals[0], "normative_2019": totals[1]}

    def item() -> list[int]:
        last = rng.randint(2, 12 * big)
        return [last, rng.randint(-1, 1), rng.randint(10, 90) * big]

    return [
        (
            "第二十条第（一）项",
            ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
            [
                ("规章", [made[0], made[0], totals[0]]),
                ("规范性文件", [made[1], made[1], totals[1]]),
            ],
        ),
        (
            "第二十条第（五）项",
            ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
            [("行政许可", item()), ("其他对外管理服务事项", item())],
        ),
        (
            "第二十条第（六）项",
            ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
            [("行政处罚", item()), ("行政强制", item())],
        ),
        (
            "第二十条第（八）项",
            ["信息内容", "上一年项目数量", "本年增/减"],
            [("行政事业性收费", [rng.randint(0, 6), 0])],
        ),
        (
            "第二十条第（九）项",
            ["信息内容", "采购项目数量", "采购总金额"],
            [("政府集中采购", [rng.randint(0, 9), round(rng.uniform(0, 300), 2)])],
        ),
    ], after


def appeals(rng: random.Random, level: str) -> list[int]:
    out = []
    for _ in range(3):
        parts = [rng.choice([0, 0, 1, 1, 2]), rng.choice([0, 0, 0, 1]), 0, rng.choice([0, 0, 1])]
        if level == "township":
            parts = [rng.choice([0, 0, 0, 1]), 0, 0, 0]
        out += [*parts, sum(parts)]
    return out


def year_figures(agency_id: str, level: str, year: int, state: State) -> tuple[Figures, State]:
    """One year's figures, continuing from the year before."""
    rng = random.Random(f"{agency_id}|{year}")
    template = template_of(year)
    # The 2021 template counts documents in force afresh: nothing carries across it.
    kept = state.in_force if template == "2019" or year > 2021 else {}
    apps, forward = applications(rng, level, template, state.carried)
    tables, in_force = proactive(rng, level, template, kept)
    figures = Figures(template, tables, apps, appeals(rng, level))
    return figures, State(forward, in_force)


def received(figures: Figures) -> int:
    return figures.applications[0][2][-1]


def with_carried_over(figures: Figures, carried_over: list[int]) -> Figures:
    """The same figures but a different 上年结转 (a planted carry-over mismatch), every
    identity inside the report still holding: the difference goes to 予以公开."""
    apps = [list(r) for r in figures.applications]
    old = apps[1][2]
    delta = [carried_over[c] - old[c] for c in range(PARTIES)]
    apps[1][2] = [*carried_over, sum(carried_over)]
    for index in (2, -2):  # 予以公开 and 总计 grow with the carry-over
        values = [apps[index][2][c] + delta[c] for c in range(PARTIES)]
        apps[index][2] = [*values, sum(values)]
    return replace(figures, applications=[tuple(r) for r in apps])
