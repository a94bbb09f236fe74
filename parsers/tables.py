"""Template tables out of a token stream, anchored on row labels, never on counting numbers.

A row's values are the numbers between its label and the next recognised label. Text in
between (the rest of a label that PDF extraction broke around its numbers, a merged label
printed one character per line) is skipped. Cells are placed by position only when the
layout proves the positions; otherwise a row with too few values is left blank rather than
guessed, and the parser says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from parsers.labels import LabelMatcher
from parsers.tokens import BLANK, EMPTY, NUM, PROSE, TEXT, UNREAD, Token
from report.template import APPEAL_COLUMNS, APPEAL_GROUPS, Row

Values = list[int | float | None]

# How far past an unmatched text token to look for the rest of its label.
_SPLIT_LABEL_REACH = 12


@dataclass
class RowResult:
    """What one table row yielded. ``status``: ok, blank, short, unreadable, inferred.

    ``converted`` lists the money cells printed in 元 and recorded in 万元; ``inferred``
    says how the template's sums fixed the cell a row lost."""

    row: Row
    label: str
    values: Values
    status: str
    found: Values = field(default_factory=list)
    converted: list[dict[str, Any]] = field(default_factory=list)
    inferred: dict[str, Any] | None = None
    unread: int = 0  # cells a reader could not read with certainty (UNREAD)
    lost_at: int | None = None  # where the one unread cell of a row is


_VALUE_KINDS = frozenset((NUM, BLANK, EMPTY, UNREAD))
_BREAK_KINDS = frozenset((TEXT, PROSE))  # what splits the values between labels into runs


def find_anchors(
    tokens: list[Token], matcher: LabelMatcher, labels: list[int], end: int
) -> list[tuple[int, int, int, str]]:
    """(row index, first token, token after the label, label text) for each row found.
    ``labels``: the positions of the text tokens, up to ``end``."""
    anchors = []
    consumed: set[int] = set()
    last = -1
    after = 0  # the token after the last label found: where the next may begin
    alone: dict[int, int | None] = {}  # what a token's own text matches, while last holds
    for i in labels:
        if i < after or i in consumed:
            continue
        t = tokens[i]
        hit = alone[i] if i in alone else matcher.match(t.text, last)
        stop, label = i + 1, t.text
        j = i + 1
        # A label broken over several text tokens with nothing between them.
        while hit is None and j < end and j - i < 3 and tokens[j].kind == TEXT:
            alone[j] = matcher.match(tokens[j].text, last)
            if alone[j] is not None:
                break  # the next token is a label by itself: this one is a header
            label += tokens[j].text
            hit, stop = matcher.match(label, last), j + 1
            j += 1
        if hit is None:
            # A label broken around its own numbers: first part, numbers, rest.
            k = i + 1
            while k < end and k - i <= _SPLIT_LABEL_REACH and tokens[k].kind in _VALUE_KINDS:
                k += 1
            if (
                k > i + 1
                and k < end
                and tokens[k].kind == TEXT
                and matcher.match(tokens[k].text, last) is None
            ):
                hit = matcher.match(t.text + tokens[k].text, last)
                if hit is not None:
                    consumed.add(k)
                    label, stop = t.text + tokens[k].text, i + 1
        if (
            hit is not None
            and matcher.rows[hit].exact
            and not (stop < end and tokens[stop].kind in _VALUE_KINDS)
        ):
            hit = None  # a short label (总计, 其他) only counts when numbers follow it
        if hit is None:
            continue
        anchors.append((hit, i, stop, label))
        last = hit
        alone.clear()
        after = stop
    return anchors


def _runs(tokens: list[Token], start: int, end: int) -> list[list[Token]]:
    """Value tokens between two labels, split into runs wherever text intervenes."""
    runs: list[list[Token]] = []
    run: list[Token] = []
    for t in tokens[start:end]:
        if t.kind in _VALUE_KINDS:
            run.append(t)
        elif run and t.kind in _BREAK_KINDS:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def _strip_empty(cells: list[Token]) -> list[Token]:
    a, b = 0, len(cells)
    while a < b and cells[a].kind == EMPTY:
        a += 1
    while b > a and cells[b - 1].kind == EMPTY:
        b -= 1
    return cells[a:b]


