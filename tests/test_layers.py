"""The layers of docs/architecture.md hold: no module imports a higher layer, by a plain
import or a dynamic one; every top-level part of the repository is a known layer; SQL, in
any case, lives in storage/ only; and the import edges the architecture document lists
are the ones the code has."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

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
    # Measurements and maintenance scripts sit beside the command, never under it.
    "bench": {"crawler", "ingest", "monitor", "output", "parsers", "report", "storage", "tests"},
    "scripts": {"cli", "report"},
}
# What the repository's top level holds besides the parts above.
NOT_CODE = {"tests", "docs", "build", "test-artifacts", "nianbao-demo"}
# Files outside storage/ whose SQL is their purpose, and why.
SQL_ELSEWHERE = {
    "bench/archive.py": "its baseline is the archive's rows written by a plain executemany",
}
# SQL as statements begin, in any case; words a message may hold ("select the agency")
# are not enough.
SQL = re.compile(
    r"\bselect\s+(?:[\w.*(),\s]+?)\s+from\s+\w|\binsert\s+(?:or\s+\w+\s+)?into\s+\w"
    r"|\bupdate\s+\w+\s+set\s|\bdelete\s+from\s+\w|\bcreate\s+(?:temp\s+)?(?:table|index|view)"
    r"|\bpragma\s+\w+|\.execute(?:many|script)?\(",
    re.IGNORECASE,
)
_DYNAMIC = {"import_module", "__import__", "spec_from_file_location", "run_module"}


def modules(root: Path = ROOT) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for part in ALLOWED:
        folder, single = root / part, root / f"{part}.py"
        files = sorted(folder.rglob("*.py")) if folder.is_dir() else [single]
        found[part] = [f for f in files if f.exists()]
    return found


def _dynamic_target(node: ast.Call, package: str) -> str | None:
    """The top-level name a dynamic import names: a string, or an f-string that begins
    with the module's own ``__name__`` (its package)."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in _DYNAMIC or not node.args:
        return None
    arg = node.args[-1] if name == "spec_from_file_location" else node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value.lstrip("./").split(".")[0].split("/")[0]
    if isinstance(arg, ast.JoinedStr) and arg.values:
        head = arg.values[0]
        if isinstance(head, ast.FormattedValue) and getattr(head.value, "id", "") == "__name__":
            return package
    return "<computed>"  # a name the test cannot read: an edge nobody can check


def imported(path: Path, package: str = "") -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and (target := _dynamic_target(node, package)):
            names.add(target)
    return names


def wrong_imports(root: Path = ROOT) -> list[str]:
    known = set(ALLOWED) | {"<computed>", "tests"}
    return [
        f"{path.relative_to(root)} imports {name}"
        for part, paths in modules(root).items()
        for path in paths
        for name in sorted(imported(path, part) & known - {part} - ALLOWED[part])
    ]


def unknown_parts(root: Path = ROOT) -> list[str]:
    """Top-level packages and modules that no layer names."""
    out = []
    for entry in sorted(root.iterdir()):
        name = entry.name
        if name.startswith(".") or name.endswith(".egg-info") or name in NOT_CODE:
            continue
        package = entry.is_dir() and any(entry.rglob("*.py"))
        if (package and name not in ALLOWED) or (
            entry.suffix == ".py" and entry.stem not in ALLOWED
        ):
            out.append(name)
    return out


def sql_outside_storage(root: Path = ROOT) -> list[str]:
    outside = []
    for part, paths in modules(root).items():
        if part == "storage":
            continue
        for path in paths:
            where = path.relative_to(root).as_posix()
            if where in SQL_ELSEWHERE:
                continue
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
                    outside.append(f"{where}:{node.lineno}")
                elif isinstance(node, ast.Attribute) and node.attr in (
                    "execute",
                    "executemany",
                    "executescript",
                ):
                    outside.append(f"{where}:{node.lineno}: {node.attr}")
    return outside


