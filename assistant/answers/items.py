"""「全部挙げて」「何種類？それぞれ何？」: the complete list that holds the best passage, from the heading
tree (an item's children, or the item with its siblings), each entry cited; with a count when asked."""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers._decline import not_stated
from assistant.answers.draft import Draft, count_of
from assistant.answers._passages import retrieved
from assistant.answers._tree import list_of, place, ranked
from assistant.types import Intent

INTENT = Intent.ITEMS

MIN_OVERLAP = 0.2
# A list answer names at most this many entries.
MAX_ENTRIES = 20
# Lists are looked for in this many of the best passages.
LOOK = 5


def answer(ctx: Context) -> Draft:
    good = [s for s in ranked(ctx, retrieved(ctx)) if s.overlap >= MIN_OVERLAP]
    if not good:
        return not_stated("この質問に答える内容", [ctx.kb.plan.chunks[h.chunk_id] for h in ctx.hits[:2]])
    best = good[0]
    entries = next((found for s in good[:LOOK] if len(found := list_of(ctx, s.located)) >= 2), [])
    if entries and ctx.u.list_size is not None and len(entries) != ctx.u.list_size:
        # 「17の〜を全部」: the list found does not enumerate that many names; no other list is invented
        return not_stated(f"{ctx.u.list_size}項目それぞれの名称（一覧）", [entries[0].chunk])
    d = Draft()
    if not entries:  # the best passage is running text: it is the answer
        d.lead(f"「{place(ctx, best.located)}」に次のように書かれています。")
        d.quote(best.located.span.text, d.cite_span(best.located, best.score))
        return d
    where = place(ctx, entries[0])
    if ctx.u.cue("count"):
        d.lead(f"{count_of(len(entries))}です。「{where}」に次のように挙げられています。")
    else:
        d.lead(f"「{where}」に次の{len(entries)}件が挙げられています。")
    for e in entries[:MAX_ENTRIES]:
        d.item(e.span.label, [d.cite_span(e)])
    d.omitted = max(0, len(entries) - MAX_ENTRIES)
    return d
