"""Superlatives over a plan: the unit with the most (fewest) items, or the field the most units list.

Which of the two is asked is read from the question's word order: the noun it ends on names what is
ranked (「分野が最も少ない＜単位名＞は」 ranks units, 「挙げる＜単位名＞が多い分野は」 ranks fields).
"""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers.draft import Draft
from assistant.answers._unit_lists import more_note, names, shown, unit_lines, whole_list
from assistant.types import Intent

INTENT = Intent.RANK


def _asks_for_units(ctx: Context, doc_id: str) -> bool:
    norm = ctx.u.normalized
    unit_words = [w for w in (ctx.noun(doc_id), *ctx.kb.lexicon.region_words) if w]
    item_words = [w for w in (ctx.item_noun(doc_id), *ctx.kb.lexicon.item_nouns) if w]
    last_unit = max((norm.rfind(w) for w in unit_words), default=-1)
    last_item = max((norm.rfind(w) for w in item_words), default=-1)
    return last_unit >= last_item


def answer(ctx: Context) -> Draft:
    d = Draft()
    most = ctx.u.rank == "most"
    docs = ctx.scope or ctx.kb.plan.unit_docs
    budget = ctx.list_limit  # units listed over all plans; further plans are only counted
    skipped = 0
    for doc_id in docs:
        units = ctx.kb.plan.units([doc_id])
        if not units:
            continue
        if budget is not None and budget <= 0:
            skipped += 1
            continue
        word = "最も多い" if most else "最も少ない"
        if _asks_for_units(ctx, doc_id) and not ctx.u.fields:
            sizes = {id(p): len(p.listed) for p in units}
            best = (max if most else min)(sizes.values())
            top = [p for p in units if sizes[id(p)] == best]
            noun = ctx.item_noun(doc_id)
            d.lead(f"{noun}の数が{word}のは{names(top, budget)}（{best}{noun}）です。")
            for p in shown(top, budget):
                whole_list(d, ctx, p)
            more_note(d, len(top), budget)
            budget = None if budget is None else budget - len(top)
            continue
        vocab = ctx.kb.vocab
        fields = list(ctx.u.fields) or vocab.atoms
        count = {f: vocab.unit_counts(f).get(doc_id, 0) for f in fields}
        count = {f: n for f, n in count.items() if n}
        if not count:
            continue
        best = (max if most else min)(count.values())
        top = [f for f, n in count.items() if n == best]
        noun = ctx.noun(doc_id)
        d.lead(f"挙げている{noun}の数が{word}のは{'、'.join(top)}（{best}{noun}）です。")
        for f in top:
            unit_lines(d, vocab.matches(f, [doc_id]), budget)
            budget = None if budget is None else budget - best
    if skipped:
        d.note(f"ほか{skipped}件の文書の結果は省略しました。すべて表示するには「続きを表示」（CLI: --all）を使ってください")
    return d
