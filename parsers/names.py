"""Which agency a text names: titles and reports are matched to the sources file by name."""

from __future__ import annotations

from collections.abc import Iterable


class NameIndex:
    """Agencies by every name and alias they go by. A text names an agency when it holds
    one of them; a text that names several different agencies names none."""

    def __init__(self, entries: Iterable[tuple[str, Iterable[str]]]):
        self._ids: dict[str, set[str]] = {}
        for agency_id, names in entries:
            for name in names:
                if name:
                    self._ids.setdefault(name, set()).add(agency_id)
        self._lengths = sorted({len(n) for n in self._ids}, reverse=True)

    def match(self, *texts: str | None) -> str | None:
        """The one agency the first text that names any names, else None."""
        for text in filter(None, texts):
            # Every substring of a length some name has: a few hundred dictionary lookups,
            # whatever the number of agencies.
            hits: set[str] = set()
            for size in self._lengths:
                for start in range(len(text) - size + 1):
                    hits |= self._ids.get(text[start : start + size], set())
            if hits:
                return hits.pop() if len(hits) == 1 else None
        return None
