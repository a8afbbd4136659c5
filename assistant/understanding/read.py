"""A question read once: its normalised text, its Sudachi words and their boundaries.

Everything downstream matches against `norm` (NFKC, lower case, variant folding, English policy terms
translated, unconverted kana turned into the documents' words) and never re-tokenises it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from corpus.text import Token, Tokenizer, normalize, squash
from assistant.lexicon import Lexicon
from assistant.readings import ReadingIndex


@dataclass(frozen=True)
class Question:
    raw: str
    norm: str
    tokens: tuple[Token, ...]

    @cached_property
    def squashed(self) -> str:
        return squash(self.norm)

    @cached_property
    def bounds(self) -> frozenset[int]:
        """Word boundaries (Sudachi, mode C): a place or unit name must start and end on one."""
        return frozenset(x for t in self.tokens for x in (t.begin, t.end))

    def following(self, token: Token) -> str:
        """The surface of the word after `token` ("" at the end)."""
        for a, b in zip(self.tokens, self.tokens[1:]):
            if a is token:
                return b.surface
        return ""

    @cached_property
    def quoted(self) -> tuple[str, ...]:
        return tuple(re.findall(r"[「『\"](.+?)[」』\"]", self.norm))


def _translate(text: str, lexicon: Lexicon) -> str:
    return lexicon.glossary_re.sub(lambda m: lexicon.glossary[m.group(0)], text) if lexicon.glossary else text


def read_question(raw: str, tokenizer: Tokenizer, lexicon: Lexicon, readings: ReadingIndex | None = None) -> Question:
    norm = _translate(normalize(raw), lexicon).strip()
    if readings is not None:
        norm = normalize(readings.convert(norm))
    return Question(raw=raw, norm=norm, tokens=tuple(tokenizer.tokens(norm)))
