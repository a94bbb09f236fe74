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
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_BLOCK = 512  # characters compared at once when counting what t2s changed
# Invisible characters go; box-drawing verticals that some extractors print between
# table cells become the | that the tokenizer splits on.
_CLEANUP = {
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
    "│": "|",
    "┃": "|",
    "║": "|",
}
_CLEANUP_TRANSLATION = str.maketrans(_CLEANUP)


# Characters t2s changes only inside a phrase of its dictionary (深沈 → 深沉, 瞭解 → 了解),
# never alone; tests/parsers/test_normalize.py checks them against OpenCC's dictionaries.
_PHRASE_ONLY = "哩坏沈甦瞭藉衹覆"
# The blocks of the BMP where t2s's dictionaries have keys (the same test checks it).
_T2S_BLOCKS: tuple[tuple[int, int], ...] = ((0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3400, 0x4DBF))
_T2S_BLOCKS += ((0x4E00, 0x9FFF), (0xF900, 0xFAFF))
# Skipping the conversion needs tables that take some 40 ms to build (OpenCC asked about
# every character, a regex of the characters compiled) and save some 40 µs a document: a
# process builds them once it has prepared this many documents. Until then each is
# converted, the same text either way.
SKIP_TABLES_AFTER = 300


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _convertible_chars() -> frozenset[str]:
    """The characters of the BMP that t2s may change: those it changes alone (asked of
    OpenCC itself, 15 ms once) and those it changes inside a phrase."""
    chars = "".join(chr(c) for start, end in _T2S_BLOCKS for c in range(start, end + 1))
    alone = _t2s().convert("\n".join(chars)).split("\n")
    changed = {c for c, s in zip(chars, alone, strict=True) if s != c}
    return frozenset(changed | set(_PHRASE_ONLY))


def _class_ranges(chars: set[str]) -> str:
    """The characters as the ranges of a regex character class."""
    codes = sorted(map(ord, chars))
    ranges, start, prev = [], codes[0], codes[0]
    for code in [*codes[1:], -1]:
        if code != prev + 1:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
            start = code
        prev = code
    return "".join(ranges)


def to_simplified(text: str) -> tuple[str, str]:
    """Convert to simplified script; return the text and the source script's name."""
    converted = _t2s().convert(text)
    if converted == text or not _HAN.search(text):
        return converted, "simplified"
    # The share of Han characters changed decides. Counting Han characters costs more than
    # the conversion, so a share of all characters past the mark decides first: Han
    # characters are fewer, so their share is larger still.
    enough = _TRADITIONAL_SHARE * len(text)
    if (changed := _changed(text, converted, enough)) > enough:
        return converted, "traditional"
    han = len(_NOT_HAN.sub("", text))
    return converted, "traditional" if changed / han > _TRADITIONAL_SHARE else "simplified"


def _changed(text: str, converted: str, enough: float) -> int:
    """How many characters the conversion changed; counting may stop once past ``enough``."""
    if len(converted) != len(text):
        # A phrase conversion changed the length: count characters that went away.
        return sum((Counter(text) - Counter(converted)).values())
    changed = 0
    for at in range(0, len(text), _BLOCK):  # a block at a time, equal blocks skipped
        a, b = text[at : at + _BLOCK], converted[at : at + _BLOCK]
        if a != b:
            changed += _differing(a, b)
            if changed > enough:
                break
    return changed


def _differing(a: str, b: str) -> int:
    """The positions where two strings of one length differ, counted on integers: each
    character is 32 bits of the XOR of their UTF-32 forms, folded onto its lowest bit.
    Comparing characters one by one makes a string of each: four times the time."""
    x = int.from_bytes(a.encode("utf-32-le"), "little")
    x ^= int.from_bytes(b.encode("utf-32-le"), "little")
    for shift in (16, 8, 4, 2, 1):  # a character's bits never reach the next one's lowest
        x |= x >> shift
    return (x & _lowest_bits(len(a))).bit_count()


@lru_cache(maxsize=4)
def _lowest_bits(n: int) -> int:
    """The lowest bit of each of ``n`` 32-bit characters."""
    return int.from_bytes(b"\x01\0\0\0" * n, "little")


# Texts this long or longer are normalized through the table (see nfkc): a document's
# text, never a title, a name or a search term.
NFKC_TABLE_FROM = 200


