"""The public API: answers with verifiable citations, and bad input handled without exceptions."""

from __future__ import annotations

import re

import pytest

from assistant.limits import MAX_QUESTION_CHARS

QUESTIONS = [
    "九州で検討されているクラスターの分野を教えて",
    "造船に取り組む地域はどこ？",
    "北海道と東北の違いは？",
    "なぜ四国は造船なの？",
    "危機管理投資とは？",
    "分野横断的課題は？",
    "九州の予算はいくら？",
    "Which regions are considering shipbuilding?",
]


def assert_citations_are_exact(answer, documents):
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert markers == {c.n for c in answer.citations}, "every [n] has a citation and every citation is used"
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for c in answer.citations:
        assert documents[c.doc_id].text[c.start : c.end] == c.text
        assert c.title and c.block and c.section and c.chunk_id


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_citation_is_the_exact_source_text(bot, documents, question):
    answer = bot.ask(question)
    assert answer.text and answer.citations
    assert_citations_are_exact(answer, documents)


def test_the_kyushu_question_returns_its_five_fields_with_the_kyushu_passage(bot):
    answer = bot.ask("九州で検討されているクラスターの分野を教えて")
    assert answer.answerable and answer.intent == "unit_items"
    for field in ["AI・半導体", "エネルギー・GX・資源循環", "造船・防衛・航空宇宙", "防災・減災・国土強靱化、港湾ロジスティクス", "食・観光・ヘルスケア"]:
        assert field in answer.text
    assert {c.block for c in answer.citations} == {"九州"}


def test_the_answer_shape_is_stable(bot):
    d = bot.ask("九州の分野は？").to_dict()
    assert set(d) == {"text", "answerable", "intent", "mode", "citations", "lines"}
    assert d["mode"] == "extractive"
    assert set(d["citations"][0]) == {
        "n", "chunk_id", "doc_id", "title", "block", "section", "text", "start", "end", "score", "page", "reference",
        "file", "shown", "breadcrumb",
    }
    first = d["citations"][0]
    assert first["breadcrumb"].startswith(first["title"]) and first["block"] in first["breadcrumb"]


@pytest.mark.parametrize("question", ["", "   ", "\n\t", None, 42])
def test_an_empty_or_non_text_question_gets_a_message_not_an_exception(bot, question):
    answer = bot.ask(question)
    assert not answer.answerable and answer.intent == "invalid" and answer.citations == []
    assert "質問" in answer.text


def test_an_over_long_question_is_refused_with_its_limit(bot):
    answer = bot.ask("九州" * MAX_QUESTION_CHARS)
    assert answer.intent == "invalid" and f"{MAX_QUESTION_CHARS:,}文字以内" in answer.text


def test_odd_history_entries_are_ignored(bot):
    history = [{"role": "user"}, "junk", {"role": "assistant", "content": None}, {"role": "user", "content": ["x"]}]
    assert bot.ask("九州の分野は？", history=history).citations


def test_an_internal_failure_becomes_a_japanese_message(bot, monkeypatch):
    monkeypatch.setattr(bot, "understand", lambda *a, **k: 1 / 0)
    answer = bot.ask("九州の分野は？")
    assert answer.intent == "error" and "エラー" in answer.text and not answer.answerable


def test_ask_is_safe_from_many_threads_at_once(bot):
    """The UI answers in worker threads; Sudachi tokenizers must not be shared between them."""
    from concurrent.futures import ThreadPoolExecutor

    questions = ["九州の分野は？", "造船に取り組む地域は？", "危機管理投資とは？", "北海道と東北の違いは？"] * 15
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(bot.ask, questions))
    assert [a.intent for a in answers].count("error") == 0
    assert all(a.citations for a in answers)
