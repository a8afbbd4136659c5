"""Where a passage holds the kind of information a question asks for (a time, a name, a place, an
amount): the pieces of the passage, by the kind's pattern, its words (on word boundaries: 近代 is not in
近代化) and Sudachi's proper-noun tags, read from the words stored at indexing (nothing is tokenised per
question). Used to decide whether a passage answers, and to name the answer."""

from __future__ import annotations

import re

from collections.abc import Iterable

from corpus.model import Chunk
from corpus.text import normalize, squash
from assistant.answers.context import Context
from assistant.plan import Located


def pieces(ctx: Context, kind: str, passage: Located) -> list[tuple[int, str]]:
    """(offset in the normalised text, piece) for every piece of the asked kind the question does not already
    say (nor the units and fields it names); pieces that touch are one (明治 + 以降 → 明治以降)."""
    k = ctx.kb.lexicon.kinds[kind]
    said = ctx.u.question.squashed
    own = {squash(x) for x in (*ctx.u.units, *ctx.u.fields)}
    norm, tokens = ctx.evidence.words(passage)
    found: list[tuple[int, str]] = []
    for m in k.evidence.finditer(norm):
        if m.group(0).strip() and squash(m.group(0)) not in said:
            found.append((m.start(), m.group(0).strip()))
    if k.words or k.pos:
        bounds = {x for t in tokens for x in (t.begin, t.end)}
        for w in k.words:
            for m in re.finditer(re.escape(w), norm):
                if squash(w) not in said and m.start() in bounds and m.end() in bounds:
                    found.append((m.start(), w))
        run: list = []
        for t in [*tokens, None]:
            if t is not None and t.kind and f"固有名詞/{t.kind}" in k.pos:
                run.append(t)
                continue
            if run:
                phrase = norm[run[0].begin : run[-1].end]
                if squash(phrase) not in said and squash(phrase) not in own:
                    found.append((run[0].begin, phrase))
                run = []
    merged: list[tuple[int, str]] = []
    for start, piece in sorted(found):
        joint = merged[-1][0] + len(merged[-1][1]) if merged else -2
        if merged and (start <= joint or (start == joint + 1 and norm[joint] in "・=＝")):  # エド・エンゲラルト
            s0, p0 = merged[-1]
            merged[-1] = (s0, norm[s0 : max(s0 + len(p0), start + len(piece))])
        else:
            merged.append((start, piece))
    return merged


def holds(ctx: Context, kind: str, passages: Iterable[Located | Chunk]) -> bool:
    """Whether any passage (a sentence or item, or every sentence of a chunk) holds the kind asked."""
    return any(pieces(ctx, kind, loc) for p in passages
               for loc in ([Located(s, p) for s in (*p.sentences, *p.items)] if isinstance(p, Chunk) else [p]))


# Between two pieces of one range: 「令和2年度（2020年度）から令和6年度」, 「300件…から400件」.
_RANGE = re.compile(r"\s*(?:[（(][^）)]{0,20}[）)])?\s*(?:から|～|〜|~|－|より)\s*")


def answer_phrase(ctx: Context, kind: str, passage: Located) -> str:
    """The piece of the passage that answers: the one nearest to the question's own words in it, on either side
    (「③利用者数：年間300人…」 answers 利用者数 with 300人), else the first, whole (明治以降); a range
    is answered whole (令和2年度から令和6年度まで)."""
    found = pieces(ctx, kind, passage)
    if not found:
        return ""
    norm = normalize(passage.span.text)
    anchors = [(m.start(), m.end()) for w in (*ctx.u.topics, *ctx.u.phrases, *ctx.u.fields) if len(w) >= 2
               for m in re.finditer(re.escape(normalize(w)), norm)]
    if anchors:
        def gap(f: tuple[int, str]) -> int:
            s, e = f[0], f[0] + len(f[1])
            return min(max(a - e, s - b, 0) for a, b in anchors)

        best = min(found, key=lambda f: (gap(f), -len(f[1])))
    else:
        best = min(found, key=lambda f: (f[0], -len(f[1])))
    start, end = best[0], best[0] + len(best[1])
    for nxt in sorted(f for f in found if f[0] >= end):  # the piece the range runs to, past a parenthesis
        if _RANGE.fullmatch(norm[end : nxt[0]]):
            end = nxt[0] + len(nxt[1]) + (2 if norm.startswith("まで", nxt[0] + len(nxt[1])) else 0)
            raw = passage.span.text  # as the passage writes it, where normalising kept the lengths
            return raw[start:end] if len(raw) == len(norm) else norm[start:end]
    return best[1]


def in_asked_unit(ctx: Context, found: list[tuple[int, str]]) -> bool:
    """Whether one of the pieces (from `pieces`) counts in the unit the question names (「何人」「働いている人は
    どれくらい」: a figure in 人, not a ratio in 倍)."""
    words = {t.surface for t in ctx.u.question.tokens if len(t.surface) == 1 and not t.surface.isascii()}
    return any(piece.rstrip()[-1:] in words for _, piece in found)
