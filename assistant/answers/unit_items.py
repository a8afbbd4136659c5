"""What a unit lists: 「Aではどんな分野？」 → every item of the unit, each cited, with its strength."""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers._prose import MIN_REASON_CHARS, prose_before_items
from assistant.answers.draft import Draft, count_of, item_name
from assistant.answers._notes import reading_notes
from assistant.answers._strength import counted
from assistant.types import Intent

INTENT = Intent.UNIT_ITEMS

# A unit's overview (「特徴は」) adds at most this many of its sentences that carry reasons.
OVERVIEW_SENTENCES = 2


def answer(ctx: Context) -> Draft:
    d = Draft()
    reading_notes(ctx, d)
    vocab = ctx.kb.vocab
    for unit in ctx.units():
        items = list(unit.listed)
        noun = ctx.item_noun(unit.doc_id)
        if ctx.u.negated and ctx.u.fields:  # 「X以外」
            items = [i for i in items if not any(vocab.mentions(i.span.label, f) for f in ctx.u.fields)]
        strengths = [vocab.strength(loc) for loc in items]
        if ctx.u.negated and ctx.u.fields:
            d.lead(counted(f"{ctx.label(unit)}で{'・'.join(ctx.u.fields)}以外に挙げられている{noun}は次の{count_of(len(items))}です。",
                           strengths))
        elif items:
            d.lead(counted(f"{ctx.label(unit)}では、次の{len(items)}{noun}が挙げられています。", strengths))
        if items:
            cites = [d.cite_item(loc) for loc in items]
            for loc, n, strength in zip(items, cites, strengths):
                d.item(item_name(loc), [n], strength)
            more = [i for i in unit.items if i not in unit.listed]
            if more and not ctx.u.negated:
                d.lead(f"あわせて、次の{len(more)}項目が挙げられています。")
                for loc in more:
                    d.item(item_name(loc), [d.cite_item(loc)])
            if ctx.u.cue("overview"):  # 「特徴は」「概要は」: what the unit says it builds on, too
                reasons = [s for s in unit.sentences if prose_before_items(s, unit) >= MIN_REASON_CHARS][:OVERVIEW_SENTENCES]
                if reasons:
                    d.lead("資料には次のようにも書かれています。")
                    for s in reasons:
                        d.quote(s.span.text, d.cite_span(s))
        else:
            d.lead(f"{ctx.label(unit)}について、資料には次のように書かれています。")
            for s in unit.sentences:
                d.quote(s.span.text, d.cite_span(s))
    return d
