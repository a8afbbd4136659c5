"""The question's words as Sudachi cut them: compound nouns, noun phrases, the focus of the question."""

from __future__ import annotations

import re

from corpus.text import Token
from assistant.understanding.read import Question

CONTENT_POS = ("名詞", "形状詞")
NOUNISH = (*CONTENT_POS, "接頭辞", "接尾辞")
FOCUS_PARTICLES = {"は", "が", "って", "とは", "について", "には", "って何"}


def noun_runs(q: Question) -> list[list[Token]]:
    """Compound nouns of the question (runs of nouns, prefixes, suffixes and ・)."""
    runs: list[list[Token]] = []
    run: list[Token] = []
    for t in [*q.tokens, None]:
        if t is not None and (t.pos in NOUNISH or t.surface == "・") and t.surface.strip():
            if run and t.begin != run[-1].end:
                runs.append(run)
                run = []
            run.append(t)
            continue
        if run:
            runs.append(run)
            run = []
    return runs


def core_of(run: list[Token], lexicon) -> list[Token]:
    """A noun run without generic words or non-content words at either end (「防災分野の」 → 防災)."""
    core = list(run)
    while core and (core[0].surface in lexicon.generic or core[0].pos not in CONTENT_POS):
        core.pop(0)
    while core and (core[-1].surface in lexicon.generic or core[-1].pos not in CONTENT_POS):
        core.pop()
    return core


def noun_phrases(q: Question, lexicon) -> list[str]:
    """The question's compound nouns without generic words at either end (「防災分野の」 → 防災)."""
    return [q.norm[core[0].begin : core[-1].end] for run in noun_runs(q) if (core := core_of(run, lexicon))]


def in_compound(q: Question, pos: int) -> bool:
    """Whether the one-character word at `pos` is joined to a neighbouring noun (クルーズ船), as opposed to
    standing alone or in a list (食や観光, 食・観光)."""
    for t in q.tokens:
        touching = t.end == pos or t.begin == pos + 1
        if touching and t.pos in NOUNISH and t.surface not in ("・", "、"):
            return True
    return False


def focus(q: Question) -> list[Token]:
    """The noun phrase the question is about: the nouns before its first topic particle (は, が, とは), with
    the nouns they are joined to by の (「審議会の名前は」 → 審議会, 名前)."""
    tokens = list(q.tokens)
    for k, t in enumerate(tokens):
        if t.surface not in FOCUS_PARTICLES or k == 0 or tokens[k - 1].pos not in NOUNISH:
            continue
        out: list[Token] = []
        j = k - 1
        while j >= 0:
            if tokens[j].pos in NOUNISH:
                out.insert(0, tokens[j])
                j -= 1
            elif tokens[j].surface == "の" and j > 0 and tokens[j - 1].pos in NOUNISH:
                j -= 1
            else:
                break
        return out
    return []


def runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(first, last) index of every run of True."""
    out, start = [], None
    for i, f in enumerate([*flags, False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i - 1))
            start = None
    return out


def is_kana_word(text: str) -> bool:
    return bool(re.fullmatch(r"[ぁ-ゖー]+", text))
