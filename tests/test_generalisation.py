"""Mechanisms that generalise beyond the bundled plans (issue 10): document profiles, plan semantics only
where a question is about the plan, the general path for ordinary documents, names read by reading and
meaning, and the answer shapes users expect. Each test would fail with the rule-list understanding."""

from __future__ import annotations

import pytest

from assistant.types import Intent, LineKind, Strength

# An ordinary article that shares names with the plan's units: 中国 the country, 東京 in 東京大学,
# 九州 in 北九州市. A plan-minded assistant would answer these from the plan's blocks.
ARTICLE = """# 東アジアの大学と都市

中国は東アジアに位置する国で、首都は北京である。人口は約14億人で、長い歴史を持つ。

東京大学は1877年に設立された国立大学で、本部は東京都文京区の本郷キャンパスにある。

北九州市は福岡県の北部にある政令指定都市で、1963年に五つの市が合併して誕生した。戦後は鉄鋼業で栄えた。

日本の近代的な大学制度は明治以降に整えられた。
"""


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """The bundled plans plus one ordinary article, indexed as a user document."""
    from assistant import Assistant, Settings

    data = tmp_path_factory.mktemp("mixed")
    (data / "documents").mkdir()
    (data / "documents" / "east_asia.md").write_text(ARTICLE, encoding="utf-8")
    return Assistant.load(Settings(data_dir=data))


def claims(answer):
    return [c for c in answer.citations if not c.reference]


# --- profiles ---------------------------------------------------------------------------------------


def test_profiles_are_derived_from_each_documents_structure(mixed):
    profiles = mixed.profiles()
    plan = profiles["cluster_plan"]
    assert plan.kind.value == "regional_plan" and plan.unit_noun == "ブロック" and plan.item_noun == "分野"
    assert len(plan.unit_paths) == 10 and plan.legend is not None
    assert not profiles["growth_strategy"].has_units
    assert profiles["east_asia"].kind.value == "prose" and not profiles["east_asia"].has_units


def test_a_unit_name_is_never_doubled_with_its_noun(mixed):
    plan = mixed.profiles()["cluster_plan"]
    assert plan.unit_label("九州") == "九州ブロック" and plan.unit_label("架空ブロック") == "架空ブロック"


# --- plan semantics only where the question is about the plan ---------------------------------------


@pytest.mark.parametrize(
    "question, expected",
    [
        ("中国の首都はどこ？", "北京"),
        ("東京大学はいつ設立された？", "1877"),
        ("北九州市はいつ誕生した？", "1963"),
    ],
)
def test_place_names_of_another_document_do_not_become_plan_blocks(mixed, question, expected):
    a = mixed.ask(question)
    assert a.intent == Intent.GENERAL.value and a.answerable, a.text
    assert claims(a)[0].doc_id == "east_asia" and expected in a.text
    assert "ブロック" not in a.text


def test_the_plan_is_still_answered_when_the_question_is_about_it(mixed):
    a = mixed.ask("中国ブロックではどんな分野を検討している？")
    assert a.intent == Intent.UNIT_ITEMS.value and {c.block for c in claims(a)} == {"中国"}


def test_where_when_and_who_answers_name_the_thing_first(mixed):
    a = mixed.ask("東京大学の本部はどこにある？")
    assert a.lines[0].kind is LineKind.LEAD and "文京区" in a.lines[0].text
    when = mixed.ask("日本の近代的な大学制度が整えられたのはいつ？")
    assert when.answerable and "明治以降" in when.lines[0].text  # a time in words is an answer


def test_the_document_filter_keeps_answers_inside_the_chosen_documents(mixed):
    a = mixed.ask("人口は？", doc_ids=["east_asia"])
    assert a.citations and all(c.doc_id == "east_asia" for c in a.citations)


# --- names read by reading, by slip and by meaning ----------------------------------------------------


