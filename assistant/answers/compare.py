"""Two or more units side by side: what they share and what only one lists. Each summary line cites the
sentences that name its fields; each unit's list follows, every item with its strength."""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers.draft import Draft
from assistant.answers._notes import reading_notes
from assistant.answers._unit_lists import whole_list
from assistant.plan import Part
from assistant.types import Intent

INTENT = Intent.COMPARE


def _cites(d: Draft, ctx: Context, units: list[Part], fields: list[str]) -> list[int]:
    """The sentences of `units` whose items name one of `fields` (all of their list when `fields` is empty:
    「なし」 rests on the whole list)."""
    vocab = ctx.kb.vocab
    out = []
    for p in units:
        for loc in p.listed:
            if not fields or any(vocab.mentions(loc.span.label, f) for f in fields):
                out.append(d.cite_sentence(loc))
    return list(dict.fromkeys(out))


def answer(ctx: Context) -> Draft:
    d = Draft()
    reading_notes(ctx, d)
    units = ctx.units()
    vocab = ctx.kb.vocab
    has = {id(p): vocab.fields_of(p) for p in units}
    common = [f for f in has[id(units[0])] if all(f in has[id(p)] for p in units)] if units else []
    d.lead(f"{'と'.join(p.name for p in units)}を比較します。")
    d.lead(f"共通して挙げられているもの：{'、'.join(common) if common else 'なし'}", *_cites(d, ctx, units, common))
    for p in units:
        others = {f for o in units if o is not p for f in has[id(o)]}
        only = [f for f in has[id(p)] if f not in others]
        d.lead(f"{p.name}のみ：{'、'.join(only) if only else 'なし'}", *_cites(d, ctx, [p] if only else units, only))
    for p in units:
        whole_list(d, ctx, p)
    return d
