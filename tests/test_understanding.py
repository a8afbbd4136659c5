"""Question understanding, by intent: several phrasings each, follow-ups, places, variants, English,
and questions the documents do not answer. The last test is the guard that matters most: an
answer never quotes text that its cited passage does not contain."""

from __future__ import annotations

import re

import pytest

from corpus.text import squash

KYUSHU = ["AI・半導体", "エネルギー・GX・資源循環", "造船・防衛・航空宇宙", "食・観光・ヘルスケア"]
ALL_ANSWERS: list = []


def ask(bot, question, history=()):
    answer = bot.ask(question, history=list(history))
    ALL_ANSWERS.append(answer)
    return answer


def cited_blocks(answer):
    return {c.block for c in answer.citations if not c.reference}


def converse(bot, *questions):
    history, answer = [], None
    for q in questions:
        answer = ask(bot, q, history)
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": answer.text}]
    return answer


# 1. what block X plans → every item of X, each cited
@pytest.mark.parametrize("question", ["九州で検討されているクラスターの分野を教えて", "九州の重点分野って何がある？", "九州ではどういう産業クラスターを作る予定？"])
def test_block_items_lists_every_item_with_citations(bot, question):
    a = ask(bot, question)
    assert a.intent == "unit_items" and a.answerable
    assert all(f in a.text for f in KYUSHU) and cited_blocks(a) == {"九州"}
    for line in a.text.splitlines()[1:]:
        assert re.search(r"\[\d+\]", line), f"an uncited item line: {line}"


# 2. which blocks plan field Y → every matching block, not top-k
@pytest.mark.parametrize(
    "question, blocks",
    [
        ("造船に取り組む地域はどこ？", {"中国", "九州", "四国"}),
        ("造船を検討しているブロックは？", {"中国", "九州", "四国"}),
        ("宇宙関連のクラスターを考えているのはどの地方？", {"近畿", "九州", "北海道", "中部"}),
        ("半導体を挙げているブロックを全部", {"中国", "九州", "北陸", "四国", "北海道", "東北", "関東", "中部"}),
        ("洋上風力に取り組むのは？", {"北海道", "東北"}),
        ("グリーントランスフォーメーションの地域", {"近畿", "中国", "九州", "四国", "北海道", "東北", "関東"}),
    ],
)
def test_which_blocks_finds_every_block_across_the_plan(bot, question, blocks):
    a = ask(bot, question)
    assert a.intent == "which_units" and cited_blocks(a) == blocks
    for block in blocks:
        assert any(line.startswith(f"- {block}：") and re.search(r"\[\d+\]", line) for line in a.text.splitlines())


def test_shipbuilding_quotes_each_matching_item(bot):
    a = ask(bot, "造船に取り組む地域はどこ？")
    assert "④造船" in a.text and "③造船・防衛・航空宇宙" in a.text and "①造船産業" in a.text


def test_both_fields_means_the_blocks_that_name_both(bot):
    a = ask(bot, "半導体と造船の両方を挙げているブロックは？")
    assert cited_blocks(a) == {"中国", "九州", "四国"}


# 3. counts
@pytest.mark.parametrize("question, number", [("九州は何分野？", "5つ"), ("北海道のクラスターはいくつの分野？", "4つ"), ("いくつのブロックがある？", "10"), ("How many blocks are in the plan?", "10"), ("造船に取り組むブロックの数は？", "3つ")])
def test_counts(bot, question, number):
    a = ask(bot, question)
    assert a.intent == "count" and number in a.text and a.citations


# 4. comparison
@pytest.mark.parametrize("question", ["北海道と東北の違いは？", "北海道と東北を比較して", "北海道と東北で共通する分野は？"])
def test_comparison_names_common_and_different_fields(bot, question):
    a = ask(bot, question)
    assert a.intent == "compare" and cited_blocks(a) == {"北海道", "東北"}
    common = next(line for line in a.text.splitlines() if line.startswith("共通"))
    assert "半導体" in common and "洋上風力" in common
    assert "宇宙" in next(line for line in a.text.splitlines() if line.startswith("北海道のみ"))
    assert "FPDディスプレイ" in next(line for line in a.text.splitlines() if line.startswith("東北のみ"))


