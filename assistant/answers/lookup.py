"""A fact looked up in a document of headed sections: the passages that say what the question asks.

The best passage (a sentence, a list entry or a table row) by the question's words and the kinds of
information it asks for comes first. While the question asks something the chosen passages do not say
(a second kind: a name and then an amount; words of the question not yet covered), the passage that
adds most of it is quoted too, preferably from the same part. A list entry comes with its nested
entries when they are few and short (「教育バウチャー（5000円/月）を配布」 with 「中学3年生・高校3年生…を対象とする」).
The quotes keep document order within a part. Words of the question the documents do not use are said
to have been read through the passages found.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from assistant.answers._kinds import answer_phrase, pieces
from assistant.answers._decline import not_stated
from assistant.answers._notes import reading_notes
from assistant.answers._passages import retrieved
from assistant.answers._table import column_terms, header_row, labelled_row, row_cells
from assistant.answers._tree import breadcrumb
from assistant.answers.context import Context
from assistant.answers.draft import Draft, item_name
from assistant.evidence import Scored
from assistant.plan import Located
from assistant.types import Intent

INTENT = Intent.LOOKUP

_KATAKANA = re.compile(r"[ァ-ヺー]+")

# The first passage holds at least this share of the question's words (IDF-weighted), else another module answers.
MIN_OVERLAP = 0.2
# Each asked kind of information a passage holds adds this much to its score.
KIND_BONUS = 0.3
# A further passage is quoted when it adds at least this much (new words' IDF share, plus KIND_GAIN per new kind) …
MIN_GAIN = 0.15
KIND_GAIN = 0.5
# … and scores at least this share of the first passage's score, up to this many passages and characters.
NEAR = 0.35
MAX_PASSAGES = 3
MAX_CHARS = 220
# A passage of another part scoring this close to the first is quoted too (a definition given in two parts).
RUNNER_UP = 0.8
# Headings in the lead's breadcrumb are cut to this many characters (some documents head a part with a sentence).
HEADING_CHARS = 30
# A kind asked whose pattern is unmistakable (an amount in 円) must be in one of this many best passages.
MISSING_LOOK = 5
# Nested entries quoted under a list entry: at most this many, this short in all.
MAX_CHILDREN = 3
MAX_CHILD_CHARS = 120
# A passage that announces a list (「次の3つの…」) brings at most this many of its entries.
MAX_LISTED = 12


@dataclass(frozen=True)
class _Candidate:
    scored: Scored
    terms: frozenset[str]
    kinds: frozenset[str]
    columns: float = 0.0  # the share of the question's words a table row holds only through its column names

    @property
    def loc(self) -> Located:
        return self.scored.located


def answer(ctx: Context) -> Draft | None:
    u = ctx.u
    ev = ctx.evidence
    # a table's header row names its columns: read with each row, it is no answer of its own
    passages = [x for x in retrieved(ctx) if not header_row(x)]
    ranked = [s for s in ev.rank(u, ctx.hits, passages, k=0) if s.overlap >= MIN_OVERLAP or _kinds(ctx, s.located)]
    if not ranked:
        return None
    q_terms = ev.question_terms(u) & ev.lexical.known
    weight = {t: ev.lexical.idf(t) for t in q_terms}
    total = math.fsum(weight.values()) or 1.0
    cands = []
    for s in ranked:
        own = ev.terms_of(s.located) & q_terms
        columns = (column_terms(ctx, s.located) & q_terms) - own  # a row's column names say what its figures are
        cands.append(_Candidate(s, own | columns, _kinds(ctx, s.located), math.fsum(weight[t] for t in columns) / total))
    cands.sort(key=lambda c: (-(c.scored.score + KIND_BONUS * len(c.kinds) + c.columns), c.loc.chunk.doc_id, c.loc.span.start))
    first = cands[0]
    if first.scored.overlap < MIN_OVERLAP and not first.kinds:
        return None
    sure = [k for k in _asked(ctx) if ctx.kb.lexicon.kinds[k].decline_anywhere]
    if sure and not any(set(sure) & c.kinds for c in cands[:MISSING_LOOK]):
        # 「〜にかかる予算額は？」: an amount is written unmistakably; none in the passages about it is no answer
        label = "・".join(ctx.kb.lexicon.kinds[k].label for k in sure)
        return not_stated(label, [c.loc for c in cands[:2]])
    plan = ctx.kb.plan
    block = plan.block_of(first.loc.chunk.chunk_id)
    chosen = [first]
    kids = {id(first): _children(ctx, first.loc, set(), MAX_CHILD_CHARS)}
    said_terms = set(first.terms) | {t for k in kids[id(first)] for t in ev.terms_of(k) & q_terms}
    said_kinds = set(first.kinds) | {k for c in kids[id(first)] for k in _kinds(ctx, c)}
    length = _size(first.loc, kids[id(first)])

    def gain(c: _Candidate) -> float:
        return math.fsum(weight[t] for t in c.terms - said_terms) / total + KIND_GAIN * len(c.kinds - said_kinds)

    def near(c: _Candidate) -> bool:
        """In the first passage's part, or in its document and as much about the question."""
        return c.loc.chunk.doc_id == first.loc.chunk.doc_id and (
            plan.block_of(c.loc.chunk.chunk_id) is block or c.scored.overlap >= first.scored.overlap)

    while len(chosen) < MAX_PASSAGES:
        pool = [c for c in cands if c not in chosen and c.scored.score >= NEAR * first.scored.score and near(c)
                and c.loc.span.start not in {k.span.start for ks in kids.values() for k in ks}
                and length + len(c.loc.span.text) <= MAX_CHARS]
        best = max(pool, key=lambda c: (gain(c), -abs(c.loc.span.start - first.loc.span.start)), default=None)
        if best is None or gain(best) < MIN_GAIN:
            break
        chosen.append(best)
        kids[id(best)] = _children(ctx, best.loc, {c.loc.span.start for c in chosen}, MAX_CHARS - length)
        said_terms |= best.terms | {t for k in kids[id(best)] for t in ev.terms_of(k) & q_terms}
        said_kinds |= best.kinds
        length += _size(best.loc, kids[id(best)])
    # a second place that says it as well as the first (a definition given in two parts of the document)
    other = next((c for c in cands[1:] if c not in chosen and c.loc.chunk.doc_id == first.loc.chunk.doc_id
                  and plan.block_of(c.loc.chunk.chunk_id) is not block and c.scored.score >= RUNNER_UP * first.scored.score), None)
    if other is not None and len(chosen) < MAX_PASSAGES and length + len(other.loc.span.text) <= MAX_CHARS:
        chosen.append(other)
        kids[id(other)] = []
    return _draft(ctx, chosen, kids)


