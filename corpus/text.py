"""Japanese text for matching: normalisation and Sudachi tokens.

Only copies used for matching are normalised; displayed and cited text stays verbatim.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
CIRCLED_NUMBER = {ch: i + 1 for i, ch in enumerate(CIRCLED)}

# Kanji spelling variants that NFKC leaves apart but readers treat as one word.
_VARIANTS = str.maketrans({"靭": "靱", "嶋": "島", "邉": "辺", "邊": "辺", "澤": "沢", "洲": "州", "ヶ": "ケ"})
_PROTECT = str.maketrans({ch: f"\ue000{i}\ue001" for i, ch in enumerate(CIRCLED)})
_UNPROTECT = re.compile("\ue000(\\d+)\ue001")


def normalize(text: str) -> str:
    """NFKC + lower case + variant folding, with ①②③ kept as they are (NFKC would make them digits)."""
    folded = unicodedata.normalize("NFKC", text.translate(_PROTECT)).lower().translate(_VARIANTS)
    return _UNPROTECT.sub(lambda m: CIRCLED[int(m.group(1))], folded) if "\ue000" in folded else folded


def katakana(text: str) -> str:
    """Hiragana turned into katakana (readings from Sudachi are katakana)."""
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span [start, end) of `text` without white space at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def squash(text: str) -> str:
    """Normalised text without any white space, for substring matching across line breaks."""
    return re.sub(r"\s+", "", normalize(text))


@dataclass(frozen=True)
class Token:
    surface: str
    normalized: str
    pos: str  # 名詞, 助詞 …
    begin: int
    end: int
    kind: str = ""  # for proper nouns: 人名, 地名, 一般 (organisations and products) …
    reading: str = ""  # katakana


# Parts of speech that carry no searchable content.
_SKIP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}


class Tokenizer:
    """Sudachi (core dictionary). Mode C keeps compounds; search tokens add mode A parts too.

    A Sudachi tokenizer may not be used by two threads at once (the UI answers in worker threads),
    so each thread gets its own from the one shared dictionary."""

    def __init__(self) -> None:
        self._local = threading.local()

    @cached_property
    def _dictionary(self):
        from sudachipy import Dictionary

        return Dictionary(dict="core")

    @property
    def _sudachi(self):
        if not hasattr(self._local, "tokenizer"):
            self._local.tokenizer = self._dictionary.tokenizer()
        return self._local.tokenizer

    def tokens(self, text: str, fine: bool = False) -> list[Token]:
        from sudachipy import SplitMode

        mode = SplitMode.A if fine else SplitMode.C
        out = []
        for offset, piece in _pieces(text):
            for m in self._sudachi.tokenize(piece, mode):
                tags = m.part_of_speech()
                kind = tags[2] if tags[1] == "固有名詞" else ""
                out.append(Token(m.surface(), m.normalized_form(), tags[0], offset + m.begin(), offset + m.end(), kind,
                                 m.reading_form()))
        return out

    def search_terms(self, text: str) -> list[str]:
        """Tokens for BM25: normalised content words, compounds plus their parts."""
        norm = normalize(text)
        return content_terms(self.tokens(norm)) + content_terms(self.tokens(norm, fine=True))


# Sudachi refuses input over 49,149 bytes; longer text is tokenised in pieces of at most this many characters
# (4 bytes each at most), cut after a full stop or line break where there is one.
_PIECE = 12_000


def _pieces(text: str):
    """(offset, piece) of `text` in pieces Sudachi accepts."""
    start = 0
    while len(text) - start > _PIECE:
        window = text[start : start + _PIECE]
        cut = max(window.rfind("。"), window.rfind("\n"))
        end = start + (cut + 1 if cut > _PIECE // 2 else _PIECE)
        yield start, text[start:end]
        start = end
    yield start, text[start:]


def content_terms(tokens: list[Token]) -> list[str]:
    """The normalised content words among `tokens` (see `Tokenizer.search_terms`)."""
    return [normalize(t.surface) for t in tokens if t.pos not in _SKIP_POS and t.surface.strip()]


@lru_cache(maxsize=1)
def default_tokenizer() -> Tokenizer:
    """One shared Sudachi instance per process: loading the dictionary costs ~0.3 s."""
    return Tokenizer()
