"""The compiled text parser (scripts/compile_parsers.py): refused when stale, and giving the
records plain Python gives."""

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


def test_plain_python_is_not_checked(tmp_path: Path) -> None:
    parsers._check_compiled(str(_package(tmp_path, compiled=False, hashes=None)))


def test_compiled_from_the_present_source_runs(tmp_path: Path) -> None:
    parsers._check_compiled(str(_package(tmp_path, compiled=True, hashes=_hashes("X = 1\n"))))


def test_compiled_from_an_older_source_is_refused(tmp_path: Path) -> None:
    hashes = _hashes("X = 0\n")
    with pytest.raises(ImportError, match=r"tokens\.py changed after it was compiled"):
        parsers._check_compiled(str(_package(tmp_path, compiled=True, hashes=hashes)))


def test_compiled_without_hashes_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportError, match="without their sources' hashes"):
        parsers._check_compiled(str(_package(tmp_path, compiled=True, hashes=None)))


_PLAIN = """
import json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
import parsers.tokens
assert parsers.tokens.__file__.endswith(".py"), parsers.tokens.__file__
from parsers import DocumentError, parse_bytes
out = {}
for path in sorted(Path(sys.argv[2]).glob("*.txt")):
    try:
        out[path.name] = parse_bytes(path.read_bytes())
    except DocumentError as exc:
        out[path.name] = str(exc)
print(json.dumps(out, ensure_ascii=False, sort_keys=True))
"""


def test_compiled_and_plain_python_give_the_same_records(tmp_path: Path) -> None:
    if not (ROOT / "parsers" / "compiled").exists():
        pytest.skip("the parser is not compiled here (plain Python is what the corpus tests)")
    for package in ("parsers", "report"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.so"))
    (tmp_path / "parsers" / "compiled").unlink()
    plain = subprocess.run(
        [sys.executable, "-c", _PLAIN, str(tmp_path), str(CORPUS)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert parsers.record.__file__ is not None
    assert not parsers.record.__file__.endswith(".py")  # this process runs the compiled one
    compiled = {}
    for path in sorted(CORPUS.glob("*.txt")):
        try:
            compiled[path.name] = parse_bytes(path.read_bytes())
        except DocumentError as exc:
            compiled[path.name] = str(exc)
    ours = json.loads(json.dumps(compiled, ensure_ascii=False, sort_keys=True))
    assert len(ours) > 50
    assert ours == json.loads(plain.stdout)
