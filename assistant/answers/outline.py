"""「〜のパートの要点は？」: a part's main points from the heading tree. The document's summary section
(headed サマリー or restating the title, see answers.tree) gives its points with their sub-points;
without one, the document's own headings are the points (the numbered ones when it numbers some)."""

from __future__ import annotations

from corpus.text import CIRCLED, squash
from assistant.answers.context import Context
from assistant.answers._decline import not_stated
from assistant.answers.draft import Draft
from assistant.answers._tree import child_sections, file_of, first_point, named_document, named_part, part_at, points, summary_part
from assistant.types import Intent

INTENT = Intent.OUTLINE

# An overview lists at most this many points.
MAX_POINTS = 14


def answer(ctx: Context) -> Draft:
    named = named_part(ctx)
    if named is None and ctx.u.collection and not ctx.u.documents:
        drafted = _collection(ctx)
        if drafted is not None:
            return drafted
    doc_id, path = named if named else (named_document(ctx), ())
    if doc_id is None:
        return not_stated("この質問に答える内容")
    title = ctx.kb.plan.titles[doc_id]
    file = file_of(ctx, doc_id)
    part = part_at(ctx, doc_id, path)
    label = f"「{title} › {part.name}」" if part else (f"「{title}」（{file}）" if file else f"「{title}」")
    d = Draft()
    summary = summary_part(ctx, doc_id) if not path else None
    if summary is not None:
        entries = points(summary)[:MAX_POINTS]
        n = d.cite(entries[0].chunk, entries[0].span.start, entries[0].span.end) if entries else None
        d.lead(f"{label}の要点は次のとおりです（「{summary.name}」から）。", *((n,) if n else ()))
        top = min((e.span.depth for e in entries), default=0)
        for e in entries:
            indent = "　" * (e.span.depth - top)
            d.item(indent + e.span.label, [d.cite_span(e)])
        return d
    children = child_sections(ctx, doc_id, path)
    if part is not None and len(children) < 2:  # a section without sections of its own: its points
        entries = points(part)[:MAX_POINTS]
        if entries:
            d.lead(f"{label}には次のように書かれています。")
            for e in entries:
                d.item(e.span.label, [d.cite_span(e)])
            return d
    numbered = [p for p in children if p.path[-1][:1] in CIRCLED]
    heads = (numbered if len(numbered) >= 2 else children)[:MAX_POINTS]
    d.lead(f"{label}は次の見出しで構成されています。")
    for p in heads:
        first = first_point(ctx, p)
        if first is not None and squash(first.span.text) in squash(title):
            continue  # a title page (前文 with the title alone) is no point of the outline
        if first is not None:
            d.item(f"{p.name}：{first.span.text}" if first.span.text != p.name else p.name, [d.cite_span(first)])
        else:
            d.item(p.name, [d.cite(p.chunks[0], p.start, min(p.end, p.chunks[0].end))])
    return d


def _collection(ctx: Context) -> Draft | None:
    """A folder's own outline, from its hub (the contents file or top page): its groups (「第1部 …」) with the
    chapters linked under each, else the chapters it links, in its order."""
    plan = ctx.kb.plan
    hub = next((plan.hubs[name] for name, docs in plan.collections.items()
                if name in plan.hubs and set(docs) >= set(ctx.u.collection)), None)
    if hub is None:
        return None
    view = plan.doc(hub)
    chunks = sorted(view.chunks.values(), key=lambda c: c.start)
    links = [(c, link) for c in chunks for link in c.links if _file_name(link.target) in _files(ctx, hub)]
    if not links:
        return None
    groups = sorted((i for p in view.parts for i in p.items if i.span.depth == 1), key=lambda i: i.span.start)
    d = Draft()
    title = plan.titles[hub]
    grouped = []
    for k, g in enumerate(groups):
        end = groups[k + 1].span.start if k + 1 < len(groups) else max(c.end for c in chunks)
        under = [link.text for c, link in links if g.span.start < link.start < end]
        if under:
            grouped.append((g, under))
    if len(grouped) >= 2:
        d.lead(f"「{title}」は次のように構成されています。")
        for g, under in grouped[:MAX_POINTS]:
            d.item(f"{g.span.label}：{'、'.join(under)}", [d.cite_span(g)])
        return d
    d.lead(f"「{title}」は次の{len(links)}つの文書で構成されています。")
    for c, link in links[:MAX_POINTS]:
        d.item(link.text, [d.cite(c, link.start, link.end)])
    return d


def _files(ctx: Context, hub: str) -> set[str]:
    """The file names of the hub's collection."""
    plan = ctx.kb.plan
    docs = next((docs for docs in plan.collections.values() if hub in docs), ())
    return {plan.doc(d).file_stem for d in docs if d != hub}


def _file_name(target: str) -> str:
    """A link's file name without folders, anchor or extension (the stem a document is known by)."""
    name = target.split("#", 1)[0].split("?", 1)[0].replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0]
