"""「どのファイルのどの見出しに書いてある？」: the place first (file › document › part › section), then the
passage that says it. Two places are named when the second passage scores close to the first."""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers._decline import not_stated
from assistant.answers.draft import Draft
from assistant.answers._passages import diverse, retrieved
from assistant.answers._tree import place, ranked
from assistant.types import Intent

INTENT = Intent.WHERE

# A passage holds at least this share of the question's content words to be the place asked about.
MIN_OVERLAP = 0.2
# A second place is named when its passage scores this close to the first.
RUNNER_UP = 0.85


def answer(ctx: Context) -> Draft:
    good = [s for s in ranked(ctx, retrieved(ctx)) if s.overlap >= MIN_OVERLAP]
    if not good:
        return not_stated("この質問に答える内容", [ctx.kb.plan.chunks[h.chunk_id] for h in ctx.hits[:2]])
    chosen = []
    for s in diverse(good, limit=3, runner_up=RUNNER_UP):
        if place(ctx, s.located) not in [place(ctx, c.located) for c in chosen]:
            chosen.append(s)
    d = Draft()
    cites = [d.cite_span(s.located, s.score) for s in chosen[:2]]
    where = "」と「".join(place(ctx, s.located) for s in chosen[:2])
    d.lead(f"「{where}」に書かれています。", *cites)
    for s, n in zip(chosen[:2], cites):
        d.quote(s.located.span.text, n)
    return d