Cells = list[Token | None]


def _positional(cells: list[Token]) -> Cells:
    return [t if t.kind == NUM else None for t in cells]


def values_of(cells: Cells) -> Values:
    return [None if t is None else t.value for t in cells]


def _resolved(cells: Cells, found: Values) -> tuple[Cells, str, Values]:
    return cells, ("blank" if None in cells else "ok"), found


def _exact_numbers(cells: Cells, n: int) -> Values | None:
    """The values of ``cells`` when they are exactly ``n`` numbers (only a number token
    has a value)."""
    if len(cells) == n and None not in (found := [t.value for t in cells]):
        return found
    return None


def resolve_cells(
    runs: list[list[Token]], n: int, plausible: Callable[[Values], bool] | None = None
) -> tuple[Cells, str, Values]:
    """The cells of an n-column row, by position: (number tokens or None, status, values
    found)."""
    if len(runs) == 1 and (found := _exact_numbers(runs[0], n)) is not None:
        return list(runs[0]), "ok", found  # most rows: one run of exactly their numbers
    cells = [t for run in runs for t in run]
    filled = [t for t in cells if t.kind != EMPTY]
    found = [t.value for t in filled]
    if len(cells) == n:
        return _resolved(_positional(cells), found)
    if len(cells) > n and cells[-1].kind == EMPTY:
        # A grid's row, empty cells at both ends (四、结转…\t\t\t0…0\t): those on the left
        # are its label columns, the one at the right end is the row's own blank 总计.
        lead = len(cells) - n
        if all(t.kind == EMPTY for t in cells[:lead]):
            return _resolved(_positional(cells[lead:]), found)
    if len(stripped := _strip_empty(cells)) == n:
        return _resolved(_positional(stripped), found)
    if len(filled) == n:
        return _resolved(_positional(filled), found)
    if len(filled) < n:
        return [None] * n, "short", found
    first = [t for t in runs[0] if t.kind != EMPTY]
    if len(first) == n:  # what follows belongs to a row we did not recognise
        return _resolved(_positional(first), found)
    windows: dict[tuple, Cells] = {}
    for i in range(len(filled) - n + 1):
        window = _positional(filled[i : i + n])
        windows.setdefault(tuple(values_of(window)), window)
    if len(windows) > 1 and plausible is not None:
        windows = {k: w for k, w in windows.items() if plausible(list(k))}
    if len(windows) == 1:
        return _resolved(next(iter(windows.values())), found)
    return [None] * n, "unreadable", found


def _sums_to_last(values: Values) -> bool:
    return None not in values and sum(values[:-1]) == values[-1]


# A table header stating that its amounts are in 元, not the template's 万元.
_YUAN_HEADER = re.compile(r"单位[:]?元|\(元\)")


def _in_wan(value: int | float) -> float:
    return float(Decimal(str(value)) / 10000)


def _money(row: Row, cells: Cells, yuan: bool) -> tuple[Values, list[dict[str, Any]]]:
    """Values in the template's units: money in 万元, converted from 元 where the cell or
    the table's header says 元 (the evidence keeps the amount as printed)."""
    if not row.money:
        return values_of(cells), []
    values: Values = []
    converted = []
    for token, col in zip(cells, row.columns, strict=True):
        if token is None or col not in row.money:
            values.append(None if token is None else token.value)
            continue
        unit = token.unit or ("元" if yuan else "万元")
        if unit == "元":
            value = _in_wan(token.value)
            converted.append(
                {"key": f"{row.key}.{col}", "printed": token.text, "unit": "元", "value": value}
            )
            values.append(value)
        else:
            values.append(float(token.value))
    return values, converted


