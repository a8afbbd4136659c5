"""Which units list a field: 「Xに取り組む地域はどこ？」 → every matching unit of the whole plan.

Variants: 「〜を挙げていない」 (the complement), 「AとBの両方」 (the intersection), 「それらの中で〜も」
(the previous answer's units, filtered), a whole item named exactly (「水素・アンモニア」: units with that
item first, wider matches on its parts only as a note), and phrases the units mention in their text.
A unit whose matching items are only mentioned as a potential is marked so.
"""

from __future__ import annotations

from itertools import islice

from assistant.answers.context import Context
from assistant.answers._decline import not_stated
from assistant.answers.draft import Draft
from assistant.answers._notes import reading_notes
from assistant.answers._unit_lists import (
    count_units, more_note, names, names_counted, shown, unit_lines, units_of, whole_list,
)
from assistant.fields import ItemMatch, atoms_of
from assistant.plan import Part
from assistant.types import Intent

INTENT = Intent.WHICH_UNITS
NAMED_PLANS = 3  # plans past a bounded list named one by one; more are summed in one note


def answer(ctx: Context) -> Draft | None:
    u = ctx.u
    if not u.fields:
        return mentions(ctx)
    vocab = ctx.kb.vocab
    d = Draft()
    reading_notes(ctx, d)
    per_field = {f: vocab.matches(f, ctx.scope) for f in u.fields}
    if u.within:  # 「それらの中で」: the previous answer's units only
        per_field = {f: [m for m in ms if m.unit.name in u.within] for f, ms in per_field.items()}
    asked = "と".join(u.fields)
    if u.negated:  # 「Xを挙げていない＜単位名＞」: the complement, over the whole plan
        having = {id(m.unit) for ms in per_field.values() for m in ms}
        docs = {m.unit.doc_id for ms in per_field.values() for m in ms} or set(ctx.scope or ())
        every = ctx.kb.plan.units(docs or None)
        rest = (p for p in every if id(p) not in having and (not u.within or p.name in u.within))
        # Without 「それらの中で」 the complement is counted, and only the units shown are gathered.
        counted = not u.within and ctx.list_limit is not None
        first = list(islice(rest, ctx.list_limit if counted else None))
        total = len(every) - len(having) if counted else len(first)
        if not total:
            cites = [d.cite_item(m.item) for ms in per_field.values() for m in ms]
            d.lead(f"すべての{ctx.noun(next(iter(docs)))if docs else ''}が{asked}を挙げています。", *dict.fromkeys(cites))
            return d
        d.lead(f"{asked}を挙げていないのは{names_counted(first, total, ctx.list_limit)}の{count_units(ctx, first, total)}です。")
        for p in shown(first, ctx.list_limit):
            whole_list(d, ctx, p)
        more_note(d, total, ctx.list_limit)
        return d
    if u.wants_all and len(u.fields) > 1:
        common = set.intersection(*({id(m.unit) for m in ms} for ms in per_field.values()))
        both = asked + ("の両方" if len(u.fields) == 2 else "のすべて")
        if not common:
            return not_stated(f"{both}を挙げている単位", [])
        matches = [m for ms in per_field.values() for m in ms if id(m.unit) in common]
        units = units_of(matches)
        d.lead(f"{both}を挙げているのは{names(units, ctx.list_limit)}の{count_units(ctx, units)}です。")
        unit_lines(d, sorted(matches, key=lambda m: (m.unit.doc_id, m.unit.start)), ctx.list_limit)
        return d
    for f, matches in per_field.items():
        if not matches:
            d.lead(f"{f}を挙げている{ctx.noun(ctx.scope[0]) if ctx.scope else ''}は資料にありません。")
            continue
        by_doc: dict[str, list[ItemMatch]] = {}
        for m in matches:
            by_doc.setdefault(m.unit.doc_id, []).append(m)
        budget = ctx.list_limit  # units listed over all plans; the rest are counted
        beyond: list[tuple[str, list[Part]]] = []  # plans past the budget
        for doc_id, mine in by_doc.items():  # several plans answer: each says it with its own unit noun
            units = units_of(mine)
            if budget is not None and budget <= 0:
                d.omitted += len(units)
                beyond.append((doc_id, units))
                continue
            where = f"「{ctx.kb.plan.titles[doc_id]}」では、" if len(by_doc) > 1 else ""
            within = "それらのうち" if u.within else ""
            d.lead(f"{where}{within}{f}を挙げているのは{names(units, budget)}の{count_units(ctx, units)}です。")
            unit_lines(d, mine, budget)
            budget = None if budget is None else budget - len(units)
        _beyond_note(ctx, d, f, beyond)
        if f in vocab.compounds:
            _wider(ctx, d, f, {id(m.unit) for m in matches})
    if not any(per_field.values()):
        return not_stated(f"{asked}を挙げる{ctx.noun(ctx.scope[0]) if ctx.scope else ''}", [])
    return d


def _beyond_note(ctx: Context, d: Draft, field: str, beyond: list[tuple[str, list[Part]]]) -> None:
    """The plans a bounded answer did not reach: one note each for a few, one note in all for many
    (a corpus of a hundred plans must not give a hundred-line answer)."""
    if len(beyond) <= NAMED_PLANS:
        for doc_id, units in beyond:
            d.note(f"「{ctx.kb.plan.titles[doc_id]}」でも{count_units(ctx, units)}が{field}を挙げています（CLI: --all）")
    else:
        titles = "、".join(f"「{ctx.kb.plan.titles[doc_id]}」" for doc_id, _ in beyond[:NAMED_PLANS])
        total = sum(len(units) for _, units in beyond)
        d.note(f"ほかに{titles}など{len(beyond)}件の資料の計{total}か所も{field}を挙げています"
               "（「続きを表示」、CLI: --all）")


def _wider(ctx: Context, d: Draft, compound: str, listed: set[int]) -> None:
    """An exact compound stays exact: units that name only one of its parts come as a note."""
    wider = [m for part in atoms_of(compound) for m in ctx.kb.vocab.matches(part, ctx.scope) if id(m.unit) not in listed]
    if not wider:
        return
    units = units_of(wider)
    parts = "・".join(atoms_of(compound))
    listed = {id(p) for p in shown(units, ctx.list_limit)}
    d.omitted += len(units) - len(listed)
    cites = [d.cite_item(m.item) for m in wider if id(m.unit) in listed]
    d.note(f"「{compound}」そのものではなく、{parts}のいずれかを挙げているのは{names(units, ctx.list_limit)}です", *cites)


def mentions(ctx: Context) -> Draft | None:
    """Units whose text (not only their list of items) mentions the question's phrase."""
    from corpus.text import squash

    d = Draft()
    for phrase in ctx.u.phrases:
        key = squash(phrase)
        holding = ctx.kb.chunks_with(phrase)
        found: dict[int, tuple[Part, list]] = {}
        for p in ctx.kb.plan.units_holding(holding, ctx.scope):
            for s in p.sentences:
                if s.chunk.chunk_id in holding and key in squash(s.span.text):
                    found.setdefault(id(p), (p, []))[1].append(s)
        if not found:
            continue
        units = [p for p, _ in found.values()]
        d.lead(f"「{phrase}」に触れているのは{names(units, ctx.list_limit)}の{count_units(ctx, units)}です。")
        for p, sentences in shown(list(found.values()), ctx.list_limit):
            d.unit(p.name, [], [d.cite_span(s) for s in sentences])
        more_note(d, len(units), ctx.list_limit)
    if not d.lines:  # no unit says it: another part of the document may (「＜単位名＞の区分は行政区と同じ？」)
        return None
    return d
