"""Which units list a field: 「造船に取り組む地域はどこ？」 → every matching unit of the whole plan.

Variants: 「〜を挙げていない」 (the complement), 「AとBの両方」 (the intersection), 「それらの中で〜も」
(the previous answer's units, filtered), a whole item named exactly (「水素・アンモニア」: units with that
item first, wider matches on its parts only as a note), and phrases the units mention in their text.
A unit whose matching items are only mentioned as a potential is marked so.
"""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers.decline import not_stated
from assistant.answers.draft import Draft, item_name
from assistant.answers.notes import reading_notes
from assistant.fields import ItemMatch, atoms_of
from assistant.plan import Part
from assistant.types import Intent, Strength

INTENT = Intent.WHICH_UNITS


def _join(names: list[str]) -> str:
    return "、".join(names)


def _count(ctx: Context, units: list[Part]) -> str:
    noun = ctx.noun(units[0].doc_id) if units else ""
    return f"{len(units)}{noun}" if noun else f"{len(units)}か所"


def unit_lines(ctx: Context, d: Draft, matches: list[ItemMatch]) -> None:
    """One line per unit: its matching items, cited, potential-only marked; at most `list_limit` units."""
    by_unit: dict[int, tuple[Part, dict[int, ItemMatch]]] = {}
    for m in matches:  # keyed by position: hashing whole items is slow on big plans
        by_unit.setdefault(id(m.unit), (m.unit, {}))[1][m.item.span.start] = m
    groups = list(by_unit.values())
    limit = ctx.list_limit
    for unit, items in groups[:limit] if limit else groups:
        mine = sorted(items.values(), key=lambda m: m.item.span.start)
        strength = Strength.POTENTIAL if all(m.strength is Strength.POTENTIAL for m in mine) else Strength.PLANNED
        d.unit(unit.name, [item_name(m.item) for m in mine], [d.cite_item(m.item) for m in mine], strength)
    if limit and len(groups) > limit:
        omitted(d, len(groups) - limit)


def omitted(d: Draft, n: int) -> None:
    d.omitted += n
    d.note(f"ほか{n}件。すべて表示するには「続きを表示」（CLI: --all）を使ってください")


def _units_of(matches: list[ItemMatch]) -> list[Part]:
    return list({id(m.unit): m.unit for m in matches}.values())


def answer(ctx: Context) -> Draft:
    u = ctx.u
    if not u.fields:
        return mentions(ctx)
    vocab = ctx.kb.vocab
    d = Draft()
    reading_notes(ctx, d)
    per_field = {f: vocab.matches(f, ctx.scope) for f in u.fields}
    if u.within:  # 「それらの中で」: the previous answer's units only
        per_field = {f: [m for m in ms if m.unit.name in u.within] for f, ms in per_field.items()}
    names = "と".join(u.fields)
    if u.negated:  # 「半導体を挙げていないブロック」: the complement, over the whole plan
        having = {id(m.unit) for ms in per_field.values() for m in ms}
        docs = {m.unit.doc_id for ms in per_field.values() for m in ms} or set(ctx.scope or ())
        rest = [p for p in ctx.kb.plan.units(docs or None) if id(p) not in having and (not u.within or p.name in u.within)]
        if not rest:
            d.lead(f"すべての{ctx.noun(next(iter(docs)))if docs else ''}が{names}を挙げています。")
            return d
        d.lead(f"{names}を挙げていないのは{_join([p.name for p in rest])}の{_count(ctx, rest)}です。")
        limit = ctx.list_limit
        for p in rest[:limit] if limit else rest:
            d.unit(p.name, [item_name(i) for i in p.listed], [d.cite_item(i) for i in p.listed])
        if limit and len(rest) > limit:
            omitted(d, len(rest) - limit)
        return d
    if u.wants_all and len(u.fields) > 1:
        common = set.intersection(*({id(m.unit) for m in ms} for ms in per_field.values()))
        both = names + ("の両方" if len(u.fields) == 2 else "のすべて")
        if not common:
            return not_stated(f"{both}を挙げている単位", [])
        matches = [m for ms in per_field.values() for m in ms if id(m.unit) in common]
        units = _units_of(matches)
        d.lead(f"{both}を挙げているのは{_join([p.name for p in units])}の{_count(ctx, units)}です。")
        unit_lines(ctx, d, sorted(matches, key=lambda m: (m.unit.doc_id, m.unit.start)))
        return d
    for f, matches in per_field.items():
        if not matches:
            d.lead(f"{f}を挙げている{ctx.noun(ctx.scope[0]) if ctx.scope else ''}は資料にありません。")
            continue
        docs = list(dict.fromkeys(m.unit.doc_id for m in matches))
        for doc_id in docs:  # several plans answer: each says it in its own words (ブロック, 地区)
            mine = [m for m in matches if m.unit.doc_id == doc_id]
            units = _units_of(mine)
            where = f"「{ctx.kb.plan.titles[doc_id]}」では、" if len(docs) > 1 else ""
            within = "それらのうち" if u.within else ""
            d.lead(f"{where}{within}{f}を挙げているのは{_join([p.name for p in units])}の{_count(ctx, units)}です。")
            unit_lines(ctx, d, mine)
        if f in vocab.compounds:
            _wider(ctx, d, f, {id(m.unit) for m in matches})
    if not any(per_field.values()):
        return not_stated(f"{names}を挙げる{ctx.noun(ctx.scope[0]) if ctx.scope else ''}", [])
    return d


def _wider(ctx: Context, d: Draft, compound: str, listed: set[int]) -> None:
    """An exact compound stays exact: units that name only one of its parts come as a note."""
    wider = [m for part in atoms_of(compound) for m in ctx.kb.vocab.matches(part, ctx.scope) if id(m.unit) not in listed]
    if not wider:
        return
    units = _units_of(wider)
    parts = "・".join(atoms_of(compound))
    cites = [d.cite_item(m.item) for m in wider]
    d.note(f"「{compound}」そのものではなく、{parts}のいずれかを挙げているのは{_join([p.name for p in units])}です", *cites)


def mentions(ctx: Context) -> Draft:
    """Units whose text (not only their list of items) mentions the question's phrase."""
    from corpus.text import squash

    d = Draft()
    for phrase in ctx.u.phrases:
        key = squash(phrase)
        found = [(p, s) for p in ctx.kb.plan.units(ctx.scope) for s in p.sentences if key in squash(s.span.text)]
        if not found:
            continue
        units = list({id(p): p for p, _ in found}.values())
        d.lead(f"「{phrase}」に触れているのは{_join([p.name for p in units])}の{_count(ctx, units)}です。")
        for p in units:
            d.unit(p.name, [], [d.cite_span(s) for q, s in found if q is p])
    if not d.lines:  # no unit says it: another part of the document may (「地区の区分は行政区と同じ？」)
        from assistant.answers import general

        return general.answer(ctx)
    return d
