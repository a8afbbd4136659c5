"""Words the documents never use, read as the documents' own wording in the passages the search found:
a katakana word spelt otherwise (a long vowel or a small kana apart), a word with a one-character
typing slip, an abbreviation, or one kanji standing for the documents' longer word (島 for 島しょ). Only the passages found are read,
so a reading is what retrieval (dense meaning and BM25) already brought up, checked by spelling; the
answer says how each word was read.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

from corpus.text import normalize, squash
from index.search import Hit
from assistant.knowledge import Knowledge
from assistant.understanding.model import Entities
from assistant.understanding.words import noun_runs

# Passages of this many first hits are read for the documents' wording.
READ_HITS = 3
# A katakana word is another spelling of a passage's word when at most this share of its letters differ.
MAX_EDIT_SHARE = 0.3

_KATAKANA = re.compile(r"[ァ-ヺー]{3,}")
_IS_KATAKANA = re.compile(r"[ァ-ヺー]+")
_KANJI = re.compile(r"[一-龥々〆ヵヶ]")
# A term of the documents: a run of kanji and katakana.
_TERM = re.compile(r"[一-龥々〆ヵヶァ-ヺー]{2,}")


def read_unknown(e: Entities, hits: Sequence[Hit], kb: Knowledge) -> Entities:
    """`e` with the unknown words that the passages found write otherwise read as those words (topics now),
    and a note for each reading."""
    lone = _lone_kanji(e, kb)
    if not e.unknown_terms and not lone:
        return e
    chunks = [kb.plan.chunks[h.chunk_id] for h in hits[:READ_HITS] if h.chunk_id in kb.plan.chunks]
    text = "\n".join(normalize(c.text) for c in chunks)
    if not text:
        return e
    readings: dict[str, str] = {}
    for word in (*e.unknown_subjects, *e.unknown_compounds, *e.unknown_terms):  # a compound first: デマンド+レスポンス is one word
        if any(word in w for w in readings):
            continue
        found = _katakana_variant(word, text) or _slip(word, text) or _abbreviation(word, text, kb)
        if found:
            readings[word] = found
    for word in lone:
        if found := _longer_word(word, text, kb):
            readings[word] = found
    if not readings:
        return e
    read = lambda w: any(w in k for k in readings)  # noqa: E731 - a term read as part of its compound too
    return replace(
        e,
        unknown_terms=tuple(w for w in e.unknown_terms if not read(w)),
        unknown_names=tuple(w for w in e.unknown_names if not read(w)),
        unknown_compounds=tuple(w for w in e.unknown_compounds if not read(w)),
        unknown_subjects=tuple(w for w in e.unknown_subjects if not read(w)),
        unknown_focus=tuple(w for w in e.unknown_focus if not read(w)),
        topics=tuple(dict.fromkeys((*e.topics, *readings.values()))),
        readings=tuple(dict.fromkeys(readings.values())),
        notes=(*e.notes, *(f"{w}→{r}" for w, r in readings.items())),
    )


def _lone_kanji(e: Entities, kb: Knowledge) -> list[str]:
    """One-kanji nouns standing alone in the question (「島のほうが」) that no passage has as a word of its own:
    the documents write them longer (島しょ). A name's or field's character is not one."""
    names = "".join((*e.units, *e.fields))
    return [t.surface for run in noun_runs(e.question) if len(run) == 1 for t in run
            if len(t.surface) == 1 and _KANJI.fullmatch(t.surface) and t.pos == "名詞" and not t.kind
            and t.surface not in names and t.surface not in kb.lexicon.generic and t.surface not in kb.lexical.known]


def _longer_word(word: str, text: str, kb: Knowledge) -> str:
    """The passages' most frequent word that a one-kanji word of the question begins (島 → 島しょ): the
    question says it short; not a name (島根 is a place)."""
    counts: dict[str, int] = {}
    for t in kb.tokenizer.tokens(text):
        if len(t.surface) > 1 and t.surface.startswith(word) and t.pos == "名詞" and not t.kind:
            counts[t.surface] = counts.get(t.surface, 0) + 1
    return max(counts, key=lambda w: (counts[w], -len(w)), default="")


def _edits(a: str, b: str) -> int:
    """Levenshtein distance."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _katakana_variant(word: str, text: str) -> str:
    """The passages' katakana word that spells `word` with few letters apart (デマンド/ディマンド)."""
    w = squash(word)
    if len(w) < 3 or not _IS_KATAKANA.fullmatch(w):
        return ""
    best = min(((_edits(w, k), k) for k in set(_KATAKANA.findall(text)) if abs(len(k) - len(w)) <= 3),
               default=(len(w), ""))
    return best[1] if best[1] and best[0] <= MAX_EDIT_SHARE * max(len(w), len(best[1])) else ""


def _abbreviation(word: str, text: str, kb: Knowledge) -> str:
    """The passages' term that the word shortens by taking the start of each of its words (再エネ of
    再生可能エネルギー, 就活 of 就職活動): two pieces or more, each the beginning of a word of the term, in order."""
    w = squash(word)
    if len(w) < 2 or not _TERM.fullmatch(w):
        return ""
    for term in dict.fromkeys(m.group(0) for m in _TERM.finditer(text)):
        if term[0] != w[0] or len(term) <= len(w) or w[-1] not in term:
            continue
        starts = sorted({t.begin for t in kb.tokenizer.tokens(term, fine=True)})
        if _pieces(w, term, starts, 0, 0):
            return term
    return ""


def _pieces(w: str, term: str, starts: list[int], i: int, used: int) -> bool:
    """Whether w[i:] is the beginnings of words of `term` after position `used`, two pieces at least in all."""
    if i == len(w):
        return used >= 2
    for s in (s for s in starts if s >= (0 if used == 0 else 1) and (used == 0) == (s == 0)):
        n = 0
        while i + n < len(w) and s + n < len(term) and w[i + n] == term[s + n]:
            n += 1
            if _pieces(w, term, [x for x in starts if x > s + n - 1], i + n, used + 1):
                return True
    return False


def _slip(word: str, text: str) -> str:
    """The passages' word one character away from `word` (a typing slip: 実証実権 for 実証実験): three or more
    characters, the same length, the same first character, the character changed not kana."""
    w = squash(word)
    if len(w) < 3:
        return ""
    for start in (m.start() for m in re.finditer(re.escape(w[0]), text)):
        cand = text[start : start + len(w)]
        diff = [i for i in range(len(w)) if i < len(cand) and cand[i] != w[i]]
        if len(cand) == len(w) and len(diff) == 1 and _KANJI.match(cand[diff[0]]) and _KANJI.match(w[diff[0]]):
            return cand
    return ""
