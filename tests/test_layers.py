"""The layers of docs/architecture.md hold: no module imports a higher layer, and SQL
lives in storage/ only."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.support import ROOT

# What each part of nianbao may import (besides itself and the standard library).
ALLOWED = {
    "report": set(),
    "parsers": {"report"},
    "storage": {"parsers", "report"},
    "ingest": {"parsers", "storage", "report"},
    "crawler": {"ingest", "parsers", "storage", "report"},
    "monitor": {"parsers", "storage", "report"},
    "output": {"storage", "report", "parsers"},
    "scheduler": {"monitor", "storage", "report", "parsers"},
    "demo": {"report", "parsers"},
    "cli": {
        "crawler",
        "demo",
        "ingest",
        "monitor",
        "output",
        "parsers",
        "report",
        "scheduler",
        "storage",
    },
}
SQL = re.compile(r"\.execute(many|script)?\(|\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\s+\w")


def modules() -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for part in ALLOWED:
        folder, single = ROOT / part, ROOT / f"{part}.py"
        files = sorted(folder.rglob("*.py")) if folder.is_dir() else [single]
        found[part] = [f for f in files if f.exists()]
    return found


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_module_imports_a_higher_layer() -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for part, paths in modules().items()
        for path in paths
        for name in sorted(imported(path) & set(ALLOWED) - {part} - ALLOWED[part])
    ]
    assert wrong == []
    assert "tests" not in set().union(*(imported(p) for ps in modules().values() for p in ps))


def test_sql_lives_in_storage_only() -> None:
    outside = []
    for part, paths in modules().items():
        if part == "storage":
            continue
        for path in paths:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = {
                id(n.body[0].value)
                for n in ast.walk(tree)
                if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef)
                and n.body
                and isinstance(n.body[0], ast.Expr)
            }
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docstrings
                    and SQL.search(node.value)
                ):
                    outside.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if re.search(r"\.execute(many|script)?\(", path.read_text(encoding="utf-8")):
                outside.append(f"{path.relative_to(ROOT)}: execute")
    assert outside == []