def test_no_module_imports_a_higher_layer() -> None:
    assert wrong_imports() == []


def test_every_top_level_part_is_a_layer() -> None:
    assert unknown_parts() == []


def test_sql_lives_in_storage_only() -> None:
    assert sql_outside_storage() == []
    for where in SQL_ELSEWHERE:  # an exception that no longer holds SQL goes
        assert SQL.search((ROOT / where).read_text(encoding="utf-8")), where


def _edges(root: Path = ROOT) -> dict[str, set[str]]:
    return {
        part: {n for p in paths for n in imported(p, part)} & set(ALLOWED) - {part}
        for part, paths in modules(root).items()
    }


def test_the_architecture_document_lists_the_edges_the_code_has() -> None:
    """docs/architecture.md's list of edges (`a → b, c`) is the import graph."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"`(\w+) → ([\w, ]+)`", text))
    documented = {a: {b.strip() for b in bs.split(",")} for a, bs in listed.items()}
    actual = {a: bs for a, bs in _edges().items() if bs}
    assert documented == actual


# -- the test's own failures, on deliberately broken copies of the repository -----------


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A copy of the code (no tests, no data) to break."""
    for part in ALLOWED:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part, ignore=shutil.ignore_patterns("files"))
        elif (ROOT / f"{part}.py").exists():
            shutil.copy(ROOT / f"{part}.py", tmp_path / f"{part}.py")
    (tmp_path / "docs").mkdir()
    return tmp_path


def _append(path: Path, code: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + code, encoding="utf-8")


def test_a_copy_is_clean_before_it_is_broken(broken: Path) -> None:
    assert (wrong_imports(broken), unknown_parts(broken), sql_outside_storage(broken)) == (
        [],
        [],
        [],
    )


def test_a_dynamic_import_across_layers_fails(broken: Path) -> None:
    _append(
        broken / "crawler" / "items.py",
        '\nimport importlib\n_archive = importlib.import_module("storage.archive")\n',
    )
    _append(broken / "storage" / "db.py", '\n_spider = __import__("crawler.spiders")\n')
    assert wrong_imports(broken) == ["storage/db.py imports crawler"]


def test_a_computed_dynamic_import_fails(broken: Path) -> None:
    _append(broken / "parsers" / "sniff.py", "\nimport importlib\nimportlib.import_module(X)\n")
    assert wrong_imports(broken) == ["parsers/sniff.py imports <computed>"]


def test_a_new_top_level_package_fails(broken: Path) -> None:
    (broken / "plugins").mkdir()
    (broken / "plugins" / "__init__.py").write_text("from cli import main\n")
    (broken / "tools.py").write_text("import storage\n")
    assert unknown_parts(broken) == ["plugins", "tools.py"]


def test_sql_in_any_case_outside_storage_fails(broken: Path) -> None:
    _append(broken / "monitor" / "checks.py", '\n_Q = "select id from agencies"\n')
    _append(broken / "output" / "text.py", "\ndef _f(c):\n    return c.execute\n")
    _append(broken / "scripts" / "cli_docs.py", '\n_P = "pragma user_version"\n')
    assert sql_outside_storage(broken) == [
        "monitor/checks.py:" + str(_line_of(broken / "monitor" / "checks.py", "select id")),
        "output/text.py:" + str(_line_of(broken / "output" / "text.py", "c.execute")) + ": execute",
        "scripts/cli_docs.py:" + str(_line_of(broken / "scripts" / "cli_docs.py", "pragma")),
    ]


def test_bench_and_scripts_are_layers_too(broken: Path) -> None:
    _append(broken / "bench" / "parse.py", "\nimport cli\n")
    _append(broken / "scripts" / "cli_docs.py", "\nimport bench\n")
    assert wrong_imports(broken) == [
        "bench/parse.py imports cli",
        "scripts/cli_docs.py imports bench",
    ]


def _line_of(path: Path, words: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if words in line)
