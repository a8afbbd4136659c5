"""The deterministic check of a generated answer, sentence by sentence, before anything is shown.

A sentence passes when
  1. it carries at least one marker [n], and every marker names a passage the model was given;
  2. every figure (after `corpus.figures`: 1,000億円 = １０００億円), every known name (a plan's units and
     fields) and every proper noun or Latin-letter name in it occurs in the passages it cites;
  3. at least `min_overlap` of its content words (Sudachi: nouns, verbs, adjectives, minus light verbs and
     generic words) occur in those passages.
What it does not check: whether the sentence's claim follows from the words it shares with the passages
(「九州は造船を検討していない」 shares every word with a passage that says it does). See README.

Pure functions: the passages, the known names and the tokenizer are passed in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Collection, Iterable, Mapping, Sequence

from corpus.figures import canonical, figures
from corpus.text import Tokenizer, normalize, squash

# [1] or ［１］, possibly several: [1][2], [1, 2], [1,2]
MARKER = re.compile(r"[\[［]\s*([0-9０-９]+(?:\s*[,，、]\s*[0-9０-９]+)*)\s*[\]］]")
_STOP = "。！？!?"
_BULLET = re.compile(r"^\s*(?:[-*・●•]|\d+[.)．）])\s+")
_MARKDOWN = re.compile(r"\*\*|__|`|^#+\s*")
_LATIN = re.compile(r"[a-z][a-z0-9]+")
_KATAKANA = re.compile(r"[ァ-ヺ][ァ-ヺー]+")
CONTENT_POS = ("名詞", "動詞", "形容詞", "形状詞")


@dataclass(frozen=True)
class Sentence:
    text: str  # as written, without its markers and Markdown
    cites: tuple[int, ...]
    bullet: bool = False  # a list line (「- 九州：造船 [2]」)


@dataclass(frozen=True)
class Verdict:
    text: str
    cites: tuple[int, ...]
    ok: bool
    reason: str  # ok, no_marker, unknown_marker, figure, name, overlap
    missing: tuple[str, ...] = ()  # the markers, figures or names not found
    overlap: float = 0.0  # share of content words found in the cited passages
    bullet: bool = False

    def to_dict(self) -> dict:
        return {"text": self.text, "cites": list(self.cites), "ok": self.ok, "reason": self.reason,
                "missing": list(self.missing), "overlap": round(self.overlap, 3)}


def _numbers(group: str) -> tuple[int, ...]:
    return tuple(int(unicodedata.normalize("NFKC", x)) for x in re.findall(r"[0-9０-９]+", group))


def split(text: str) -> list[Sentence]:
    """Sentences of a reply: split at 。！？ and line ends; markers after a full stop belong to the sentence
    before it (「…です。[1]」)."""
    out: list[Sentence] = []
    for raw_line in text.splitlines():
        bullet = bool(_BULLET.match(raw_line))
        line = _MARKDOWN.sub("", _BULLET.sub("", raw_line)).strip()
        pieces: list[str] = []
        buf = ""
        i = 0
        while i < len(line):
            buf += line[i]
            if line[i] in _STOP:
                while i + 1 < len(line) and line[i + 1] in _STOP:
                    i += 1
                    buf += line[i]
                m = re.compile(rf"(?:\s*{MARKER.pattern})+").match(line, i + 1)
                if m:
                    buf += m.group(0)
                    i = m.end() - 1
                pieces.append(buf)
                buf = ""
            i += 1
        pieces.append(buf)
        for piece in pieces:
            cites = tuple(dict.fromkeys(n for g in MARKER.findall(piece) for n in _numbers(g)))
            plain = MARKER.sub("", piece).strip()
            plain = re.sub(r"\s+([。！？])", r"\1", plain)
            if plain.strip(_STOP + " 　"):
                out.append(Sentence(plain, cites, bullet))
    return out


def content_words(text: str, tokenizer: Tokenizer, ignore: Collection[str]) -> list[str]:
    """Nouns, verbs, adjectives of `text` (normalised form), without light verbs, generic words and numbers."""
    words = []
    for t in tokenizer.tokens(normalize(text)):
        if t.pos not in CONTENT_POS or not t.surface.strip():
            continue
        if t.surface in ignore or t.normalized in ignore or any(ch.isdigit() for ch in t.surface):
            continue
        if len(t.surface) == 1 and "ぁ" <= t.surface <= "ゖ":
            continue
        words.append(t.surface)
    return words


def _found(word: str, support: str) -> bool:
    w = squash(word)
    if w in support:
        return True
    # an inflected verb or adjective: its stem (取り組む → 取り組, 新しい → 新し)
    return len(w) >= 3 and w[-1] in "うくぐすつぬぶむるいた" and w[:-1] in support


Names = Callable[[str], Iterable[str]]  # normalised text → the known names (units, fields) written in it


def no_names(_: str) -> tuple[str, ...]:
    return ()


def names_in(text: str, tokenizer: Tokenizer, known: Names, ignore: Collection[str] = ()) -> list[str]:
    """Names a sentence states: known names (units, fields); words in Latin letters or katakana (names and terms
    of art a paraphrase takes from its passages: ラピダス, TSMC), unless generic; and Sudachi's proper nouns
    with the nouns compounded with them (旧門司税関: 門司 and 税関; 九州ブロック: 九州, ブロック being generic)."""
    norm = normalize(text)
    out = [n for n in known(norm) if len(n) >= 2]
    out += [w for w in (*_LATIN.findall(norm), *_KATAKANA.findall(norm)) if w not in ignore]
    run: list = []
    for t in [*tokenizer.tokens(norm), None]:
        if t is not None and t.pos == "名詞":
            run.append(t)
            continue
        if any(x.kind for x in run):
            out += [x.surface for x in run if len(x.surface) >= 2 and x.surface not in ignore and x.normalized not in ignore]
        run = []
    return list(dict.fromkeys(out))


Derived = Sequence[tuple[frozenset[int], str]]


def check(sentence: Sentence, passages: Mapping[int, str], tokenizer: Tokenizer, known: Names,
          ignore: Collection[str], min_overlap: float, derived: Derived = ()) -> Verdict:
    """One sentence against the passages (marker → the text it stands for) and the lines derived from them
    (the extractive answer's lines: used only when the sentence cites every marker a line rests on)."""
    s = sentence
    words = content_words(s.text, tokenizer, ignore)
    present = [n for n in s.cites if n in passages]
    cited = set(present)
    raw = " ".join([*(passages[n] for n in present), *(text for cites, text in derived if cites and cites <= cited)])
    support = squash(raw)
    found = sum(_found(w, support) for w in words)
    overlap = found / len(words) if words else 0.0

    def verdict(ok: bool, reason: str, missing=()) -> Verdict:
        return Verdict(s.text, s.cites, ok, reason, tuple(missing), overlap, s.bullet)

    if not s.cites:
        return verdict(False, "no_marker")
    unknown = [f"[{n}]" for n in s.cites if n not in passages]
    if unknown:
        return verdict(False, "unknown_marker", unknown)
    shaped = re.sub(r"\s+", "", canonical(raw))
    missing_figures = [normalize(s.text)[f.start:f.end] + f.unit for f in figures(s.text)
                       if re.sub(r"\s+", "", f.key) not in shaped]
    if missing_figures:
        return verdict(False, "figure", missing_figures)
    missing_names = [n for n in names_in(s.text, tokenizer, known, ignore) if squash(n) not in support]
    if missing_names:
        return verdict(False, "name", missing_names)
    if overlap < min_overlap:
        return verdict(False, "overlap")
    return verdict(True, "ok")


def verify(text: str, passages: Mapping[int, str], tokenizer: Tokenizer, known: Names = no_names,
           ignore: Collection[str] = (), min_overlap: float = 0.5, derived: Derived = ()) -> list[Verdict]:
    """Every sentence of a reply, checked."""
    return [check(s, passages, tokenizer, known, ignore, min_overlap, derived) for s in split(text)]
