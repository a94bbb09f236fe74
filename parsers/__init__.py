"""Document bytes → text → annual-report record. Pure functions: no I/O beyond arguments.

The names below load on first use, so that modules sharing the template data
(``parsers.template``) can be imported without the whole parser.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "DocumentError": "parsers.errors",
    "PARSER_VERSION": "parsers.record",
    "Limits": "parsers.document",
    "parse_bytes": "parsers.document",
    "parse_text": "parsers.record",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'parsers' has no attribute {name!r}")