def extract_rows(
    tokens: list[Token], matcher: LabelMatcher, start: int, end: int
) -> tuple[list[RowResult], int]:
    """The rows of one table between two token positions, and the position after its last
    value (where a following table may begin)."""
    labels = [k for k in range(start, end) if tokens[k].kind == TEXT]
    anchors = find_anchors(tokens, matcher, labels, end)
    results: list[RowResult] = []
    table_end = start
    header = "\n".join([tokens[k].text for k in labels])  # no match spans the \n
    yuan = "元" in header and bool(_YUAN_HEADER.search(header))  # each match holds 元
    for n_anchor, (ri, _first, stop, label) in enumerate(anchors):
        row = matcher.rows[ri]
        nxt = anchors[n_anchor + 1][1] if n_anchor + 1 < len(anchors) else end
        n = len(row.columns)
        cells: Cells = _strip_empty(tokens[stop:nxt])
        if (found := _exact_numbers(cells, n)) is not None:
            # Most rows: exactly their numbers, maybe between empty cells; what
            # resolve_cells reads from the one run they make.
            table_end, status = nxt, "ok"
            if not row.money:  # its values are the numbers found, as _money would give
                results.append(RowResult(row, label, list(found), status, found, []))
                continue
        else:
            runs = _runs(tokens, stop, nxt)
            table_end = stop
            if not runs:
                following = matcher.rows[anchors[n_anchor + 1][0]] if nxt < end else None
                if following is not None and following.key.startswith(row.key + "."):
                    continue  # a header over its own sub-rows (2021's 其他处理)
                results.append(RowResult(row, label, [None] * n, "short"))
                continue
            table_end = nxt  # after the last value: the last token of the last run
            while tokens[table_end - 1].kind not in _VALUE_KINDS:
                table_end -= 1
            if any(t.kind == UNREAD for run in runs for t in run):
                results.append(_unread_row(row, label, runs))
                continue
            plausible = _sums_to_last if row.columns[-1] == "total" else None
            cells, status, found = resolve_cells(runs, n, plausible)
        values, converted = _money(row, cells, yuan)
        results.append(RowResult(row, label, values, status, found, converted))
    return results, table_end


def _unread_row(row: Row, label: str, runs: list[list[Token]]) -> RowResult:
    """A row holding cells no reader could read with certainty: never guessed. With one
    such cell among exactly its numbers, it is a row that lost one cell at a known place
    (record._fill_lost_cells fills it where the sums leave one reading); else unreadable."""
    n = len(row.columns)
    filled = [t for run in runs for t in run if t.kind != EMPTY]
    unread = [i for i, t in enumerate(filled) if t.kind == UNREAD]
    found = [t.value for t in filled]
    if len(filled) == n and len(unread) == 1 and all(t.kind != BLANK for t in filled):
        known = [v for v in found if v is not None]
        return RowResult(row, label, [None] * n, "short", known, unread=1, lost_at=unread[0])
    return RowResult(row, label, [None] * n, "unreadable", found, unread=len(unread))


def _appeals_plausible(values: Values) -> bool:
    return all(_sums_to_last(values[g * 5 : (g + 1) * 5]) for g in range(3))


def extract_appeals(tokens: list[Token], start: int, end: int) -> RowResult | None:
    """The 复议诉讼 table: fifteen numbers after its headers, in template column order."""
    header = None
    for k in range(start, end):
        t = tokens[k]
        if t.kind == TEXT and any(w in t.text for w in ("维持", "纠正", "审结")):
            header = k
            break
    if header is None:
        return None
    first = next((k for k in range(header, end) if tokens[k].kind in (NUM, BLANK, UNREAD)), None)
    if first is None:
        return None
    runs = _runs(tokens, first, end)
    if any(t.kind == UNREAD for run in runs for t in run):
        return _unread_row(_APPEALS, "行政复议、行政诉讼", runs)
    n = len(_APPEALS.columns)
    cells, status, found = resolve_cells(runs, n, _appeals_plausible)
    return RowResult(_APPEALS, "行政复议、行政诉讼", values_of(cells), status, found)


_APPEALS = Row("appeals", tuple(f"{g}.{c}" for g in APPEAL_GROUPS for c in APPEAL_COLUMNS), ())