@pytest.mark.parametrize("question, unit", [("北海堂の分野は？", "北海道"), ("とうほくってなにやるの", "東北")])
def test_a_unit_written_with_a_slip_or_in_kana_is_read_and_said_so(bot, question, unit):
    a = bot.ask(question)
    assert {c.block for c in claims(a)} == {unit}


def test_a_slip_is_said_in_the_answer(bot):
    a = bot.ask("北海堂の分野は？")
    assert a.lines[0].kind is LineKind.NOTE and "北海道" in a.lines[0].text


def test_a_real_word_is_not_taken_for_a_slip(bot):
    """吸収 sounds like 九州 (キュウシュウ), but it is a word, not a slip."""
    a = bot.ask("吸収について教えて")
    assert "九州" not in a.text


def test_a_field_named_in_other_words_reaches_its_items(bot):
    a = bot.ask("船づくりに取り組む地域は？")
    assert a.intent == Intent.WHICH_UNITS.value and {c.block for c in claims(a)} == {"中国", "九州", "四国"}


def test_a_field_reached_by_meaning_is_said_so(bot):
    a = bot.ask("旅行に力を入れている地域は？")
    assert a.intent == Intent.WHICH_UNITS.value and "観光" in a.text
    assert any(line.kind is LineKind.NOTE and "旅行→観光" in line.text for line in a.lines)


def test_an_unrelated_topic_is_not_taken_for_a_field(bot):
    a = bot.ask("量子技術に取り組むブロックは？")
    assert not a.answerable and "量子" in a.text


# --- answer shapes ------------------------------------------------------------------------------------


def test_superlative_over_units(bot):
    a = bot.ask("分野が最も少ないブロックは？")
    assert a.intent == Intent.RANK.value and "北陸" in a.lines[0].text


def test_superlative_over_fields(bot):
    a = bot.ask("挙げているブロックが最も多い分野は？")
    assert a.intent == Intent.RANK.value and "半導体（8" in a.lines[0].text


def test_the_difference_between_two_terms_defines_both(bot):
    a = bot.ask("危機管理投資と成長投資はどう違う？")
    assert a.intent == Intent.DIFFERENCE.value and len(claims(a)) == 2
    assert "リスク" in claims(a)[0].text + claims(a)[1].text and "先端技術" in claims(a)[0].text + claims(a)[1].text


def test_a_filtering_follow_up_narrows_the_previous_list(bot):
    first = "造船に取り組む地域はどこ？"
    answer = bot.ask(first)
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": answer.text}]
    a = bot.ask("それらの中で半導体も挙げているのは？", history)
    assert {c.block for c in claims(a)} == {"中国", "九州", "四国"}  # not the eight blocks that name 半導体
    assert a.trace["followup"] == "narrow" and set(a.trace["carried"]) == {"中国", "九州", "四国"}


def test_potential_is_not_reported_as_planned(bot):
    a = bot.ask("関東ではどんな分野を検討している？")
    strengths = {line.text: line.strength for line in a.lines if line.kind is LineKind.ITEM}
    assert strengths["①航空"] is Strength.PLANNED
    assert strengths["③半導体"] is Strength.POTENTIAL and "可能性" in a.text


def test_an_exact_compound_stays_exact_and_wider_matches_are_a_note(bot):
    a = bot.ask("水素・アンモニアに取り組むのは？")
    units = [line.unit for line in a.lines if line.kind is LineKind.UNIT]
    assert units == ["中部"]


# --- follow-ups that must not inherit -----------------------------------------------------------------


def test_a_follow_up_about_a_term_the_documents_lack_is_declined_not_answered_from_the_previous_list(bot):
    """Issue 12, finding 6: it used to return the 造船 list, cited, with answerable=True."""
    first = "造船に取り組む地域はどこ？"
    answer = bot.ask(first)
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": answer.text}]
    a = bot.ask("量子技術に取り組むブロックは？", history)
    assert not a.answerable and "造船" not in a.text