# 5. why / background / what-is
@pytest.mark.parametrize(
    "question, expected",
    [
        ("なぜ四国は造船なの？", "海上輸送"),
        ("四国が造船に力を入れる理由は？", "経済安全保障"),
        ("九州のクラスター形成の背景は？", "TSMC"),
        ("近畿の計画の狙いは？", "万博レガシー"),
        ("危機管理投資とは？", "リスク"),
        ("成長投資って何？", "先端技術"),
        ("TSMCの進出はどこで書かれている？", "シリコンアイランド"),
    ],
)
def test_explanations_quote_the_sentence_that_answers(bot, question, expected):
    a = ask(bot, question)
    assert a.answerable and expected in "".join(c.text for c in a.citations)


# 6. overview sections
@pytest.mark.parametrize(
    "question, block, expected",
    [
        ("分野横断的課題は？", "分野横断的課題", "労働市場改革"),
        ("分野横断的な課題を一覧で", "分野横断的課題", "スタートアップ"),
        ("17の戦略分野から洗い出された課題は？", "17の戦略分野から洗い出された課題", "リスクマネー"),
        ("凡例を教えて", "分野別凡例", "乗り物"),
        ("強い経済の好循環とは", "国内投資を徹底的にてこ入れ", "税収"),
        ("17の戦略分野とは何か", "17の戦略分野", "成長"),
    ],
)
def test_overview_questions_go_to_the_right_section(bot, question, block, expected):
    a = ask(bot, question)
    assert a.answerable and block in cited_blocks(a) and expected in a.text


def test_a_list_the_documents_do_not_give_is_not_invented(bot):
    a = ask(bot, "17の戦略分野を全部教えて")
    assert not a.answerable and "記載がありません" in a.text
    assert all(c.reference for c in a.citations)


# 7. follow-ups
def test_ellipsis_asks_the_same_question_about_another_block(bot):
    a = converse(bot, "東北ではどんな分野を検討している？", "では四国は？")
    assert cited_blocks(a) == {"四国"} and "造船産業" in a.text


def test_ellipsis_with_a_new_field(bot):
    a = converse(bot, "造船を検討しているブロックは？", "宇宙は？")
    assert a.intent == "which_units" and cited_blocks(a) == {"近畿", "九州", "北海道", "中部"}


def test_reference_to_the_blocks_of_the_previous_answer(bot):
    a = converse(bot, "洋上風力に取り組むのは？", "その地域の背景は？")
    assert cited_blocks(a) == {"北海道", "東北"} or cited_blocks(a) <= {"北海道", "東北"} and a.citations


def test_reference_with_sokode(bot):
    a = converse(bot, "沖縄ではどんな分野？", "そこではなぜその分野なの？")
    assert cited_blocks(a) == {"沖縄"} and "沖縄振興策" in "".join(c.text for c in a.citations)


@pytest.mark.parametrize("more", ["もっと詳しく", "他には？"])
def test_continuation_gives_more_about_the_same_block(bot, more):
    a = converse(bot, "北海道の分野は？", more)
    assert a.intent == "detail" and cited_blocks(a) == {"北海道"} and "安全保障" in a.text


def test_a_bare_why_keeps_the_subject(bot):
    a = converse(bot, "岐阜県の計画は？", "なぜ？")
    assert cited_blocks(a) == {"中部"} and "自動車産業" in "".join(c.text for c in a.citations)


def test_a_new_topic_is_not_mistaken_for_a_follow_up(bot):
    a = converse(bot, "九州の分野は？", "分野横断的課題は？")
    assert cited_blocks(a) == {"分野横断的課題"}


