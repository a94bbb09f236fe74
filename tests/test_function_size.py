"""No function of nianbao runs past 80 lines: a longer one is split where a name would
explain the part."""

from __future__ import annotations

import ast

from tests.test_layers import modules

LIMIT = 80


def test_no_function_is_longer_than_80_lines() -> None:
    long = [
        f"{path.name}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for paths in modules().values()
        for path in paths
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > LIMIT
    ]
    assert long == []
