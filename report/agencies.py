"""Agencies and the names they go by: which agency a report's title (or text) names.

A title names its issuer before the year (青石县东岭镇人民政府2022年…) or, in a year-first
title, before 政府信息公开 (2023年下各镇政府信息公开…). That phrase is matched against every
name and alias of the sources file, in simplified script, NFKC, without spaces:

- the name must end the phrase (a generic 人民政府 / 政府 / 办事处 may follow it), so a
  county's name does not claim its townships' and departments' reports;
- what comes before it must be a region (省, 市, 县, 区 …) consistent with the agency's own
  region (邯郸市教育局 is 市教育局 of region 邯郸市);
- the longest such name wins; a name used in two regions is settled by the region in the
  phrase, else the column's region or host; what stays ambiguous goes to nobody;
- a phrase naming no known agency names an agency not in the sources file: it is
  *discovered*, never given to the column's owner. Only a phrase naming no agency at all (an
  empty one) goes to the owner of a column that has one.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import opencc

from report.sites import site_of

_BRACKETS = re.compile(r"\(([^()]+)\)")
_GENERIC_TAIL = ("人民政府", "政府", "办事处")
_LEVEL_CHARS = "省市县区旗州盟"
_PLACE_ENDS = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "新区",
    "林区",
    "矿区",
    "街道",
    *"省市县区旗州盟镇乡",
)
# Phrases that name the writer without a name (本机关2023年…).
_NO_NAME = ("", "本机关", "本单位", "我局", "我委", "我办", "本局", "本委")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normal_name(text: str) -> str:
    """A name as names are compared: simplified script, NFKC, no spaces."""
    return "".join(unicodedata.normalize("NFKC", _t2s().convert(text)).split())


def name_forms(name: str) -> set[str]:
    """A name and the names in its brackets: 国家新闻出版署(国家版权局) is either."""
    name = normal_name(name)
    forms = {name}
    inner = _BRACKETS.findall(name)
    if inner:
        forms.add(_BRACKETS.sub("", name))
        forms.update(inner)
    return {f for f in forms if f}


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    level: str = ""
    region: str = ""
    names: frozenset[str] = frozenset()
    hosts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Attribution:
    """Whose report a title is. ``reason``: named (the phrase names ``agency_id``), owner
    (it names nobody and the column has one owner), unknown (it names an agency not in the
    sources file: ``issuer``), ambiguous (several agencies fit), unowned (it names nobody
    and the column has several owners)."""

    agency_id: str | None
    reason: str
    issuer: str = ""


@lru_cache(maxsize=4096)
def _place_splits(prefix: str) -> tuple[tuple[str, ...], ...]:
    """Every way to read a prefix as a run of place names (湘乡市 → 湘乡市; 某省某市 →
    某省, 某市); none when it is not made of places."""
    out: list[tuple[str, ...]] = []
    for end in _PLACE_ENDS:
        at = prefix.find(end, 1)
        while at > 0:
            cut = at + len(end)
            head = prefix[:cut]
            if cut == len(prefix):
                out.append((head,))
            else:
                out += [(head, *rest) for rest in _place_splits(prefix[cut:])]
            at = prefix.find(end, at + 1)
    return tuple(out)


def _in_region(prefix: str, agency: Agency) -> bool:
    """Whether a place prefix is consistent with the agency's region (any, when the
    sources file gives none)."""
    splits = _place_splits(prefix)
    if not splits:
        return False
    if not agency.region:
        return True
    return any(all(p in agency.region for p in split) for split in splits)


@dataclass
class AgencyIndex:
    """Every agency of a sources file by every name it goes by."""

    agencies: dict[str, Agency] = field(default_factory=dict)
    _by_name: dict[str, list[Agency]] = field(default_factory=dict)
    _lengths: list[int] = field(default_factory=list)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> AgencyIndex:
        """From archive or sources rows (aliases, list_urls and allowed_hosts as JSON)."""
        index = cls()
        for row in rows:
            aliases = _json_list(row.get("aliases"))
            hosts = {site_of(u) for u in _json_list(row.get("list_urls"))}
            hosts |= {h.lower() for h in _json_list(row.get("allowed_hosts"))}
            names: set[str] = set()
            for n in [row["name"], *aliases]:
                names |= name_forms(n)
            agency = Agency(
                row["id"],
                row["name"],
                row.get("level") or "",
                normal_name(row.get("region") or ""),
                frozenset(names),
                frozenset(hosts - {""}),
            )
            index.add(agency)
        return index

    def add(self, agency: Agency) -> None:
        self.agencies[agency.id] = agency
        for name in agency.names:
            self._by_name.setdefault(name, []).append(agency)
        self._lengths = sorted({len(n) for n in self._by_name}, reverse=True)

    def attribute(
        self, issuer: str, owners: Iterable[str] = (), host: str | None = None
    ) -> Attribution:
        """The agency an issuer phrase names; ``owners`` are the agencies whose column the
        title was found on, ``host`` the column's host."""
        phrase = normal_name(issuer)
        owners = list(owners)
        if phrase in _NO_NAME:
            if len(owners) == 1:
                return Attribution(owners[0], "owner", phrase)
            return Attribution(None, "unowned", phrase)
        for size in self._lengths:
            if size > len(phrase):
                continue
            fits = self._fits(phrase, size)
            if not fits:
                continue
            fits = self._settle(fits, owners, host)
            if len(fits) == 1:
                return Attribution(fits[0].id, "named", phrase)
            return Attribution(None, "ambiguous", phrase)
        return Attribution(None, "unknown", phrase)

    def match(self, *texts: str | None) -> str | None:
        """The one agency the first text naming one names (a report's own agency field or
        title), else None."""
        for text in filter(None, texts):
            found = self.attribute(text)
            if found.reason == "named":
                return found.agency_id
        return None

    def _fits(self, phrase: str, size: int) -> list[Agency]:
        out: list[Agency] = []
        for start in range(len(phrase) - size, -1, -1):
            name = phrase[start : start + size]
            agencies = self._by_name.get(name)
            if not agencies or phrase[start + size :] not in ("", *_GENERIC_TAIL):
                continue
            prefix = phrase[:start]
            if prefix and name[0] in _LEVEL_CHARS and prefix[-1] not in _LEVEL_CHARS:
                prefix += name[0]  # 邯郸 + 市教育局: the region is 邯郸市
            out += [a for a in agencies if not prefix or _in_region(prefix, a)]
        return out

    def _settle(self, fits: list[Agency], owners: list[str], host: str | None) -> list[Agency]:
        """One agency among several that share a name: an owner of the column, else one in
        the owners' region, else one on the column's host."""
        fits = list({a.id: a for a in fits}.values())
        if len(fits) <= 1:
            return fits
        for keep in (
            lambda a: a.id in owners,
            lambda a: any(a.region and a.region == self._region(o) for o in owners),
            lambda a: host is not None and host in a.hosts,
        ):
            narrowed = [a for a in fits if keep(a)]
            if len(narrowed) == 1:
                return narrowed
        return fits

    def _region(self, agency_id: str) -> str:
        agency = self.agencies.get(agency_id)
        return agency.region if agency else ""


