"""Writes the commands section of docs/cli.md from the commands' own --help, so the two
never disagree: ``.venv/bin/python scripts/cli_docs.py`` (tests/test_cli_docs.py checks)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cli import main  # noqa: E402

DOC = ROOT / "docs" / "cli.md"
BEGIN, END = "<!-- commands: begin -->", "<!-- commands: end -->"


def _commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    out = []
    for name in sorted(group.commands):
        command = group.commands[name]
        if isinstance(command, click.Group):
            out += _commands(command, f"{prefix} {name}")
        else:
            out.append((f"{prefix} {name}", command))
    return out


def section() -> str:
    parts = [BEGIN, ""]
    for path, command in _commands(main, "nianbao"):
        ctx = click.Context(command, info_name=path, help_option_names=["-h", "--help"])
        parts += [f"### `{path}`", "", "```text", command.get_help(ctx).rstrip(), "```", ""]
    parts.append(END)
    return "\n".join(parts)


def current(text: str) -> str:
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return head + section() + tail


if __name__ == "__main__":
    DOC.write_text(current(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {DOC}")
