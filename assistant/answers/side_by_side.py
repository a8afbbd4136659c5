"""「Xは〜のパートと〜のパートでそれぞれどう書かれている？」: two documents of a collection, named by their
titles, side by side on the question's theme; each side is the best passage of that document, cited."""

from __future__ import annotations

from dataclasses import replace

from assistant.answers.context import Context
from assistant.answers._decline import not_stated
from assistant.answers.draft import Draft
from assistant.answers._passages import retrieved
from assistant.answers._tree import place, ranked, titled
from assistant.types import Intent

INTENT = Intent.SIDE_BY_SIDE

# Passages of each side are searched among this many BM25 hits within that document.
SIDE_HITS = 5
MIN_OVERLAP = 0.15
# Each side quotes up to this many passages.
PER_SIDE = 2
RUNNER_UP = 0.8


def answer(ctx: Context) -> Draft:
    docs = titled(ctx)[:2]
    d = Draft()
    lines = []
    for doc in docs:
        hits = ctx.evidence.lexical_hits(ctx.u.norm, SIDE_HITS, [doc])
        good = [s for s in ranked(replace(ctx, hits=hits), retrieved(replace(ctx, hits=hits))) if s.overlap >= MIN_OVERLAP]
        if good:
            lines.append((doc, [s for s in good[:PER_SIDE] if s.score >= RUNNER_UP * good[0].score]))
    if not lines:
        return not_stated("この質問に答える内容", [ctx.kb.plan.chunks[h.chunk_id] for h in ctx.hits[:2]])
    d.lead("それぞれ次のように書かれています。")
    for doc, chosen in lines:
        d.note(f"「{place(ctx, chosen[0].located)}」")  # each side's place: file › title › section
        for s in chosen:
            d.quote(s.located.span.text, d.cite_span(s.located, s.score))
    if len(lines) < len(docs):
        missing = [ctx.kb.plan.titles[x] for x in docs if x not in [doc for doc, _ in lines]]
        d.note("「" + "」「".join(missing) + "」には、この質問に当たる記載が見つかりませんでした。")
    return d
