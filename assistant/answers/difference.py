"""How two terms of the documents differ: 「危機管理投資と成長投資はどう違う？」 → each term with the
sentence that says most about it, each cited."""

from __future__ import annotations

from corpus.text import squash
from assistant.answers.context import Context
from assistant.answers.draft import Draft, one_line
from assistant.types import Intent

INTENT = Intent.DIFFERENCE


def answer(ctx: Context) -> Draft | None:
    plan = ctx.kb.plan
    terms = ctx.u.pair
    d = Draft()
    found = []
    for term in terms:
        key = squash(term)
        holding = ctx.kb.chunks_with(term)
        sentences = [s for p in plan.blocks_holding(holding, ctx.scope) for s in p.sentences
                     if s.chunk.chunk_id in holding and key in squash(s.span.text)]
        if not sentences:
            continue
        # The sentence that is most about this term: the one with the fewest other terms of the pair.
        others = [squash(t) for t in terms if t != term]
        best = min(sentences, key=lambda s: (sum(o in squash(s.span.text) for o in others), len(s.span.text)))
        found.append((term, best))
    if len(found) < 2:
        return None
    d.lead(f"「{found[0][0]}」と「{found[1][0]}」について、資料はそれぞれ次のように述べています。")
    for term, s in found:
        d.item(f"{term}：「{one_line(s.span.text)}」", [d.cite_span(s)])
    return d
