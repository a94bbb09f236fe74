"""Document bytes → text → annual-report record. Pure functions: no I/O beyond arguments.

Built on ``report`` (the template, its rules, what a finding is); nothing of the archive,
the crawler or the monitor.
"""

from __future__ import annotations

from parsers.document import Limits, parse_bytes
from parsers.errors import DocumentError
from parsers.record import PARSER_VERSION, parse_text

__all__ = ["PARSER_VERSION", "DocumentError", "Limits", "parse_bytes", "parse_text"]
