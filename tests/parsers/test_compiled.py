"""The compiled text parser (scripts/compile_parsers.py): set aside for its sources when they
changed after the build, and giving the records plain Python gives."""

from __future__ import annotations

import hashlib
import importlib.machinery
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import parsers
from parsers import parse_bytes
from parsers.errors import DocumentError

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
EXTENSION = importlib.machinery.EXTENSION_SUFFIXES[0]


def _package(tmp_path: Path, compiled: bool, hashes: str | None) -> Path:
    here = tmp_path / "parsers"
    here.mkdir()
    (here / "tokens.py").write_text("X = 1\n")
    if compiled:
        (here / f"tokens{EXTENSION}").write_bytes(b"")
    if hashes is not None:
        (here / "compiled").write_text(hashes)
    return here


def _hashes(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest() + "  tokens.py\n"


def test_plain_python_has_nothing_stale(tmp_path: Path) -> None:
    assert parsers.stale_compiled(str(_package(tmp_path, compiled=False, hashes=None))) == set()


def test_compiled_from_the_present_source_is_not_stale(tmp_path: Path) -> None:
    here = _package(tmp_path, compiled=True, hashes=_hashes("X = 1\n"))
    assert parsers.stale_compiled(str(here)) == set()


def test_compiled_from_an_older_source_is_stale(tmp_path: Path) -> None:
    here = _package(tmp_path, compiled=True, hashes=_hashes("X = 0\n"))
    assert parsers.stale_compiled(str(here)) == {"tokens"}


def test_compiled_without_hashes_is_stale(tmp_path: Path) -> None:
    assert parsers.stale_compiled(str(_package(tmp_path, compiled=True, hashes=None))) == {"tokens"}


_PLAIN = """
import json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
import parsers.record, parsers.tokens
for module in (parsers.record, parsers.tokens):
    assert module.__file__.endswith(".py"), module.__file__
from parsers import DocumentError, parse_bytes
out = {}
for path in sorted(Path(sys.argv[2]).glob("*.txt")):
    try:
        out[path.name] = parse_bytes(path.read_bytes())
    except DocumentError as exc:
        out[path.name] = str(exc)
print(json.dumps(out, ensure_ascii=False, sort_keys=True))
"""


def _compiled_here() -> None:
    if not (ROOT / "parsers" / "compiled").exists():
        pytest.skip("the parser is not compiled here (plain Python is what the corpus tests)")
    if parsers.stale_compiled(str(ROOT / "parsers")):
        pytest.skip("the compiled modules are older than their sources: run compile_parsers")
    assert parsers.record.__file__ is not None
    assert not parsers.record.__file__.endswith(".py")  # this process runs the compiled one


def _plain_records(copy: Path) -> tuple[dict, str]:
    """The corpus's records by the parser copied to ``copy``, which must run its sources;
    and what it wrote to standard error."""
    run = subprocess.run(
        [sys.executable, "-c", _PLAIN, str(copy), str(CORPUS)],
        capture_output=True,
        text=True,
        check=True,
        cwd=copy,
    )
    return json.loads(run.stdout), run.stderr


def _compiled_records() -> dict:
    compiled = {}
    for path in sorted(CORPUS.glob("*.txt")):
        try:
            compiled[path.name] = parse_bytes(path.read_bytes())
        except DocumentError as exc:
            compiled[path.name] = str(exc)
    return json.loads(json.dumps(compiled, ensure_ascii=False, sort_keys=True))


def test_compiled_and_plain_python_give_the_same_records(tmp_path: Path) -> None:
    _compiled_here()
    for package in ("parsers", "report"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.so"))
    (tmp_path / "parsers" / "compiled").unlink()
    plain, _ = _plain_records(tmp_path)
    ours = _compiled_records()
    assert len(ours) > 50
    assert ours == plain


def test_stale_compiled_modules_give_way_to_their_sources(tmp_path: Path) -> None:
    _compiled_here()
    for package in ("parsers", "report"):
        shutil.copytree(ROOT / package, tmp_path / package)
    with open(tmp_path / "parsers" / "sections.py", "a") as f:
        f.write("# edited after the build\n")
    plain, errors = _plain_records(tmp_path)
    assert "compiled modules are older than their sources" in errors
    assert plain == _compiled_records()
