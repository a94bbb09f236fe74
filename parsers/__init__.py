"""Document bytes → text → annual-report record. Pure functions: no I/O beyond arguments."""

from parsers.errors import DocumentError
from parsers.record import PARSER_VERSION, parse_bytes, parse_text

__all__ = ["PARSER_VERSION", "DocumentError", "parse_bytes", "parse_text"]
