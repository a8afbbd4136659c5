"""「なぜ〜？」「背景は？」 about a document of headed sections: the passage that gives the reason, with what
is nested under it.

The passages found are read in their place in the tree. Each brings what is nested under it (a claim's
reasons are often its sub-points); a passage under an entry that only labels a group (「現状認識・課題意識」)
brings that whole group. A unit counts more when it sits under a heading or an entry about the current state
or its problems (lexicon `background_words`). The best unit is quoted, in document order and within
MAX_CHARS; a second one from another part when it scores close and there is room.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answers._notes import reading_notes
from assistant.answers._passages import address_only, retrieved
from assistant.answers._tree import breadcrumb, ranked, titled
from assistant.answers.context import Context
from assistant.answers.draft import Draft, item_name
from assistant.evidence import Scored
from assistant.plan import Located
from assistant.types import Intent

INTENT = Intent.REASONS

MIN_OVERLAP = 0.2
# Passages read as the heads of units.
LOOK = 6
# A unit about the current state or its problems gets this much more, and comes first when its passage holds
# this share of the question's words (「郊外のバス路線が減った」 for 「なぜ郊外の乗合タクシーが必要」).
BACKGROUND = 0.4
BACKGROUND_OVERLAP = 0.3
# The quoted units stay within this many characters; a second unit needs this share of the first's score.
MAX_CHARS = 260
RUNNER_UP = 0.8
# An entry this short with nested entries and no full stop labels a group rather than saying something.
LABEL_CHARS = 20
# Headings in the lead are cut to this many characters.
HEADING_CHARS = 40


@dataclass(frozen=True)
class _Unit:
    head: Scored
    passages: tuple[Located, ...]  # in document order
    score: float
    background: bool = False  # about the current state or its problems


def answer(ctx: Context) -> Draft | None:
    docs = set(ctx.u.documents) or set(titled(ctx)[:1])
    cands = [c for c in retrieved(ctx) if not docs or c.chunk.doc_id in docs] or retrieved(ctx)
    good = [s for s in ranked(ctx, cands) if s.overlap >= MIN_OVERLAP][:LOOK]
    if not good:
        return None
    # what the best passage's document says of the current state and its problems competes too: the reason for a
    # measure is often stated apart from it (「郊外のバス路線が減った」 for 「乗合タクシーが必要な理由」)
    doc = good[0].located.chunk.doc_id
    state = [x for p in ctx.kb.plan.parts_of(doc) for x in (*p.sentences, *p.items)
             if _about_state(ctx, x, p.path, []) and x not in cands]
    good += [s for s in ranked(ctx, state) if s.overlap >= MIN_OVERLAP][:LOOK]
    # a unit about the current state or its problems answers a why-question before one that only names the subject
    units = sorted((_unit(ctx, s) for s in good),
                   key=lambda u: (not (u.background and u.head.overlap >= BACKGROUND_OVERLAP), -u.score))
    chosen = [units[0]]
    size = _chars(units[0])
    block = ctx.kb.plan.block_of(units[0].head.located.chunk.chunk_id)
    for u in units[1:]:
        other = ctx.kb.plan.block_of(u.head.located.chunk.chunk_id) is not block
        if other and u.score >= RUNNER_UP * units[0].score and size + _chars(u) <= MAX_CHARS:
            chosen.append(u)
            break
    d = Draft()
    reading_notes(ctx, d)
    d.lead(f"「{breadcrumb(chosen[0].head.located, HEADING_CHARS)}」で次のように説明されています。")
    quoted: set[int] = set()
    room = MAX_CHARS
    for u in chosen:
        for loc in u.passages:
            if loc.span.start in quoted or len(loc.span.text) > room:
                continue
            quoted.add(loc.span.start)
            room -= len(loc.span.text)
            score = u.head.score if loc is u.head.located else 0.0
            depth = getattr(loc.span, "depth", 0)
            top = min((getattr(p.span, "depth", 0) for p in u.passages), default=0)
            if depth > top:
                d.item("　" * (depth - top) + item_name(loc), [d.cite_span(loc, score)])
            else:
                d.quote(loc.span.text, d.cite_span(loc, score))
    return d


def _chars(u: _Unit) -> int:
    return sum(len(p.span.text) for p in u.passages)


def _unit(ctx: Context, s: Scored) -> _Unit:
    """The passage with what is nested under it, or the group its label entry heads; scored with a bonus when
    it is about the current state or its problems."""
    loc = s.located
    part = ctx.kb.plan.part_at(loc.chunk, loc.span.start)
    items = [i for i in part.items if i.span.depth > 0]
    by_start = {i.span.start: i for i in items}
    own = by_start.get(loc.span.start)
    parent = by_start.get(own.span.parent) if own is not None else None
    head = own
    if parent is not None and _is_label(parent, items):
        head = parent  # 「現状認識・課題意識」 and its points
    elif own is not None and _is_label(own, items):
        head = own
    passages = _paragraph(part, loc) if head is None else [head, *_below(head, items)]
    passages = [p for p in passages if not address_only(p)]
    if head is not None and head is not own and _is_label(head, items):
        passages = passages[1:] or passages  # the label itself says nothing: its points do
    background = _about_state(ctx, loc, part.path, [x for x in (head, parent) if x is not None])
    return _Unit(s, tuple(sorted(passages, key=lambda p: p.span.start)), s.score + (BACKGROUND if background else 0.0),
                 background)


def _paragraph(part, loc: Located) -> list[Located]:
    """Running text: the sentences of the passage's paragraph (no blank line between), which give a reason
    together (a figure, then what it means)."""
    text = loc.chunk.text
    out = []
    for s in sorted(part.sentences, key=lambda x: x.span.start):
        if s.chunk is not loc.chunk:
            continue
        lo, hi = sorted((s.span.start, loc.span.start))
        between = text[lo - loc.chunk.start : hi - loc.chunk.start]
        if "\n\n" not in between and not between.lstrip().startswith(("-", "*", "|")):
            out.append(s)
    return out or [loc]


def _below(item: Located, items: list[Located]) -> list[Located]:
    """Everything nested under an entry, in order."""
    out, frontier = [], {item.span.start}
    for i in sorted(items, key=lambda x: x.span.start):
        if i.span.parent in frontier:
            out.append(i)
            frontier.add(i.span.start)
    return out


def _is_label(item: Located, items: list[Located]) -> bool:
    text = item.span.label
    return len(text) <= LABEL_CHARS and "。" not in text and any(i.span.parent == item.span.start for i in items)


def _about_state(ctx: Context, loc: Located, path: tuple[str, ...], above: list[Located]) -> bool:
    words = ctx.kb.lexicon.background_words
    texts = (*path, *(a.span.text for a in above))
    return any(w in t for t in texts for w in words) or loc.span.text.strip().startswith(words)
