"""How many: units of a plan, items of a unit, units that list a field, entries of a named part."""

from __future__ import annotations

import re

from assistant.answers._sections import subsections
from assistant.answers.context import Context
from assistant.answers.draft import Draft, count_before, count_of, item_name
from assistant.answers._notes import reading_notes
from assistant.answers._strength import counted
from assistant.answers._unit_lists import more_note, names, shown, unit_lines, units_of
from assistant.profile import MAX_LABEL_CHARS
from assistant.types import Intent

INTENT = Intent.COUNT


def answer(ctx: Context) -> Draft | None:
    u = ctx.u
    d = Draft()
    reading_notes(ctx, d)
    if u.fields and not u.units:
        matches = [m for f in u.fields for m in ctx.kb.vocab.matches(f, ctx.scope)]
        units = units_of(matches)
        noun = ctx.noun(units[0].doc_id) if units else ""
        d.lead(f"{'・'.join(u.fields)}を挙げている{noun}は{count_of(len(units))}です（{names(units, ctx.list_limit)}）。")
        unit_lines(d, matches, ctx.list_limit)
        return d
    if u.units:
        for unit in ctx.units():
            noun = ctx.item_noun(unit.doc_id)
            strengths = [ctx.kb.vocab.strength(loc) for loc in unit.listed]
            d.lead(counted(f"{ctx.label(unit)}で挙げられている{noun}は{count_of(len(unit.listed))}です。", strengths))
            cites = [d.cite_item(loc) for loc in unit.listed]
            for loc, n, strength in zip(unit.listed, cites, strengths):
                d.item(item_name(loc), [n], strength)
        return d
    if u.sections:
        return _count_section(ctx)
    docs = sorted(d for d in ctx.kb.plan.unit_docs if ctx.scope is None or d in ctx.scope)
    named = [d for d in docs if ctx.noun(d) and ctx.noun(d) in u.normalized]
    docs = named or docs  # 「＜単位名＞をいくつに分けて」: the plan whose units that noun names
    for doc_id in docs:
        units = ctx.kb.plan.units([doc_id])
        cites = []
        for p in shown(units, ctx.list_limit):
            first = p.chunks[0]
            line_end = first.text.find("\n", max(p.start - first.start, 0))
            end = first.start + line_end if line_end > 0 else first.end
            cites.append(d.cite(first, max(p.start, first.start), min(end, p.end)))
        noun = ctx.noun(doc_id) or "単位"
        d.lead(f"「{ctx.kb.plan.titles[doc_id]}」には{count_before(len(units))}{noun}が記載されています：{names(units, ctx.list_limit)}。", *cites)
        more_note(d, len(units), ctx.list_limit)
    return d if docs else None  # no plan with units: the router reads the named part instead


def _count_section(ctx: Context) -> Draft | None:
    """A part's count: the one its heading states (17の戦略分野), else its sub-headings, else its entries."""
    d = Draft()
    for part in ctx.parts_named():
        heading = ctx.u.headings[0] if ctx.u.headings else part.name
        stated = re.fullmatch(r"(\d+)の?[^のからをへ]+", heading)
        first = part.chunks[0]
        if stated:
            pos = first.text.find(heading)
            if pos >= 0:
                n = d.cite(first, first.start + pos, first.start + pos + len(heading))
                d.lead(f"見出しに「{heading}」とあり、{stated.group(1)}です。", n)
                continue
        subs = subsections(part)
        if len(subs) >= 2:
            d.lead(f"「{part.name}」は次の{count_of(len(subs))}で構成されています。")
            for name, chunk, start, end in subs:
                d.item(name, [d.cite(chunk, start, end)])
            continue
        labels = [loc for loc in part.items if len(loc.span.label) <= MAX_LABEL_CHARS]
        if labels:
            d.lead(f"「{part.name}」に挙げられている項目は{count_of(len(labels))}です。")
            for loc in labels:
                d.item(item_name(loc), [d.cite_item(loc)])
    return d if d.lines else None
