"""The parser's normal form: its fast NFKC must be NFKC exactly."""

import random
import unicodedata

import pytest

from parsers.normalize import NFKC_TABLE_FROM, nfkc

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
