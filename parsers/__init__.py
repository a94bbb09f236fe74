"""Document bytes → text → annual-report record. Pure functions: no I/O beyond arguments.

Built on ``report`` (the template, its rules, what a finding is); nothing of the archive,
the crawler or the monitor.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType


def stale_compiled(here: str) -> set[str]:
    """The modules compiled by scripts/compile_parsers.py whose source changed after the
    build (all of them, when it left no hashes): Python would load the extension, not the
    edited source. Empty when nothing is compiled or all is up to date."""
    names = os.listdir(here)
    built = {
        name.split(".")[0]
        for name in names
        if name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
        and not name.startswith("compiled__")  # their shared library
    }
    if not built or "compiled" not in names:
        return built
    with open(os.path.join(here, "compiled"), encoding="utf-8") as f:
        for line in f:
            digest, source = line.split()
            with open(os.path.join(here, source), "rb") as s:
                if hashlib.sha256(s.read()).hexdigest() != digest:
                    return built  # compiled together, they call each other: all or none
    return set()


class _Sources(importlib.abc.MetaPathFinder):
    """Finds these modules' sources before their extensions."""

    def __init__(self, here: str, modules: set[str]) -> None:
        self.here, self.modules = here, modules

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, module = fullname.rpartition(".")
        if package != __name__ or module not in self.modules:
            return None
        return importlib.util.spec_from_file_location(
            fullname, os.path.join(self.here, module + ".py")
        )


if _stale := stale_compiled(os.path.dirname(__file__)):
    warnings.warn(
        "parsers: the compiled modules are older than their sources; running the sources "
        "(run scripts/compile_parsers.py to compile them again)",
        RuntimeWarning,
        stacklevel=2,
    )
    sys.meta_path.insert(0, _Sources(os.path.dirname(__file__), _stale))

from parsers.document import Limits, parse_bytes  # noqa: E402
from parsers.errors import DocumentError  # noqa: E402
from parsers.record import PARSER_VERSION, parse_text  # noqa: E402

__all__ = ["PARSER_VERSION", "DocumentError", "Limits", "parse_bytes", "parse_text"]
