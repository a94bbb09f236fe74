"""Script conversion and the normal form every later step reads."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

import opencc

# Share of Han characters that t2s changes above which the source counts as traditional:
# simplified reports change none or a handful, traditional ones about a third.
_TRADITIONAL_SHARE = 0.05
_NEEDS_CLEANUP = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad│┃║]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Invisible characters go; box-drawing verticals that some extractors print between
# table cells become the | that the tokenizer splits on.
_CLEANUP = str.maketrans(
    {**dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad"), "│": "|", "┃": "|", "║": "|"}
)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> tuple[str, str]:
    """Convert to simplified script; return the text and the source script's name."""
    converted = _t2s().convert(text)
    if converted == text:
        return text, "simplified"
    if len(converted) == len(text):
        changed = sum(1 for a, b in zip(text, converted, strict=True) if a != b)
    else:  # a phrase conversion changed the length: count characters that went away
        changed = sum((Counter(text) - Counter(converted)).values())
    han = len(_HAN.findall(text))
    script = "traditional" if han and changed / han > _TRADITIONAL_SHARE else "simplified"
    return converted, script


def normal_lines(text: str) -> list[str]:
    """NFKC lines: full-width digits, brackets and spaces become ASCII, CR/LF become LF."""
    if _NEEDS_CLEANUP.search(text):
        text = text.translate(_CLEANUP)
    text = unicodedata.normalize("NFKC", text)
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def compact(s: str) -> str:
    """The string without any whitespace: Chinese has none, extraction adds it."""
    return "".join(s.split())


def normal_form(s: str) -> str:
    """A short text (a title, a name) in the parser's normal form: simplified, NFKC."""
    return unicodedata.normalize("NFKC", _t2s().convert(s))
