"""The parser's normal form: its fast NFKC must be NFKC exactly, and the source script is
named by the share of Han characters that the conversion changes."""

import json
import os
import random
import re
import subprocess
import unicodedata
from collections import Counter
from operator import ne
from pathlib import Path

import opencc
import pytest

from parsers import normalize
from parsers.normalize import (
    _PHRASE_ONLY,
    NFKC_TABLE_FROM,
    _differing,
    _simplified_table,
    _through_unless_missing,
    nfkc,
    normal_lines,
    simplified_lines,
    to_simplified,
)

# Characters a report's text holds, and those where NFKC composes across characters or
# reaches beyond the BMP, which the fast path hands to the full normalization.
CASES = [
    "二〇二三年度（第1号）：１２３，４５６。",  # full-width digits and punctuation
    "㈠ 主动公开 ① Ⅱ ﬁ \u3000全角空格",  # compatibility forms
    "e\u0301 A\u030a \u1100\u1161",  # composes across characters (é, Å, a Hangul syllable)
    "\U0002f800 \U0001d400 \U00020000",  # beyond the BMP: compatibility ideograph, math bold A
    "\u0301 leading combining mark",
    "plain ASCII text 123",
    "",
]


def _long(text: str) -> str:
    """The text repeated to document length, where the fast path reads it."""
    return text * (NFKC_TABLE_FROM // max(len(text), 1) + 1) if text else text


@pytest.mark.parametrize("text", CASES)
def test_nfkc_equals_the_standard_normalization(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)
    assert nfkc(_long(text)) == unicodedata.normalize("NFKC", _long(text))


def test_nfkc_equals_the_standard_normalization_on_random_mixtures() -> None:
    rng = random.Random(15)
    pools = [(0x20, 0x80), (0x80, 0x3000), (0x300, 0x370), (0x3000, 0xD800), (0xF900, 0x10000)]
    pools.append((0x10000, 0x30000))
    for _ in range(500):
        pieces = ["".join(chr(rng.randrange(*rng.choice(pools))) for _ in range(12))]
        while len("".join(pieces)) < NFKC_TABLE_FROM:
            pieces.append("".join(chr(rng.randrange(*rng.choice(pools))) for _ in range(12)))
        text = "".join(pieces)
        assert nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text[:80])


def test_nfkc_equals_the_standard_normalization_on_report_like_text() -> None:
    """Han, full-width forms, CJK punctuation, circled and enclosed numbers, ASCII: what
    the one regex pass answers without the full normalization."""
    rng = random.Random(16)
    pools = [(0x4E00, 0xA000), (0xFF01, 0xFF5F), (0x3000, 0x3040), (0x2460, 0x2500)]
    pools += [(0x3200, 0x3300), (0x20, 0x7F)]
    for _ in range(200):
        n = rng.randint(NFKC_TABLE_FROM, 3 * NFKC_TABLE_FROM)
        text = "".join(chr(rng.randrange(*rng.choice(pools))) for _ in range(n))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text[:80])


def _script_by_definition(text: str) -> str:
    """Traditional when t2s changes more than 5 % of the Han characters, counted whole."""
    converted = opencc.OpenCC("t2s").convert(text)
    han = len(re.findall("[\u4e00-\u9fff]", text))
    if converted == text or not han:
        return "simplified"
    if len(converted) == len(text):
        changed = sum(map(ne, text, converted))
    else:
        changed = sum((Counter(text) - Counter(converted)).values())
    return "traditional" if changed / han > 0.05 else "simplified"


def test_the_script_is_the_share_of_han_characters_changed() -> None:
    """Near the mark and far from it, with few or many characters that are not Han (the
    share of all characters decides early only when it is past the mark already)."""
    rng = random.Random(17)
    simplified, traditional = "政府信息公开工作年度报告本机关申请", "後於裡發覆徵獲圖館這"
    other = "0123456789 ,.()\t\n年月日"
    seen = Counter()
    for _ in range(400):
        changed_share = rng.choice([0.0, 0.02, 0.045, 0.05, 0.055, 0.08, 0.3])
        other_share = rng.choice([0.0, 0.3, 0.9])
        n = rng.randint(20, 3000)
        text = "".join(
            rng.choice(other)
            if rng.random() < other_share
            else rng.choice(traditional if rng.random() < changed_share else simplified)
            for _ in range(n)
        )
        if rng.random() < 0.2:
            text += "深沈答覆"  # phrases t2s converts whole
        converted, script = to_simplified(text)
        assert converted == opencc.OpenCC("t2s").convert(text)
        assert script == _script_by_definition(text), text[:60]
        seen[script] += 1
    assert min(seen["simplified"], seen["traditional"]) > 50


def test_normal_lines_are_the_cleanup_then_nfkc_then_lines() -> None:
    """Invisible characters removed and box verticals made |, then NFKC, then lines: the
    same whether one pass finds both kinds of character or not, short or long, with a
    combining mark that meets its base only once an invisible character between them goes."""
    cleanup = str.maketrans({**dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad"), "│": "|"})
    rng = random.Random(18)
    pieces = ["政府信息", "１２３", "（一）", "\u200b", "\u00ad", "│", "┃", "║", "\ufeff", "e"]
    pieces += ["\u0301", "\r\n", "\r", "\n", "\t", "\u3000", "①", "abc 12"]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 150)))
        expected = (
            unicodedata.normalize(
                "NFKC", text.translate(cleanup).replace("┃", "|").replace("║", "|")
            )
            .replace("\r\n", "\n")
            .replace("\r", "\n")
            .split("\n")
        )
        assert normal_lines(text) == expected, ascii(text[:80])


