"""Does a unit list a field: 「AはXに取り組んでいる？」 → yes with the item, or no with what it lists."""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers.draft import Draft, item_name
from assistant.answers._notes import reading_notes
from assistant.types import Intent, Strength

INTENT = Intent.UNIT_FIELD


def answer(ctx: Context) -> Draft | None:
    if ctx.u.negated:
        return None  # 「X以外」: the unit's other items (the router's fallback)
    d = Draft()
    reading_notes(ctx, d)
    vocab = ctx.kb.vocab
    for unit in ctx.units():
        noun = ctx.item_noun(unit.doc_id)
        for f in ctx.u.fields:
            hits = [loc for loc in unit.listed if vocab.mentions(loc.span.label, f)]
            if hits:
                names = "、".join(f"「{item_name(h)}」" for h in hits)
                cites = [d.cite_item(h) for h in hits]
                d.lead(f"はい。{ctx.label(unit)}では{f}に関わる{noun}として{names}が挙げられています。", *cites)
                if all(vocab.strength(h) is Strength.POTENTIAL for h in hits):
                    d.note("ただし、検討ではなく可能性への言及です", *cites)
            else:
                listed = "、".join(item_name(i) for i in unit.listed)
                cites = [d.cite_item(i) for i in unit.listed]
                d.lead(f"{ctx.label(unit)}の記載には{f}は挙げられていません。挙げられている{noun}は{listed}です。", *cites)
    return d
