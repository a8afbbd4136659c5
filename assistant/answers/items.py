"""「全部挙げて」「何種類？それぞれ何？」: the complete list that holds the best passage, from the heading
tree, each entry cited; with a count when asked.

Which list: the section's own outermost list when its heading states how many entries it has and it has
that many (「不妊治療の3つの負担」: 経済的負担, 時間的負担, 心理的負担) or when a count is asked about what
the heading names; else an item's children, or the item with its siblings. A passage that itself
enumerates what is asked (a sentence with the figures of every route) is quoted whole. A quoted pattern
with placeholders (「〇〇せない」) finds its entries wherever the documents in scope write them.
"""

from __future__ import annotations

import re

from corpus.text import normalize
from assistant.answers._decline import not_stated
from assistant.answers._kinds import pieces
from assistant.answers._passages import address_only, retrieved
from assistant.answers._tree import (
    child_sections, heading_span, list_of, named_part, part_at, place, ranked, section_list, stated_count,
)
from assistant.answers.context import Context
from assistant.answers.draft import Draft, count_of
from assistant.plan import Located
from assistant.types import Intent

INTENT = Intent.ITEMS

MIN_OVERLAP = 0.2
# A list answer names at most this many entries.
MAX_ENTRIES = 20
# Lists are looked for in this many of the best passages.
LOOK = 5
# A passage holding this many pieces of the asked kind enumerates them itself.
ENUMERATES = 3
# A heading is about the question when it holds this share of the question's words (IDF-weighted).
HEADING_OVERLAP = 0.3


def answer(ctx: Context) -> Draft | None:
    patterned = _patterned(ctx)
    if patterned:
        return _list(ctx, patterned, len(patterned))
    named = named_part(ctx)
    if named is not None:  # 「医療の章の政策を全部」「へき地医療の施策は何項目」: that part's sections, else its list
        drafted = _of_part(ctx, *named)
        if drafted is not None:
            return drafted
    good = [s for s in ranked(ctx, retrieved(ctx)) if s.overlap >= MIN_OVERLAP]
    if not good:
        return not_stated("この質問に答える内容", [ctx.kb.plan.chunks[h.chunk_id] for h in ctx.hits[:2]])
    best = good[0]
    asked = ctx.u.kinds or (("quantity",) if ctx.u.cue("count") else ())
    if any(len(pieces(ctx, k, best.located)) >= ENUMERATES for k in asked):
        return _running_text(ctx, best.located, best.score)
    entries = _section_entries(ctx, best.located) or _narrowest(ctx, good[:LOOK])
    if entries and ctx.u.list_size is not None and len(entries) != ctx.u.list_size:
        # 「17の〜を全部」: the list found does not enumerate that many names; no other list is invented
        return not_stated(f"{ctx.u.list_size}項目それぞれの名称（一覧）", [entries[0].chunk])
    if not entries:  # the best passage is running text: it is the answer
        return _running_text(ctx, best.located, best.score)
    return _list(ctx, entries, len(entries))


def _of_part(ctx: Context, doc_id: str, path: tuple[str, ...]) -> Draft | None:
    children = child_sections(ctx, doc_id, path)
    part = part_at(ctx, doc_id, path)
    where = " › ".join(x for x in (ctx.kb.plan.titles[doc_id], part.name if part else "") if x)
    if len(children) >= 2:
        d = Draft()
        lead = f"{count_of(len(children))}です。" if ctx.u.cue("count") else ""
        d.lead(f"{lead}「{where}」は次の{len(children)}つの見出しで構成されています。")
        for p in children[:MAX_ENTRIES]:
            span = heading_span(p)
            cites = [d.cite(*span)] if span else [d.cite(p.chunks[0], p.start, min(p.end, p.chunks[0].end))]
            d.item(p.name, cites)
        d.omitted = max(0, len(children) - MAX_ENTRIES)
        return d
    if part is not None:
        top = [x for x in section_list(ctx, part.items[0])[1]] if part.items else []
        if len(top) >= 2:
            return _list(ctx, top, len(top))
    return None