# 8. place names
@pytest.mark.parametrize(
    "question, block",
    [
        ("熊本県で検討されている分野は？", "九州"), ("岐阜県の計画は？", "中部"), ("岡山ではどんなクラスター？", "中国"),
        ("青森の分野を教えて", "東北"), ("関西の計画は？", "近畿"), ("首都圏のクラスターは？", "関東"),
        ("東海地方の分野", "中部"), ("札幌がある地域の分野", "北海道"), ("金沢のあたりはどんな計画？", "北陸"),
        ("きゅうしゅうのぶんや", "九州"), ("kinki no bunya", "近畿"), ("東京都の分野", "関東"), ("京都府の分野", "近畿"),
    ],
)
def test_place_names_map_to_their_block(bot, question, block):
    a = ask(bot, question)
    assert cited_blocks(a) == {block}


# 10. variants and English
@pytest.mark.parametrize(
    "question, block",
    [("ｷｭｳｼｭｳの分野", "九州"), ("北海道のｸﾗｽﾀｰ", "北海道"), ("九州ってさー何に力いれてんの", "九州"), ("九洲の分野", "九州")],
)
def test_width_kana_typos_and_colloquial_japanese(bot, question, block):
    assert cited_blocks(ask(bot, question)) == {block}


def test_full_width_field_names(bot):
    assert cited_blocks(ask(bot, "ＧＸに取り組むブロックは？")) == {"近畿", "中国", "九州", "四国", "北海道", "東北", "関東"}


@pytest.mark.parametrize(
    "question, blocks",
    [
        ("Which regions are considering shipbuilding?", {"中国", "九州", "四国"}),
        ("What does Kyushu plan?", {"九州"}),
        ("Why is Shikoku focusing on shipbuilding?", {"四国"}),
        ("What are the cross-cutting issues?", {"分野横断的課題"}),
    ],
)
def test_english_questions_get_japanese_answers(bot, question, blocks):
    a = ask(bot, question)
    assert cited_blocks(a) == blocks
    assert re.search(r"[ぁ-んァ-ン一-龥]", a.text.splitlines()[0])


# 9. not answered by the documents
@pytest.mark.parametrize(
    "question",
    [
        "九州の予算はいくら？", "北陸の事業費は？", "九州の計画はいつまで？", "関東で雇用はどれくらい増える？",
        "ホテル業界向けの支援策は？", "量子コンピュータに取り組むブロックは？", "北海道の人口は？",
        "What is the budget for Kyushu?", "沖縄の担当者の連絡先を教えて",
    ],
)
def test_questions_the_documents_do_not_answer_are_declined(bot, question):
    a = ask(bot, question)
    assert not a.answerable and "記載がありません" in a.text
    assert all(c.reference for c in a.citations), "only 参考 passages may be cited"


def test_a_field_a_block_does_not_plan_is_said_plainly(bot):
    a = ask(bot, "沖縄で造船は検討されてる？")
    assert "挙げられていません" in a.text and cited_blocks(a) == {"沖縄"}


def test_every_quote_and_item_is_inside_its_cited_passage(bot):
    """Run last: every quoted passage and every listed item in every answer above is inside a passage
    that the same line cites (read from the typed lines, not from the rendered text)."""
    from assistant.types import Intent, LineKind

    assert len(ALL_ANSWERS) > 50
    for a in ALL_ANSWERS:
        assert a.intent in {i.value for i in Intent}, a.intent
        by_n = {c.n: c for c in a.citations}
        for line in a.lines:
            if not line.cites:
                continue
            # quotes drop Markdown emphasis (**…**): formatting, not content
            cited = squash("".join(by_n[n].text for n in line.cites).replace("**", ""))
            if line.kind is LineKind.QUOTE:
                assert squash(line.text) in cited, (a.text, line.text)
            for name in line.items:
                assert squash(name.lstrip("①②③④⑤⑥⑦⑧⑨⑩")) in cited, (a.text, name)
            if line.kind is LineKind.ITEM and "「" not in line.text:
                assert squash(line.text.lstrip("①②③④⑤⑥⑦⑧⑨⑩")) in cited, (a.text, line.text)
            for quote in re.findall(r"「(.+?)」", line.text) if line.kind is LineKind.ITEM else ():
                assert squash(quote) in cited, (a.text, quote)
