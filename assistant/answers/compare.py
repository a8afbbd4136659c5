"""Two or more units side by side: what they share and what only one lists."""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers.draft import Draft, item_name
from assistant.answers._notes import reading_notes
from assistant.types import Intent

INTENT = Intent.COMPARE


def answer(ctx: Context) -> Draft:
    d = Draft()
    reading_notes(ctx, d)
    units = ctx.units()
    vocab = ctx.kb.vocab
    has = {id(p): vocab.fields_of(p) for p in units}
    common = [f for f in has[id(units[0])] if all(f in has[id(p)] for p in units)] if units else []
    d.lead(f"{'と'.join(p.name for p in units)}を比較します。")
    d.lead(f"共通して挙げられているもの：{'、'.join(common) if common else 'なし'}")
    for p in units:
        others = {f for o in units if o is not p for f in has[id(o)]}
        only = [f for f in has[id(p)] if f not in others]
        d.lead(f"{p.name}のみ：{'、'.join(only) if only else 'なし'}")
    for p in units:
        d.unit(p.name, [item_name(i) for i in p.listed], [d.cite_item(i) for i in p.listed])
    return d
