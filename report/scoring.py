"""Scores and rankings under a rule pack: how many points each open finding costs an
agency, what is only flagged for a person, and the most one agency-year can lose. Pure:
findings and agencies in, scores out (storage gives the findings, cli.py the pack)."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from report.keys import number, unknown_key
from report.registry import RULES

PACKS = Path(__file__).resolve().parent / "packs"
DEFAULT_PACK = PACKS / "default.toml"


class PackError(ValueError):
    """A rule pack that cannot be used, said in one line."""


@dataclass(frozen=True)
class Pack:
    """A rule pack: points per rule (globs, the first that matches counts), rules flagged
    for review without points, a cap per agency-year, the points every agency starts with."""

    name: str
    base: float
    points: tuple[tuple[str, float], ...]
    flagged: tuple[str, ...] = ()
    agency_year_cap: float | None = None
    path: str = ""

    def points_of(self, rule: str) -> float | None:
        return next((p for pattern, p in self.points if fnmatchcase(rule, pattern)), None)

    def flags(self, rule: str) -> bool:
        return any(fnmatchcase(rule, pattern) for pattern in self.flagged)


def load_pack(path: str | Path | None = None) -> Pack:
    """The pack at ``path`` (the shipped neutral one when None); PackError for a file
    that is not one, unknown keys included."""
    path = Path(path) if path else DEFAULT_PACK
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"{path}: cannot read the rule pack ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{path}: not TOML ({exc})") from None
    where = str(path)
    extra = unknown_key(data, ("name", "base", "points", "flag", "cap"), where)
    extra = extra or unknown_key(data.get("flag", {}), ("rules",), f"{where} [flag]")
    extra = extra or unknown_key(data.get("cap", {}), ("agency_year",), f"{where} [cap]")
    if extra:
        raise PackError(extra)
    patterns = [*data.get("points", {}), *data.get("flag", {}).get("rules", [])]
    for pattern in patterns:
        if not any(fnmatchcase(rule, str(pattern)) for rule in RULES):
            raise PackError(f"{where}: {pattern!r} names no rule (docs/rules.md lists them)")
    try:
        points = tuple(
            (str(rule), float(number(p, f"{where} [points] {rule}", float)))
            for rule, p in data.get("points", {}).items()
        )
        cap = data.get("cap", {}).get("agency_year")
        return Pack(
            name=str(data.get("name", path.stem)),
            base=float(number(data.get("base", 0), f"{where} base", float)),
            points=points,
            flagged=tuple(str(r) for r in data.get("flag", {}).get("rules", [])),
            agency_year_cap=None if cap is None else float(number(cap, f"{where} [cap]", float)),
            path=where,
        )
    except (TypeError, ValueError) as exc:
        raise PackError(str(exc)) from None


@dataclass
class Score:
    """One agency's score: the points it has, what cost them (rule → points), what is
    flagged for review (rule → count), its rank within its region and level."""

    agency_id: str
    name: str
    level: str
    region: str
    score: float
    lost: dict[str, float] = field(default_factory=dict)
    flagged: dict[str, int] = field(default_factory=dict)
    rank: int = 0
    of: int = 0


def score(
    pack: Pack, agencies: dict[str, dict[str, Any]], findings: list[dict[str, Any]]
) -> list[Score]:
    """Every agency's score under ``pack`` from its open findings (dismissed and resolved
    ones cost nothing), ranked within its region and level (ties share a rank), best
    first within each group; groups by region, then level."""
    lost: dict[str, dict[tuple[int | None, str], float]] = defaultdict(dict)
    flagged: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for f in findings:
        if f["status"] != "open" or f["agency_id"] not in agencies:
            continue
        points = pack.points_of(f["rule"])
        if points is not None:
            key = (f["year"], f["rule"])
            lost[f["agency_id"]][key] = lost[f["agency_id"]].get(key, 0.0) + points
        elif pack.flags(f["rule"]):
            flagged[f["agency_id"]][f["rule"]] += 1
    scores = []
    for agency_id, facts in agencies.items():
        by_year: dict[int | None, float] = defaultdict(float)
        by_rule: dict[str, float] = defaultdict(float)
        for (year, rule), points in lost.get(agency_id, {}).items():
            by_year[year] += points
            by_rule[rule] += points
        total = sum(
            max(p, pack.agency_year_cap) if pack.agency_year_cap is not None else p
            for p in by_year.values()
        )
        scores.append(
            Score(
                agency_id,
                facts["name"],
                facts["level"],
                facts.get("region") or "",
                round(pack.base + total, 2),
                dict(by_rule),
                dict(flagged.get(agency_id, {})),
            )
        )
    return _ranked(scores)


def _ranked(scores: list[Score]) -> list[Score]:
    groups: dict[tuple[str, str], list[Score]] = defaultdict(list)
    for s in scores:
        groups[(s.region, s.level)].append(s)
    out = []
    for key in sorted(groups):
        group = sorted(groups[key], key=lambda s: (-s.score, s.agency_id))
        for n, s in enumerate(group):
            # Ties share the rank of the first of them: one pass over the sorted group.
            tied = n and group[n - 1].score == s.score
            s.rank = group[n - 1].rank if tied else n + 1
            s.of = len(group)
        out += group
    return out
