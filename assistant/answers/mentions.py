"""「Xを使う施策をファイルをまたいで全部」: every passage in scope that mentions the question's most specific
term, over the whole collection (not the top hits), grouped by document and section, each cited."""

from __future__ import annotations

from corpus.text import squash
from assistant.answers._tree import breadcrumb, specific_term
from assistant.answers.context import Context
from assistant.answers.draft import Draft
from assistant.plan import Located
from assistant.types import Intent

INTENT = Intent.MENTIONS

# At most this many passages are quoted, and this many from one section.
MAX_PASSAGES = 12
PER_SECTION = 2


def answer(ctx: Context) -> Draft | None:
    term = specific_term(ctx)
    if not term:
        return None
    key = squash(term)
    plan = ctx.kb.plan
    found: list[Located] = []
    for cid in sorted(ctx.kb.chunks_with(term)):
        if cid not in plan.chunks or (ctx.scope is not None and plan.doc_of(cid) not in ctx.scope):
            continue
        chunk = plan.chunks[cid]
        if chunk.navigation:
            continue
        part = plan.block_of(cid)
        own = [s for s in part.sentences if s.chunk is chunk and key in squash(s.span.text)]
        found += own or [i for i in part.items if i.chunk is chunk and key in squash(i.span.text)]
    found = sorted(dict.fromkeys(found), key=lambda x: (x.chunk.doc_id, x.span.start))
    if not found:
        return None
    by_place: dict[str, list[Located]] = {}
    for x in found:
        by_place.setdefault(breadcrumb(x), []).append(x)
    docs = {x.chunk.doc_id for x in found}
    d = Draft()
    d.lead(f"「{term}」に触れている記載は{len(docs)}つの文書の{len(by_place)}か所にあります。")
    shown = 0
    for where, passages in by_place.items():
        for x in passages[:PER_SECTION]:
            if shown == MAX_PASSAGES:
                break
            d.item(f"{where}：{x.span.text.strip()}", [d.cite_span(x)])
            shown += 1
    d.omitted = max(0, len(found) - shown)
    return d
