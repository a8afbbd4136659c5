"""Does a unit list a field: 「AはXに取り組んでいる？」 → yes with the item, or no with what it lists."""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers.draft import Draft, count_of, item_name
from assistant.answers._notes import reading_notes
from assistant.answers._strength import counted, explain_potential
from assistant.render import labelled
from assistant.types import Intent

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
                strengths = [vocab.strength(h) for h in hits]
                names = "、".join(labelled(f"「{item_name(h)}」", s) for h, s in zip(hits, strengths))
                cites = [d.cite_item(h) for h in hits]
                d.lead(f"はい。{ctx.label(unit)}では{f}に関わる{noun}として{names}が挙げられています。", *cites)
                explain_potential(d, strengths, cites)
            else:  # no, and what the unit does list: one line per item, as in a list answer
                listed = list(unit.listed)
                strengths = [vocab.strength(i) for i in listed]
                cites = [d.cite_item(i) for i in listed]
                d.lead(counted(f"{ctx.label(unit)}の記載には{f}は挙げられていません。挙げられている{noun}は次の"
                               f"{count_of(len(listed))}です。", strengths))
                for loc, n, strength in zip(listed, cites, strengths):
                    d.item(item_name(loc), [n], strength)
    return d
