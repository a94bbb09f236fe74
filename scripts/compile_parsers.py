"""Compiles the text parser's modules with mypyc, in place: ``.venv/bin/python
scripts/compile_parsers.py`` (scripts/setup.sh runs it).

The text parser is plain Python; mypyc (mypy's compiler, ``pip install 'nianbao[compile]'``)
turns the modules it spends its time in into C extensions beside them, about 0.7× the time
per report, with the same records (the golden files are the judge). The extensions are
found before the sources, so the build writes each source's SHA-256 to ``parsers/compiled``
and ``parsers/__init__`` runs the sources instead, with a warning, once one has changed.
Without mypyc or a C compiler nothing is compiled and the parser runs as plain Python.
Run again, it compiles only when a source changed. ``--clean`` removes the extensions (and
the hashes): plain Python again.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARSERS = ROOT / "parsers"
# Where a report's parse spends its time: everything from the prepared text to its record.
MODULES = (
    "tokens",
    "labels",
    "tables",
    "narrative",
    "textscan",
    "sections",
    "record",
    "normalize",
    "meta",
)
HASHES = PARSERS / "compiled"


def clean() -> None:
    for path in PARSERS.glob("*.so"):
        path.unlink()
    HASHES.unlink(missing_ok=True)


def _hashes() -> str:
    return "".join(
        f"{hashlib.sha256((PARSERS / f'{name}.py').read_bytes()).hexdigest()}  {name}.py\n"
        for name in MODULES
    )


def up_to_date() -> bool:
    """Every module compiled from its present source."""
    built = {path.name.split(".")[0] for path in PARSERS.glob("*.so")}
    return HASHES.exists() and HASHES.read_text() == _hashes() and set(MODULES) <= built


@contextlib.contextmanager
def _quiet(log: Path) -> Iterator[None]:
    """The build's output (mypy's notes, every compiler command) into ``log``: the
    compiler writes to the file descriptors, not to sys.stdout."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(log, "w") as f:
        os.dup2(f.fileno(), 1)
        os.dup2(f.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def compile_modules() -> None:
    import warnings

    from mypyc.build import mypycify
    from setuptools import setup

    # setup() reads the project's pyproject.toml and warns that its [tool.setuptools] is beta.
    warnings.filterwarnings("ignore", message=".*tool.setuptools.*")
    sources = [f"parsers/{name}.py" for name in MODULES]
    # Their imports are type-checked, not compiled; only the compiled modules' errors count.
    options = ["--ignore-missing-imports", "--follow-imports=silent"]
    with tempfile.TemporaryDirectory() as build:
        log = Path(build) / "build.log"
        try:
            with _quiet(log):
                extensions = mypycify(
                    [*options, *sources], group_name="parsers.compiled", target_dir=build
                )
                setup(
                    name="nianbao-parsers",
                    ext_modules=extensions,
                    script_args=["-q", "build_ext", "--inplace", "--build-temp", build],
                )
        except (Exception, SystemExit):
            print(log.read_text()[-3000:], file=sys.stderr)
            raise
    HASHES.write_text(_hashes())


def main() -> None:
    os.chdir(ROOT)  # mypyc names modules by their paths from here
    if "--clean" in sys.argv[1:]:
        clean()
        return
    if up_to_date():
        return
    clean()
    if shutil.which(os.environ.get("CC", "cc")) is None:
        print("compile_parsers: no C compiler; the parser runs as plain Python", file=sys.stderr)
        return
    if importlib.util.find_spec("mypyc") is None:
        print(
            "compile_parsers: mypyc not installed (pip install 'nianbao[compile]'); "
            "the parser runs as plain Python",
            file=sys.stderr,
        )
        return
    try:
        compile_modules()
    except (Exception, SystemExit) as exc:  # setuptools ends a failed build with SystemExit
        print(f"compile_parsers: {exc}; the parser runs as plain Python", file=sys.stderr)
        clean()


if __name__ == "__main__":
    main()
