"""Fuzzy recognition of template row labels in a text token.

Real labels carry typos (其他法律行政止公开), lost words (本年新收政府信息公开数量),
stray spaces and numbering of every style, and PDF extraction glues label fragments to
their neighbours. A label matches when the token holds most of the character pairs of the
row's distinctive core; pairs make the score blind to spaces and robust to a wrong or
missing character, and an index from pair to rows keeps it cheap.
"""

from __future__ import annotations

import re
from collections import defaultdict

from report.template import Row

_NUMBERING = re.compile(
    r"^(?:[(\[【〔]\s*[一二三四五六七八九十\d]{1,3}\s*[)\]】〕]|[一二三四五六七八九十\d]{1,3}\s*[、.,:)])\s*"
)
_NOISE = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")
# Cores of at most this many character pairs must be wholly present; longer ones may
# lose some to typos.
_SHORT_CORE = 3
_MIN_SCORE = 0.6
_CACHE_SIZE = 20000


def label_text(token: str) -> str:
    """A token's text with leading numbering, punctuation and spaces removed."""
    s = token.strip()
    while True:
        m = _NUMBERING.match(s)
        if not m:
            break
        s = s[m.end() :]
    return _NOISE.sub("", s)


def _pairs(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)}


class LabelMatcher:
    """Matches tokens to the rows of one table, in template order."""

    def __init__(self, rows: tuple[Row, ...]):
        self.rows = rows
        self.index = {row.key: i for i, row in enumerate(rows)}
        self._core_pairs: list[list[set[str]]] = []
        self._by_pair: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for ri, row in enumerate(rows):
            cores = []
            for ci, core in enumerate(row.cores):
                pairs = _pairs(label_text(core))
                cores.append(pairs)
                if not row.exact:
                    for p in pairs:
                        self._by_pair[p].append((ri, ci))
            self._core_pairs.append(cores)
        self._cache: dict[str, tuple[int | None, tuple[int, ...]]] = {}
        self._exact = {
            label_text(core): ri for ri, row in enumerate(rows) if row.exact for core in row.cores
        }

    def match(self, token: str, last: int) -> int | None:
        """The row a token labels, if any; rows at or before ``last`` are not considered."""
        exact, ranked = self._cache.get(token) or self._candidates(token)
        if exact is not None:
            after = self.rows[exact].after
            if exact > last and (after is None or last >= self.index[after]):
                return exact
            return None
        for ri in ranked:
            if ri > last:
                return ri
        return None

    def _candidates(self, token: str) -> tuple[int | None, tuple[int, ...]]:
        """(exact row, rows ranked best first) for a token. Labels recur in every report,
        so this is cached."""
        cached = self._cache.get(token)
        if cached is None:
            text = label_text(token)
            exact = self._exact.get(text)
            cached = (exact, () if exact is not None or not text else self._ranked(text))
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[token] = cached
        return cached

    def _ranked(self, text: str) -> tuple[int, ...]:
        hits: dict[tuple[int, int], int] = defaultdict(int)
        for p in _pairs(text):
            for rc in self._by_pair.get(p, ()):
                hits[rc] += 1
        # Best score first; on a tie the longer core, which is the more specific label: a
        # group label glued to its first row (其他处理1.申请人无正当理由…) is that row.
        ranks: dict[int, tuple[float, int, int]] = {}
        for (ri, ci), n in hits.items():
            size = len(self._core_pairs[ri][ci])
            score = n / size
            if score < _MIN_SCORE or (size <= _SHORT_CORE and n < size):
                continue
            ranks[ri] = max(ranks.get(ri, (0.0, 0, 0)), (score, size, -ri))
        return tuple(sorted(ranks, key=ranks.__getitem__, reverse=True))
