"""assistant.validation: one question check for the API, the CLI and the UI (issue 12, finding 4)."""

from __future__ import annotations

import pytest

from assistant.limits import MAX_QUESTION_CHARS
from assistant.validation import RAW_FACTOR, check_question, question_error
from corpus.text import normalize


def test_an_ordinary_question_passes():
    assert check_question("九州で検討されているクラスターの分野は？") is None
    assert check_question("あ" * MAX_QUESTION_CHARS) is None
    assert question_error("造船に取り組む地域は？") is None


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "\u200b\ufeff \u3000", None, 42, b"bytes"])
def test_empty_blank_and_non_text_questions_are_empty(question):
    problem = check_question(question)
    assert problem is not None and problem.code == "empty" and problem.message.startswith("質問が空です")


def test_the_limit_applies_after_normalisation():
    """One character U+FDFA becomes 18 under NFKC: 1,000 of them passed the raw length check and cost
    15-37 s per question. The check counts what is processed."""
    question = "\ufdfa" * 1000
    assert len(question) == MAX_QUESTION_CHARS and len(normalize(question)) == 18 * MAX_QUESTION_CHARS
    problem = check_question(question)
    assert problem is not None and problem.code == "too_long" and problem.length == 18_000
    assert "1,000文字ですが" in problem.message and "18,000文字" in problem.message
    assert f"{MAX_QUESTION_CHARS:,}文字以内" in problem.message


def test_input_far_over_the_limit_is_refused_before_it_is_normalised(monkeypatch):
    import assistant.validation as validation

    def must_not_normalise(text):
        raise AssertionError("normalised a question that is far too long")

    monkeypatch.setattr(validation, "normalize", must_not_normalise)
    problem = check_question("九" * (RAW_FACTOR * MAX_QUESTION_CHARS + 1))
    assert problem is not None and problem.code == "too_long" and problem.length == RAW_FACTOR * MAX_QUESTION_CHARS + 1


@pytest.mark.parametrize("question", ["九州\udcff", "\ud800の分野", b"\xff\xfe".decode("utf-8", "surrogateescape")])
def test_lone_surrogates_get_their_own_message(question):
    problem = check_question(question)
    assert problem is not None and problem.code == "encoding"
    assert "読み取れない文字" in problem.message and "UTF-8" in problem.message


def test_the_api_uses_the_same_check(bot):
    answer = bot.ask("\ufdfa" * 1000)
    assert answer.intent == "invalid" and answer.text == check_question("\ufdfa" * 1000).message
    assert bot.ask("九州\udcffの分野").text == check_question("九州\udcff").message