def test_a_follow_up_shows_what_it_carried(bot):
    first = "東北ではどんな分野を検討している？"
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": bot.ask(first).text}]
    a = bot.ask("では四国は？", history)
    assert {c.block for c in claims(a)} == {"四国"} and a.trace["followup"] == "ellipsis"


def test_history_is_capped_in_turns_and_characters():
    """Issue 12, finding 4: every earlier turn used to be re-read whole; a few huge turns made every later
    question slow. Only the last MAX_TURNS user turns are read, each cut to MAX_TURN_CHARS."""
    from assistant.understanding.followups import MAX_TURN_CHARS, MAX_TURNS, earlier_questions

    history = []
    for i in range(40):
        history += [{"role": "user", "content": f"{i}" + "造船" * 5000}, {"role": "assistant", "content": "…"}]
    read = earlier_questions(history)
    assert len(read) == MAX_TURNS and all(len(q) <= MAX_TURN_CHARS for q in read)
    assert read[-1].startswith("39")


def test_a_long_history_of_odd_turns_still_answers(bot):
    history = [{"role": "user", "content": "ﷺ" * 900}, {"role": "assistant", "content": "x"}] * 30
    a = bot.ask("九州の分野は？", history)
    assert a.answerable and {c.block for c in claims(a)} == {"九州"}


# --- one entry of the previous answer, by its place in the list ---------------------------------------

def test_an_ordinal_names_the_entry_of_the_previous_list():
    from assistant.understanding.followups import listed, pick_listed
    from assistant.lexicon import Lexicon

    ordinal = Lexicon.load().cues["ordinal"]
    rendered = "A地区では、次の3分野が挙げられています。\n- ①アルファ [1]\n- ②ベータ・ガンマ [1]\n- ③デルタ [2]"
    inline = "①甲の推進、②乙プロジェクト、③丙プログラムの3つです [1]。"
    assert listed(rendered) == ["アルファ", "ベータ・ガンマ", "デルタ"]
    assert listed(inline)[:2] == ["甲の推進", "乙プロジェクト"] and len(listed(inline)) == 3
    assert pick_listed("そのうち2つ目の事業費は？", inline, ordinal) == ("乙プロジェクトの事業費は？", "そのうち2つ目→乙プロジェクト")
    assert pick_listed("最後のはどこ？", rendered, ordinal)[0] == "デルタのはどこ？"
    assert pick_listed("二番目について詳しく", rendered, ordinal)[0].startswith("ベータ・ガンマ")
    assert pick_listed("5つ目は？", rendered, ordinal) is None  # no such entry: read as it is
    assert pick_listed("2つ目は？", "一文だけの回答です[1]。", ordinal) is None


def test_a_follow_up_by_position_answers_about_that_entry(bot):
    first = bot.ask("九州ブロックで検討されている分野は？")
    entries = [line for line in first.text.splitlines() if line.startswith("- ")]
    history = [{"role": "user", "content": "九州ブロックで検討されている分野は？"}, {"role": "assistant", "content": first.text}]
    second = bot.ask("2番目について詳しく", history=history)
    name = entries[1][2:].split("[")[0].strip().lstrip("②")
    assert second.answerable and name in second.text and "2番目→" in second.text


def test_a_where_question_about_a_plan_whose_passages_miss_its_topic_is_declined_not_an_error(bot, monkeypatch):
    # every passage fails the topic check: the general path must say so, never fall over on an empty choice
    from dataclasses import replace

    from assistant.answers import Context, general
    from assistant.evidence import Evidence

    state = bot._state
    u = bot.understand("洋上風力の拠点はどこにある？", [], None, state)
    hits = u.hits
    u = replace(u, plan_context=True)
    monkeypatch.setattr(Evidence, "covers", lambda self, u, loc: False)
    draft = general.answer(Context(u, hits, state.kb, state.evidence, 30, ""))
    assert any("記載がありません" in line.text for line in draft.lines)