def _running_text(ctx: Context, loc: Located, score: float) -> Draft:
    d = Draft()
    d.lead(f"「{place(ctx, loc)}」に次のように書かれています。")
    d.quote(loc.span.text, d.cite_span(loc, score))
    return d


def _list(ctx: Context, entries: list[Located], total: int) -> Draft:
    entries = [e for e in entries if not address_only(e)]  # a reference link is no entry of the list
    if len(entries) < 2:
        return _running_text(ctx, entries[0], 1.0) if entries else not_stated("この質問に答える一覧")
    total = min(total, len(entries))
    d = Draft()
    where = place(ctx, entries[0])
    if ctx.u.cue("count"):
        d.lead(f"{count_of(total)}です。「{where}」に次のように挙げられています。")
    else:
        d.lead(f"「{where}」に次の{total}件が挙げられています。")
    for e in entries[:MAX_ENTRIES]:
        d.item(e.span.label, [d.cite_span(e)])
    d.omitted = max(0, total - MAX_ENTRIES)
    return d


def _section_entries(ctx: Context, loc: Located) -> list[Located]:
    """The section's outermost entries, when the section is the list asked for: its heading states their
    number, or a count is asked of what the heading names."""
    part, top = section_list(ctx, loc)
    if len(top) < 2:
        return []
    if stated_count(part.name) == len(top):
        return top
    return top if ctx.u.cue("count") and ctx.evidence.overlap(ctx.u, part.name) >= HEADING_OVERLAP else []


def _narrowest(ctx: Context, good) -> list[Located]:
    """The list of the best passages that the question narrows to: one headed by an entry that holds a word of
    the question its section's heading lacks (「経済の柱で」: the entries under 「経済：…」, not every pillar's
    line), else the list of the best passage that has one."""
    lists = []
    for rank, s in enumerate(good):
        entries = list_of(ctx, s.located)
        if len(entries) < 2:
            continue
        part = ctx.kb.plan.part_at(s.located.chunk, s.located.span.start)
        parent = next((i for i in part.items if i.span.start == entries[0].span.parent), None)
        header = parent.span.text if parent is not None else ""
        narrows = bool(header) and ctx.evidence.overlap(ctx.u, header) > ctx.evidence.overlap(ctx.u, part.name)
        lists.append((not narrows, rank, entries))
    return min(lists, key=lambda x: x[:2])[2] if lists else []


def _patterned(ctx: Context) -> list[Located]:
    """Entries written as a quoted pattern with placeholders (「〇〇せない」), in the documents in scope: the
    chunks holding its longest literal part, then the pattern itself; the list that holds most of them."""
    found: list[Located] = []
    for pattern in ctx.u.patterns:
        literal = max(re.split(r"\[\^[^\]]*\]\{[^}]*\}", pattern), key=len).replace("\\", "")
        if len(literal) < 2:
            continue
        regex = re.compile(pattern)
        plan = ctx.kb.plan
        for cid in sorted(ctx.kb.chunks_with(literal)):
            if cid not in plan.chunks or (ctx.scope is not None and plan.doc_of(cid) not in ctx.scope):
                continue
            chunk = plan.chunks[cid]
            part = plan.block_of(cid)
            found += [i for i in part.items if i.chunk is chunk and regex.search(normalize(i.span.text))
                      and len(i.span.text) <= 4 * len(literal) + 12]
    if len(found) < 2:
        return []
    # the entries that are a list of their own (siblings), the largest such group
    groups: dict[tuple[str, int, int], list[Located]] = {}
    for i in found:
        groups.setdefault((i.chunk.doc_id, i.span.parent, i.span.depth), []).append(i)
    best = max(groups.values(), key=len)
    return sorted(best, key=lambda i: i.span.start) if len(best) >= 2 else []