@lru_cache(maxsize=1)
def _nfkc_table() -> tuple[re.Pattern[str], dict[str, str]]:
    """The characters of the BMP that NFKC changes, each with its normal form."""
    table = {}
    for code in range(0x80, 0x10000):
        ch = chr(code)
        if not 0xD800 <= code < 0xE000 and (form := unicodedata.normalize("NFKC", ch)) != ch:
            table[ch] = form
    return re.compile("[" + _class_ranges(set(table)) + "]"), table


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, ten times faster on Chinese text.

    Each changed character is replaced by its own normal form (found in one regex pass,
    replaced one distinct character at a time: a normal form holds no character NFKC
    changes, so no replacement feeds another). That string has the same NFKC as the
    original (the pieces decompose alike), so it is the answer when it is already normal.
    What composes across characters, or lies beyond the BMP, fails that check and gets
    the full normalization. Short texts (titles, names, a search term) get it directly:
    the table takes 20 ms to build, worth it for documents."""
    if text.isascii():
        return text
    if len(text) < NFKC_TABLE_FROM:
        return unicodedata.normalize("NFKC", text)
    return _through(text, *_nfkc_table())


def _through(text: str, pattern: re.Pattern[str], table: dict[str, str]) -> str:
    """The text's characters that ``pattern`` finds replaced by ``table``, then NFKC (see
    nfkc). The pattern finds only the table's characters."""
    normal = _through_unless_missing(text, pattern, table)
    assert normal is not None, "the pattern finds a character the table lacks"
    return normal


def _through_unless_missing(
    text: str, pattern: re.Pattern[str], table: dict[str, str]
) -> str | None:
    """_through, or None at the first character found that ``table`` lacks (see
    _simplified_table)."""
    m = pattern.search(text)
    while m:  # one distinct character at a time; none is left before where it was found
        if (form := table.get(ch := m.group())) is None:
            return None
        text = text.replace(ch, form)
        m = pattern.search(text, m.start())
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=1)
def _normal_table() -> tuple[re.Pattern[str], dict[str, str]]:
    """The NFKC table with the cleanup's characters: one pass finds both. A cleanup
    replacement comes first, as if the cleanup ran before NFKC."""
    table = {**_nfkc_table()[1], **_CLEANUP}
    return re.compile("[" + _class_ranges(set(table)) + "]"), table


def normal_lines(text: str) -> list[str]:
    """NFKC lines: full-width digits, brackets and spaces become ASCII, CR/LF become LF;
    invisible characters go."""
    if len(text) < NFKC_TABLE_FROM:
        text = unicodedata.normalize("NFKC", text.translate(_CLEANUP_TRANSLATION))
    elif not text.isascii():
        text = _through(text, *_normal_table())
    return _lines(text)


def _lines(text: str) -> list[str]:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


_prepared = 0  # documents this process has prepared, up to SKIP_TABLES_AFTER


def simplified_lines(text: str) -> tuple[list[str], str]:
    """``normal_lines(to_simplified(text))``, and the source script's name. Once the
    process has prepared SKIP_TABLES_AFTER documents, one search of a document's text
    finds both what NFKC and the cleanup change and whether t2s may change anything: a
    simplified report is not converted."""
    global _prepared
    if _prepared < SKIP_TABLES_AFTER:
        _prepared += 1
    elif len(text) >= NFKC_TABLE_FROM and not text.isascii():
        normal = _through_unless_missing(text, *_simplified_table())
        if normal is not None:
            return _lines(normal), "simplified"
    simplified, script = to_simplified(text)
    return normal_lines(simplified), script


@lru_cache(maxsize=1)
def _simplified_table() -> tuple[re.Pattern[str], dict[str, str]]:
    """The characters of the normal form's table and those t2s may change, in one class;
    the table without the latter, so that the search stops at one t2s may change (in the
    text, or put there by a replacement) or at one beyond the BMP."""
    table = _normal_table()[1]
    convertible = _convertible_chars()
    union = _class_ranges(set(table) | convertible)
    keep = {ch: form for ch, form in table.items() if ch not in convertible}
    return re.compile("[" + union + "\U00010000-\U0010ffff]"), keep


def compact(s: str) -> str:
    """The string without any whitespace: Chinese has none, extraction adds it."""
    return "".join(s.split())


def normal_form(s: str) -> str:
    """A short text (a title, a name) in the parser's normal form: simplified, NFKC."""
    return nfkc(_t2s().convert(s))
