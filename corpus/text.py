"""Japanese text for matching: normalisation and Sudachi tokens.

Only copies used for matching are normalised; displayed and cited text stays verbatim.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
CIRCLED_NUMBER = {ch: i + 1 for i, ch in enumerate(CIRCLED)}

# Kanji spelling variants that NFKC leaves apart but readers treat as one word.
_VARIANTS = str.maketrans({"靭": "靱", "嶋": "島", "邉": "辺", "邊": "辺", "澤": "沢", "洲": "州", "ヶ": "ケ"})
_PROTECT = {ch: f"\ue000{i}\ue001" for i, ch in enumerate(CIRCLED)}
_UNPROTECT = re.compile("\ue000(\\d+)\ue001")


def normalize(text: str) -> str:
    """NFKC + lower case + variant folding, with ①②③ kept as they are (NFKC would make them digits)."""
    protected = "".join(_PROTECT.get(ch, ch) for ch in text)
    folded = unicodedata.normalize("NFKC", protected).lower().translate(_VARIANTS)
    return _UNPROTECT.sub(lambda m: CIRCLED[int(m.group(1))], folded)


def squash(text: str) -> str:
    """Normalised text without any white space, for substring matching across line breaks."""
    return re.sub(r"\s+", "", normalize(text))


@dataclass(frozen=True)
class Token:
    surface: str
    normalized: str
    pos: str
    begin: int
    end: int


# Parts of speech that carry no searchable content.
_SKIP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}


class Tokenizer:
    """Sudachi (core dictionary). Mode C keeps compounds; search tokens add mode A parts too."""

    @cached_property
    def _sudachi(self):
        from sudachipy import Dictionary

        return Dictionary(dict="core").tokenizer()

    def tokens(self, text: str, fine: bool = False) -> list[Token]:
        from sudachipy import SplitMode

        mode = SplitMode.A if fine else SplitMode.C
        out = []
        for m in self._sudachi.tokenize(text, mode):
            out.append(Token(m.surface(), m.normalized_form(), m.part_of_speech()[0], m.begin(), m.end()))
        return out

    def search_terms(self, text: str) -> list[str]:
        """Tokens for BM25: normalised content words, compounds plus their parts."""
        norm = normalize(text)
        terms: list[str] = []
        for fine in (False, True):
            for t in self.tokens(norm, fine=fine):
                if t.pos in _SKIP_POS or not t.surface.strip():
                    continue
                terms.append(normalize(t.surface))
        return terms


@lru_cache(maxsize=1)
def default_tokenizer() -> Tokenizer:
    """One shared Sudachi instance per process: loading the dictionary costs ~0.3 s."""
    return Tokenizer()
