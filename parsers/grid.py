"""Table grids → the text layout the record builder reads: one row per line, cells split
by tabs, a merged cell's extra positions left empty (never copies of its text)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Grid = Sequence[Sequence[str | None]]


def cell_text(text: str | None) -> str:
    """A cell's text on one line: Chinese wraps inside cells without meaning a space."""
    if not text:
        return ""
    return text.replace("\n", "").replace("\t", " ").strip()


def render_grid(grid: Grid) -> list[str]:
    lines = []
    for row in grid:
        cells = [cell_text(c) for c in row]
        if any(cells):
            lines.append("\t".join(cells))
    return lines


def render_blocks(blocks: Iterable[str | Grid]) -> str:
    """Paragraph strings and table grids, in reading order, as one text."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            out.append(block)
        else:
            out.extend(render_grid(block))
    return "\n".join(out)
