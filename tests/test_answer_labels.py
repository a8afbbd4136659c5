"""Issue 20 §2, in the answers themselves (every shape, as the CLI, the JSON API and the chat get them):
each item of a plan says how firmly it is stated in the same words, every summary line carries a
citation, and an item named in a sentence that lists several is cited by its own span.

Before: the unit list said 「4分野」 for 関東 with no mark on its lines' text but 「可能性」 on some; a
comparison's 「共通して…」「北海道のみ…」 had no [n]; every field of 中国 cited the whole five-field sentence."""

from __future__ import annotations

import pytest

from assistant import LineKind, Strength, strength_label
from assistant.render import line_text

PLANNED, POTENTIAL = strength_label(Strength.PLANNED), strength_label(Strength.POTENTIAL)

SHAPES = [  # question → the intent that answers it (one of each shape that names a plan's items)
    ("関東で検討されている分野は？", "unit_items"),
    ("関東で造船はある？", "unit_field"),
    ("関東で半導体はある？", "unit_field"),  # yes: the item is named in the lead, labelled there
    ("半導体に取り組むブロックは？", "which_units"),
    ("関東と中部の違いは？", "compare"),
    ("関東で挙げられている分野はいくつ？", "count"),
    ("半導体を挙げていないブロックは？", "which_units"),
]


@pytest.mark.parametrize("question,intent", SHAPES)
def test_every_shape_labels_each_item_it_names_in_the_same_words(bot, question, intent):
    a = bot.ask(question)
    assert a.intent == intent
    named = [(item, s) for line in a.lines if line.kind in (LineKind.ITEM, LineKind.UNIT)
             for item, s in zip(line.items or (line.text,), line.item_strengths())]
    assert all(s is not None for _, s in named), a.text  # every item of a plan has its strength
    for item, strength in named:
        assert f"{item}（{strength_label(strength).badge}）" in a.text
    # 関東 states ①航空 under consideration and ②GX ③半導体 ④食 as a potential only, whatever the shape
    kanto = "\n".join(line_text(line) for line in a.lines if line.unit in ("", "関東"))
    found = 0
    for item, label in (("①航空", PLANNED), ("②GX", POTENTIAL), ("③半導体", POTENTIAL), ("④食", POTENTIAL)):
        if item in kanto:
            found += 1
            assert f"{item}（{label.badge}）" in kanto or f"「{item}」（{label.badge}）" in kanto
    assert found or intent == "which_units" and "関東" not in a.text  # the complement of 半導体 names no 関東 item
    if POTENTIAL.badge in a.text:
        assert a.text.count(POTENTIAL.explain) == 1  # what ○ means, said once


def test_a_list_that_mixes_strengths_counts_them_in_its_lead(bot):
    a = bot.ask("関東で検討されている分野は？")
    assert a.lines[0].text.endswith(f"（{PLANNED.badge} 1、{POTENTIAL.badge} 3）。")
    kyushu = bot.ask("九州で検討されているクラスターの分野は？")
    assert "（" not in kyushu.lines[0].text  # all planned: nothing to count


SUMMARIES = ["北海道と東北の違いは？", "北海道と中部の違いは？", "関東と中部の違いは？", "九州と四国と中国を比べて",
             "造船に取り組む地域はどこ？", "関東で検討されている分野は？", "分野が最も少ないブロックは？",
             "いくつのブロックがある？", "熊本県で造船はある？", "関東で造船はある？", "なぜ四国は造船なの？"]


@pytest.mark.parametrize("question", SUMMARIES)
def test_every_summary_line_carries_a_citation(bot, question):
    """A lead either cites what it rests on or introduces the cited lines right after it (「次の…」)."""
    a = bot.ask(question)
    for i, line in enumerate(a.lines):
        if line.kind is not LineKind.LEAD or line.cites:
            continue
        after = a.lines[i + 1] if i + 1 < len(a.lines) else None
        assert after is not None and after.cites, f"uncited summary: {line.text}"


def test_each_field_of_a_sentence_that_lists_several_is_cited_by_its_own_span(bot):
    a = bot.ask("中国で検討されている分野は？")
    items = [line for line in a.lines if line.kind is LineKind.ITEM]
    assert len(items) == 5 and len({line.cites for line in items}) == 5
    by_n = {c.n: c for c in a.citations}
    assert [by_n[line.cites[0]].text for line in items] == [line.text for line in items]  # 「①半導体」 …
    kyushu = bot.ask("九州で検討されているクラスターの分野は？")  # a sentence naming one item: the sentence
    first = {c.n: c for c in kyushu.citations}[kyushu.lines[1].cites[0]]
    assert first.text.startswith("TSMC進出を契機に") and "①AI・半導体" in first.text
