"""Why / what a unit says about something: the unit's sentences with its reasons (prose before any
listed item) and those that name the asked field or phrase, best first; several units: each one's best."""

from __future__ import annotations

from corpus.text import squash
from assistant.answers.context import Context
from assistant.answers.draft import Draft, item_name
from assistant.answers._notes import reading_notes
from assistant.answers._passages import diverse, list_after
from assistant.answers._prose import MIN_REASON_CHARS, prose_before_items
from assistant.plan import Part
from assistant.types import Intent

INTENT = Intent.EXPLAIN

def answer(ctx: Context) -> Draft | None:
    units = ctx.units()
    if not units:
        return _in_parts(ctx) if ctx.parts_named() else None
    d = Draft()
    reading_notes(ctx, d)
    if len(units) == 1 and not ctx.u.quoted:
        return _why_unit(ctx, units[0], d)
    ranked = ctx.evidence.rank(ctx.u, ctx.hits, [s for p in units for s in p.sentences], k=0)
    chosen = diverse(ranked, limit=len(units))
    subject = ctx.evidence.subject(ctx.u, chosen[0]) if chosen else ""
    d.lead(f"{subject or 'ご質問の点'}について、資料には次のように書かれています。")
    for s in chosen:
        d.quote(s.located.span.text, d.cite_span(s.located, s.score))
    return d


def _why_unit(ctx: Context, unit: Part, d: Draft) -> Draft:
    u = ctx.u
    ranked = ctx.evidence.rank(u, ctx.hits, list(unit.sentences), k=0)
    keys = [squash(p) for p in (*u.phrases, *u.topics) if len(squash(p)) >= 2]
    vocab = ctx.kb.vocab
    asked = [s for s in ranked if any(vocab.mentions(s.located.span.text, f) for f in u.fields)
             or any(k in squash(s.located.span.text) for k in keys)]
    reasons = [s for s in ranked if prose_before_items(s.located, unit) >= MIN_REASON_CHARS]
    chosen = list(dict.fromkeys(asked + reasons))[:3] or ranked[:1]
    chosen.sort(key=lambda s: s.located.span.start)
    d.lead(f"{ctx.label(unit)}について、資料には次のように書かれています。")
    listed = set()
    for s in chosen:
        if s.located.span.start in listed:
            continue
        d.quote(s.located.span.text, d.cite_span(s.located, s.score))
        for item in list_after(unit, s.located, ctx.kb.lexicon.forward):
            listed.add(item.span.start)
            d.item(item_name(item), [d.cite_item(item)], vocab.strength(item))
    return d


def _in_parts(ctx: Context) -> Draft:
    """Why / what about a named part (凡例, 分野横断的課題): its best sentences or entries."""
    parts = ctx.parts_named()
    passages = [x for p in parts for x in (*p.sentences, *p.items)]
    ranked = ctx.evidence.rank(ctx.u, ctx.hits, passages, k=0)
    chosen = diverse(ranked, limit=2)
    d = Draft()
    d.lead(f"「{'」「'.join(p.name for p in parts)}」について、資料には次のように書かれています。")
    for s in chosen:
        d.quote(s.located.span.text, d.cite_span(s.located, s.score))
    return d
