"""docs/cli.md's commands section is every command's own --help."""

from __future__ import annotations

import runpy

from tests.support import ROOT


def test_docs_cli_md_is_current(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    docs = runpy.run_path(str(ROOT / "scripts" / "cli_docs.py"))
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert text == docs["current"](text), "run: .venv/bin/python scripts/cli_docs.py"
    for command in ("search", "serve", "document", "report", "sources discover"):
        assert f"### `nianbao {command}`" in text
    assert "Example:" in text
