"""Document bytes → text → annual-report record. Pure functions: no I/O beyond arguments.

Built on ``report`` (the template, its rules, what a finding is); nothing of the archive,
the crawler or the monitor.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import os


def _check_compiled(here: str) -> None:
    """Refuse compiled modules (scripts/compile_parsers.py) whose source changed after the
    build: Python would load the extension, not the edited source."""
    names = os.listdir(here)
    if not any(name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)) for name in names):
        return
    fix = "run scripts/setup.sh, or scripts/compile_parsers.py --clean for plain Python"
    if "compiled" not in names:
        raise ImportError(f"{here}: compiled modules without their sources' hashes: {fix}")
    with open(os.path.join(here, "compiled"), encoding="utf-8") as f:
        for line in f:
            digest, source = line.split()
            with open(os.path.join(here, source), "rb") as s:
                if hashlib.sha256(s.read()).hexdigest() != digest:
                    raise ImportError(f"{here}/{source} changed after it was compiled: {fix}")


_check_compiled(os.path.dirname(__file__))

from parsers.document import Limits, parse_bytes  # noqa: E402
from parsers.errors import DocumentError  # noqa: E402
from parsers.record import PARSER_VERSION, parse_text  # noqa: E402

__all__ = ["PARSER_VERSION", "DocumentError", "Limits", "parse_bytes", "parse_text"]