def _t2s_dictionary(tmp_path: Path) -> dict[str, str]:
    """Every key of the dictionaries OpenCC's t2s reads, with its first value, dumped to
    text by the opencc_dict tool its package ships."""
    clib = Path(opencc.__file__).parent / "clib"
    config = json.loads((clib / "share" / "opencc" / "t2s.json").read_text())
    files = [d["dict"]["file"] for d in config["normalization"]]
    for step in config["conversion_chain"]:
        files += [d["file"] for d in step["dict"]["dicts"]]
    entries: dict[str, str] = {}
    env = {**os.environ, "LD_LIBRARY_PATH": str(clib / "lib64")}
    for name in files:
        out = tmp_path / f"{name}.txt"
        source = clib / "share" / "opencc" / name
        command = [clib / "bin" / "opencc_dict", "-i", source, "-o", out, "-f", "ocd2"]
        subprocess.run([*command, "-t", "text"], check=True, env=env)
        for line in out.read_text(encoding="utf-8").splitlines():
            key, values = line.split("\t")
            entries.setdefault(key, values.split(" ")[0])
    return entries


def test_every_entry_that_t2s_applies_holds_a_character_the_search_finds(tmp_path) -> None:
    """A text in which the search finds nothing is not converted: that is right only if
    every key whose conversion changes something holds a character the search finds (a
    character changed alone, one of the phrase-only characters, or one beyond the BMP)."""
    entries = _t2s_dictionary(tmp_path)
    assert len(entries) > 5000  # the characters and the phrases
    pattern = _simplified_table()[0]
    missed = [k for k, v in entries.items() if v != k and not pattern.search(k)]
    assert missed == []
    # The phrase-only characters are each needed.
    for ch in _PHRASE_ONLY:
        assert opencc.OpenCC("t2s").convert(ch) == ch
        assert any(ch in k and v != k for k, v in entries.items())


def test_the_search_stops_at_a_character_t2s_may_change() -> None:
    text = _long("政府信息公开工作年度报告 本机关 2024年 收到申请12件，（一）１２。")
    normal = _through_unless_missing(text, *_simplified_table())
    assert normal == unicodedata.normalize("NFKC", text)
    for ch in "發沈\U0002f800\uf902":  # alone, inside a phrase, beyond the BMP, both kinds
        assert _through_unless_missing(text + ch, *_simplified_table()) is None
    # One that only NFKC's replacement brings: ⾨ (a radical) becomes 門.
    assert _through_unless_missing(text + "⾨", *_simplified_table()) is None


def test_differing_characters_are_counted_as_one_by_one() -> None:
    """Han, ASCII, NUL and characters beyond the BMP: every bit of a character counts."""
    rng = random.Random(20)
    pools = [(0x20, 0x7F), (0x4E00, 0xA000), (0x10000, 0x30000), (0, 1), (0x10FFFF, 0x110000)]
    for _ in range(500):
        a = "".join(chr(rng.randrange(*rng.choice(pools))) for _ in range(rng.randint(0, 300)))
        b = "".join(
            ch if rng.random() < 0.7 else chr(rng.randrange(*rng.choice(pools))) for ch in a
        )
        assert _differing(a, b) == sum(map(ne, a, b))


@pytest.mark.parametrize("warm", [False, True], ids=["before the tables", "with them"])
def test_simplified_lines_are_normal_lines_of_the_simplified_text(warm, monkeypatch) -> None:
    """One search for both kinds of character gives what converting, then normalizing,
    gives: with characters t2s changes, ones NFKC turns into such characters (⾨ → 門),
    compatibility ideographs (both), invisible characters and characters beyond the BMP.
    So does a process that has not yet built the tables the search needs."""
    monkeypatch.setattr(normalize, "SKIP_TABLES_AFTER", 0 if warm else 10**9)
    rng = random.Random(21)
    plain = ["政府信息公开", "年度报告", "，", "（一）", "１２", "\u3000", "\u200b", "│", "①"]
    plain += ["e\u0301", "\r\n", "\n", "\t", "ASCII 12 ", "㈠"]
    changing = ["發", "後", "深沈", "⾨", "\uf902", "\U00020000"]
    found = Counter()
    for _ in range(400):
        some = [p for p in plain if rng.random() < 0.5] + [
            p for p in changing if rng.random() < 0.2
        ]
        some = some or plain[:1]
        n = rng.choice([rng.randint(0, 60), rng.randint(60, 400)])
        text = "".join(rng.choices(some, k=n))
        converted, script = to_simplified(text)
        assert simplified_lines(text) == (normal_lines(converted), script), ascii(text[:80])
        found[converted == text] += 1
    assert min(found.values()) > 50  # both: texts t2s leaves alone and texts it changes