def _json_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return list(json.loads(value))
    return list(value)


def discovered_name(issuer: str) -> str:
    """A full name for an agency found only in a title: a bare place (鄂尔多斯市) is its
    government (鄂尔多斯市人民政府), a 街道 its 办事处."""
    name = normal_name(issuer)
    if name.endswith("街道"):
        return name + "办事处"
    if name.endswith(("省", "市", "县", "区", "旗", "镇", "乡", "自治区", "自治州", "盟")):
        return name + "人民政府"
    return name


# Words that hold a unit's character without naming a place: 市场 is no 市, 社区 no 区.
_NOT_PLACES = ("市场", "市政", "城市", "市容", "都市", "区域", "社区", "园区", "景区", "县域")
_UNIT = re.compile(r"自治区|省|市|州|盟|地区|县|旗|区")


def guess_level(name: str) -> str:
    """The level a name suggests, for a draft sources entry: a government by its ending,
    a department by the last unit of the place it names (安平县市场监督管理局: 县)."""
    name = normal_name(name)
    if re.search(r"(?:镇|乡|街道)(?:人民政府|办事处)?$", name):
        return "township"
    if re.search(r"(?:省|自治区)(?:人民政府)?$", name):
        return "province"
    if re.search(r"(?:县|旗|区)(?:人民政府)?$", name):
        return "county"
    if re.search(r"市(?:人民政府)?$", name):
        return "city"
    place = name
    for word in _NOT_PLACES:
        place = place.replace(word, "·" * len(word))
    units = _UNIT.findall(place)
    last = units[-1] if units else ""
    if last in ("县", "旗", "区"):
        return "county_dept"
    if last in ("省", "自治区"):
        return "province_dept"
    return "city_dept"


def place_of(name: str) -> str | None:
    """The place an agency's name begins with, to its last unit (安平县市场监督管理局:
    安平县; 青石县东岭镇人民政府: 青石县, a township's region being its county)."""
    name = normal_name(name)
    masked = name
    for word in _NOT_PLACES:
        masked = masked.replace(word, "·" * len(word))
    ends = [m.end() for m in _UNIT.finditer(masked)]
    return name[: ends[-1]] if ends else None


# An agency's level as people say it: (Chinese, English).
LEVEL_LABELS = {  # in the order a region lists its offices
    "province": ("省政府", "provincial government"),
    "province_dept": ("省级部门", "provincial department"),
    "city": ("市政府", "city government"),
    "city_dept": ("市级部门", "city department"),
    "county": ("县级政府", "county government"),
    "county_dept": ("县级部门", "county department"),
    "township": ("乡镇", "township"),
}