def _announced(ctx: Context, loc: Located) -> list[Located]:
    """The list a sentence announces (「次の3つの重点分野に取り組む。」): the entries of its section's list that
    follow it, the first one's siblings (what is nested under an entry is no entry of the announced list)."""
    if not ctx.kb.lexicon.forward.search(loc.span.text):
        return []
    part = ctx.kb.plan.part_at(loc.chunk, loc.span.start)
    after = sorted((i for i in part.items if i.span.start >= loc.span.end and i.span.depth > 0), key=lambda i: i.span.start)
    if not after:
        return []
    first = after[0]
    return [i for i in after if i.span.parent == first.span.parent and i.span.depth == first.span.depth]


def _size(loc: Located, kids: list[Located]) -> int:
    return len(loc.span.text) + sum(len(k.span.text) for k in kids)


def _asked(ctx: Context) -> tuple[str, ...]:
    """The kinds of information asked; 「いくつ」「何件」 (a count cue) without another kind asks for a figure."""
    return ctx.u.kinds or (("quantity",) if ctx.u.cue("count") else ())


def _kinds(ctx: Context, loc: Located) -> frozenset[str]:
    return frozenset(k for k in _asked(ctx) if pieces(ctx, k, loc))


def _draft(ctx: Context, chosen: list[_Candidate], kids: dict[int, list[Located]]) -> Draft:
    d = Draft()
    reading_notes(ctx, d)
    u = ctx.u
    missing = [w for w in u.unknown_terms if w in u.unknown_focus or _KATAKANA.fullmatch(w)]
    if missing:  # the question's own term is not the documents' word: the passages found are read for it
        d.note("「" + "」「".join(missing) + "」は資料の言葉と異なるため、近い記載から答えます")
    first = chosen[0]
    # the answer is named first only when the passage holds one piece of the one kind asked (「7億円です」);
    # a sentence with several figures is quoted whole rather than led by a guess
    asked = _asked(ctx)
    one = len(asked) == 1 and asked[0] in first.kinds and len(pieces(ctx, asked[0], first.loc)) == 1
    phrase = answer_phrase(ctx, asked[0], first.loc) if one else ""
    n_first = d.cite_span(first.loc, first.scored.score)
    where = breadcrumb(first.loc, HEADING_CHARS)
    if phrase:
        d.lead(f"{phrase}です（{where}）。", n_first)
    else:
        d.lead(f"「{where}」に次のように書かれています。")
    order = sorted(chosen, key=lambda c: (c.loc.chunk.doc_id != first.loc.chunk.doc_id, c.loc.chunk.doc_id, c.loc.span.start))
    for c in order:
        n = d.cite_span(c.loc, c.scored.score)
        if row_cells(c.loc):  # a table row read with its column names: which figure is the present, which the target
            d.item(labelled_row(c.loc), [n])
        else:
            d.quote(c.loc.span.text, n)
        if c is first:  # 「次の3つの重点分野に取り組む。」 points at the list that follows it
            for entry in _announced(ctx, c.loc)[:MAX_LISTED]:
                if entry.span.start not in {k.span.start for ks in kids.values() for k in ks}:
                    d.item(item_name(entry), [d.cite_item(entry)])
        for child in kids[id(c)]:
            d.item("　" + child.span.label, [d.cite_span(child)])
    return d


def _children(ctx: Context, loc: Located, quoted: set[int], room: int) -> list[Located]:
    """A list entry's nested entries, when they are few and short enough to quote with it."""
    part = ctx.kb.plan.block_of(loc.chunk.chunk_id)
    kids = [i for i in part.items if i.span.parent == loc.span.start and i.span.depth > 0 and i.span.start not in quoted]
    if not kids or len(kids) > MAX_CHILDREN:
        return []
    size = sum(len(k.span.text) for k in kids)
    return kids if size <= min(MAX_CHILD_CHARS, room) else []
