"""Strict configuration tables: an unknown key is an error naming the key, where it is,
and the nearest known key — a typo (``list_url``) must not silently switch a setting off."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any


def unknown_key(table: Mapping[str, Any], known: Iterable[str], where: str) -> str | None:
    """The message for the first key of ``table`` not in ``known``, else None."""
    known = list(known)
    for key in table:
        if key not in known:
            near = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
            hint = f"; did you mean {near[0]}?" if near else f"; known: {', '.join(known)}"
            return f"{where}: unknown key {key!r}{hint}"
    return None


def number(value: Any, where: str, kind: type = int, least: float | None = None) -> int | float:
    """A number from a config file, or a ValueError naming where it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where} must be a number, not {value!r}")
    if kind is int and not float(value).is_integer():
        raise ValueError(f"{where} must be a whole number, not {value!r}")
    if least is not None and value < least:
        raise ValueError(f"{where} must be at least {least:g}, not {value!r}")
    return kind(value)
