"""The sources file (agencies.toml): one [[agency]] per reporting agency, its portal and
its deadline. Data, not code: a new agency is a new entry."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from parsers.dates import now as stamp
from report.keys import unknown_key

LEVELS = ("township", "county", "county_dept", "city", "city_dept", "province", "province_dept")
# 条例 第四十九条: departments by January 31; the disclosure office of a county-level or
# higher government by March 31; townships follow their county, commonly January 31.
DEFAULT_DEADLINES = {
    "township": "01-31",
    "county": "03-31",
    "city": "03-31",
    "province": "03-31",
    "county_dept": "01-31",
    "city_dept": "01-31",
    "province_dept": "01-31",
}
_KEYS = (
    "id",
    "name",
    "aliases",
    "level",
    "region",
    "list_urls",
    "allowed_hosts",
    "deadline",
    "since",
    "family",
    "render",
)
RENDER = ("auto", "always", "never")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_DEADLINE = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


class SourcesError(ValueError):
    """The sources file is unreadable or wrong; the message names the file and the entry."""


def _list(entry: dict, field: str, where: str) -> list[str]:
    value = entry.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SourcesError(f"{where}: {field} must be a list of strings")
    return value


def load_sources(path: str | Path, families: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The agencies of a sources file as archive rows, validated. ``families``: the portal
    families a source may name (the crawler's registry, crawler.adapters.FAMILIES); when
    empty, any name is kept for the crawler to judge."""
    families = sorted(families)
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"{path}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: not valid TOML ({exc})") from None
    if message := unknown_key(data, ("agency",), str(path)):
        raise SourcesError(message)
    entries = data.get("agency", [])
    if not isinstance(entries, list):
        raise SourcesError(f"{path}: [[agency]] entries expected")
    rows, seen = [], set()
    now = stamp()
    for n, entry in enumerate(entries, 1):
        where = f"{path}: agency #{n}"
        if not isinstance(entry, dict):
            raise SourcesError(f"{where}: not a table")
        agency_id = entry.get("id")
        if not isinstance(agency_id, str) or not _ID.match(agency_id):
            raise SourcesError(f"{where}: id must be lower-case ASCII letters, digits, - or _")
        where = f"{path}: agency {agency_id}"
        if message := unknown_key(entry, _KEYS, where):
            raise SourcesError(message)
        if agency_id in seen:
            raise SourcesError(f"{where}: id used twice")
        seen.add(agency_id)
        name, level = entry.get("name"), entry.get("level")
        if not isinstance(name, str) or not name.strip():
            raise SourcesError(f"{where}: name is required")
        if level not in LEVELS:
            raise SourcesError(f"{where}: level must be one of {', '.join(LEVELS)}")
        deadline = entry.get("deadline", DEFAULT_DEADLINES[level])
        if not isinstance(deadline, str) or not _DEADLINE.match(deadline):
            raise SourcesError(f'{where}: deadline must be MM-DD, e.g. "01-31"')
        family = entry.get("family")
        if family is not None and (
            not isinstance(family, str) or (families and family not in families)
        ):
            choices = ", ".join(families) or "a portal family's name"
            raise SourcesError(f"{where}: family must be one of {choices}")
        render = entry.get("render", "auto")
        if render not in RENDER:
            raise SourcesError(f"{where}: render must be one of {', '.join(RENDER)}")
        for url in _list(entry, "list_urls", where):
            try:
                parts = urlsplit(url.replace("{year}", "2020"))
            except ValueError:
                raise SourcesError(f"{where}: list_urls: {url!r} is not a URL") from None
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise SourcesError(f"{where}: list_urls: {url!r} is not an http(s) URL")
        since = entry.get("since", 2019)
        if not isinstance(since, int) or not 2008 <= since <= 2100:
            raise SourcesError(f"{where}: since must be a year")
        rows.append(
            {
                "id": agency_id,
                "name": name.strip(),
                "level": level,
                "aliases": json.dumps(_list(entry, "aliases", where), ensure_ascii=False),
                "region": entry.get("region"),
                "list_urls": json.dumps(_list(entry, "list_urls", where), ensure_ascii=False),
                "allowed_hosts": json.dumps(
                    _list(entry, "allowed_hosts", where), ensure_ascii=False
                ),
                "deadline": deadline,
                "since": since,
                "family": family,
                "render": render,
                "updated_at": now,
            }
        )
    return rows
