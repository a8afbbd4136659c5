"""A part named by its heading (凡例, 分野横断的課題 …): its entries, its sub-headings, or its sentences."""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers._decline import not_stated
from assistant.answers.draft import Draft, item_name, one_line
from assistant.answers._sections import subsections
from assistant.plan import Located, Part
from assistant.profile import MAX_LABEL_CHARS
from assistant.types import Intent

INTENT = Intent.SECTION


def _units_of(part: Part, headings: tuple[str, ...]) -> list[Located]:
    """Sentences and the short items outside sentences, limited to a named sub-heading."""
    item_lines = {i.span.start: i for i in part.items}
    sentences = [s for s in part.sentences if not (s.span.start in item_lines and s.span.end <= item_lines[s.span.start].span.end)]
    units = sentences + [
        i for i in part.items if not any(s.span.start <= i.span.start < s.span.end for s in sentences)
    ]
    spans = [(c.doc_id, s, e) for c in part.chunks for p, s, e in c.sections if p[-1] in headings and len(p) > 1]
    if spans:
        units = [x for x in units if any(x.chunk.doc_id == d and s <= x.span.start < e for d, s, e in spans)]
    return sorted(units, key=lambda x: x.span.start)


def answer(ctx: Context) -> Draft | None:
    u = ctx.u
    parts = ctx.parts_named()
    if not parts:
        return None
    d = Draft()
    for part in parts:
        units = _units_of(part, u.headings)
        labels = [x for x in units if x in part.items and len(x.span.label) <= MAX_LABEL_CHARS]
        sentences = [x for x in units if x in part.sentences]
        if u.list_size is not None and len(labels) != u.list_size:
            # 「17の戦略分野を全部」: the part does not enumerate that many names.
            return not_stated(f"「{part.name}」の{u.list_size}項目それぞれの名称（一覧）", [part.chunks[0]])
        subs = subsections(part)
        if len(subs) >= 2:
            d.lead(f"「{part.name}」は次の{len(subs)}つの見出しで構成されています。")
            for heading, chunk, start, end in subs:
                # each heading with its first sentence: what the section says, not only its title
                first = next((s for s in part.sentences if start <= s.span.start < end), None)
                text = f"{heading}：「{one_line(first.span.text)}」" if first else heading
                d.item(text, [d.cite(chunk, start, end)])
        elif labels:
            first, last, chunk = labels[0].span, labels[-1].span, labels[0].chunk
            if last.end <= chunk.end:
                n = d.cite(chunk, first.start, last.end)
                d.lead(f"「{part.name}」には次の{len(labels)}項目が挙げられています。", n)
                for loc in labels:
                    d.item(one_line(loc.span.text), [])
            else:
                d.lead(f"「{part.name}」には次の{len(labels)}項目が挙げられています。")
                for loc in labels:
                    d.item(item_name(loc), [d.cite_item(loc)])
            for s in [x for x in sentences if x not in labels]:
                d.note(f"補足：「{one_line(s.span.text)}」", d.cite_span(s))
        else:
            ranked = ctx.evidence.rank(u, ctx.hits, units, k=0)
            d.lead(f"「{part.name}」について、資料には次のように書かれています。")
            for s in ranked[: 2 if len(part.path) == 1 else 3]:
                d.quote(s.located.span.text, d.cite_span(s.located, s.score))
    return d
