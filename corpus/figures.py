"""Figures in Japanese text, read into one comparable form.

「1,000億円」「１０００億円」「1000 億円」 and 「1千億円」 are the same amount: each is rewritten as
`⟨100000000000⟩円`. A figure is a run of Arabic numerals (full-width ones after NFKC, with thousands commas
and a decimal part) and the multipliers that follow it (千 万 億 兆; 「1億5000万」 summed, 「1千億」 multiplied). Kanji numerals and
circled numbers (①②, list markers) are left alone. Pure functions, no state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from corpus.text import normalize

MULTIPLIERS = {"千": 10**3, "万": 10**4, "億": 10**8, "兆": 10**12}
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
# one figure: numbers each followed by a multiplier (「1億5000万」), then perhaps a last bare number (「1万5000」)
_FIGURE = re.compile(rf"(?<![\d.,])(?:{_NUM}\s?[千万億兆]+(?:\s?(?={_NUM}))?)+(?:{_NUM})?|(?<![\d.,]){_NUM}")
_PART = re.compile(rf"({_NUM})\s?([千万億兆]*)")
OPEN, CLOSE = "⟨", "⟩"


@dataclass(frozen=True)
class Figure:
    value: str  # the canonical number (no exponent, no trailing zeros after a point)
    unit: str  # what follows it when that is a counter-like character (円, 年, %, ブ of ブロック …), else ""
    start: int  # offsets in the normalised text
    end: int

    @property
    def key(self) -> str:
        """What must occur in a passage's canonical text for the figure to be found there."""
        return f"{OPEN}{self.value}{CLOSE}{self.unit}"


def _value(text: str) -> str | None:
    total = Decimal(0)
    for m in _PART.finditer(text):
        try:
            number = Decimal(m.group(1).replace(",", ""))
        except InvalidOperation:
            return None
        for ch in m.group(2):  # 「1千億」: 千 × 億
            number *= MULTIPLIERS[ch]
        total += number
    return format(total.normalize(), "f")


def _counter(ch: str) -> bool:
    """A character that can count what a figure measures: not kana particles, punctuation or brackets."""
    if not ch or ch.isspace():
        return False
    if "ぁ" <= ch <= "ゖ":  # hiragana: 「3つ」「2030年までに」 after the counter, particles
        return False
    return ch.isalpha() or ch in "%‰℃㎡㎞"


def figures(text: str) -> list[Figure]:
    """The figures of `text` (normalised first, as the extractive path matches text)."""
    norm = normalize(text)
    out = []
    for m in _FIGURE.finditer(norm):
        value = _value(m.group(0))
        if value is None:
            continue
        end = m.end()
        rest = norm[end:].lstrip(" ")
        unit = rest[:1] if _counter(rest[:1]) else ""
        out.append(Figure(value, unit, m.start(), end))
    return out


def canonical(text: str) -> str:
    """`text` normalised, every figure written as ⟨value⟩ and white space after it dropped (「12 万人」 →
    「⟨120000⟩人」), for substring checks."""
    norm = normalize(text)
    parts, last = [], 0
    for f in figures(norm):
        parts.append(norm[last : f.start])
        parts.append(f"{OPEN}{f.value}{CLOSE}")
        last = f.end
        while last < len(norm) and norm[last] == " ":
            last += 1
    parts.append(norm[last:])
    return "".join(parts)
