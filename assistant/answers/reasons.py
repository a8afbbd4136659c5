"""「なぜ〜？」「背景は？」 about a document of headed sections: the passage that gives the reason, with the
points nested under it, preferring passages under a heading or item about the current state or its
problems (words in lexicon `background_words`); a second place when it scores close."""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers._decline import not_stated
from assistant.answers.draft import Draft
from assistant.answers._passages import address_only, diverse, retrieved
from assistant.answers._tree import ranked, titled
from corpus.model import Item
from assistant.plan import Located
from assistant.types import Intent

INTENT = Intent.REASONS

MIN_OVERLAP = 0.2
RUNNER_UP = 0.75
# At most this many nested points are quoted under a passage.
MAX_CHILDREN = 3
# A reason's sibling points are quoted with it when its list has at most this many.
MAX_SIBLINGS = 5


def _ancestors(loc: Located, items: list[Located]) -> list[str]:
    by_start = {i.span.start: i for i in items}
    out, parent = [], getattr(loc.span, "parent", -1)
    if parent == -1:  # a sentence: the item that holds it
        holder = next((i for i in items if i.span.start <= loc.span.start < i.span.end), None)
        parent = holder.span.parent if holder else -1
    while parent in by_start and len(out) < 8:
        out.append(by_start[parent].span.label)
        parent = by_start[parent].span.parent
    return out


def answer(ctx: Context) -> Draft:
    docs = set(ctx.u.documents) or set(titled(ctx)[:1])
    cands = [c for c in retrieved(ctx) if not docs or c.chunk.doc_id in docs] or retrieved(ctx)
    words = ctx.kb.lexicon.background_words
    plan = ctx.kb.plan

    def about_state(loc: Located) -> bool:
        part = plan.block_of(loc.chunk.chunk_id)
        path = next((p for p, s, e in loc.chunk.sections if s <= loc.span.start < e), loc.chunk.section_path)
        return any(w in h for h in (*path, *_ancestors(loc, list(part.items))) for w in words)

    # the passages about the current state of the documents asked about, found or not by the search
    for doc in docs or {c.chunk.doc_id for c in cands[:1]}:
        cands += [x for p in plan.parts_of(doc) if len(p.path) == 1 for x in (*p.sentences, *p.items)
                  if x not in cands and about_state(x) and not address_only(x)]
    good = [s for s in ranked(ctx, cands) if s.overlap >= MIN_OVERLAP]
    if not good:
        return not_stated("この質問に答える内容", [ctx.kb.plan.chunks[h.chunk_id] for h in ctx.hits[:2]])

    # a why-question is answered by what the document says of the current state: those passages come first
    good = sorted(good, key=lambda s: (not about_state(s.located), -s.score))
    d = Draft()
    d.lead("資料では次のように説明されています。")
    chosen = diverse(good, limit=2, runner_up=RUNNER_UP)
    for k, s in enumerate(chosen):
        part = plan.block_of(s.located.chunk.chunk_id)
        items = [i for i in part.items if i.span.depth > 0]
        # the first reason with the points beside it (a list of reasons is read whole), the second alone
        siblings = [i for i in items if isinstance(s.located.span, Item) and i.span.parent == s.located.span.parent
                    and i.span.depth == s.located.span.depth]
        points = siblings if k == 0 and 2 <= len(siblings) <= MAX_SIBLINGS else [s.located]
        for p in points:
            d.quote(p.span.text, d.cite_span(p, s.score if p is s.located else 0.0))
            for c in [i for i in items if i.span.parent == p.span.start and not address_only(i)][:MAX_CHILDREN]:
                d.item("　" + c.span.label, [d.cite_span(c)])
    return d
