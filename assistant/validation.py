"""Is this a question we can answer at a bounded cost? One check for the API, the CLI and the UI.

The length limit applies to the question as it is processed, after `corpus.text.normalize` (NFKC):
a few characters can expand a lot (U+FDFA「ﷺ」 becomes 18 characters), so counting the raw input would let
1,000 characters become 18,000. Normalising costs time proportional to the input, so input longer than
`RAW_FACTOR` times the limit is refused before it is normalised.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from assistant.limits import MAX_QUESTION_CHARS
from corpus.text import normalize

RAW_FACTOR = 4
ProblemCode = Literal["empty", "encoding", "too_long"]

ENCODING_MESSAGE = (
    "質問に読み取れない文字が含まれています（UTF-8 ではない文字コードか、壊れた文字です）。"
    "UTF-8 の文字で入力し直してください。"
)


@dataclass(frozen=True)
class QuestionProblem:
    code: ProblemCode
    message: str  # Japanese, for the user as it is
    length: int = 0  # for "too_long": characters after normalisation (or the raw count, if refused before)
    limit: int = MAX_QUESTION_CHARS


def check_question(question: object, limit: int = MAX_QUESTION_CHARS) -> QuestionProblem | None:
    """None when the question may be answered; else what is wrong with it, with a Japanese message."""
    if not isinstance(question, str):
        return QuestionProblem("empty", empty_message(), limit=limit)
    raw = len(question)
    if raw > RAW_FACTOR * limit:  # before any per-character work
        return QuestionProblem("too_long", too_long_message(raw, raw, limit), raw, limit)
    if _blank(question):
        return QuestionProblem("empty", empty_message(), limit=limit)
    if any("\ud800" <= ch <= "\udfff" for ch in question):  # lone surrogates: undecodable bytes (surrogateescape)
        return QuestionProblem("encoding", ENCODING_MESSAGE, limit=limit)
    length = len(normalize(question))
    if length > limit:
        return QuestionProblem("too_long", too_long_message(raw, length, limit), length, limit)
    return None


def empty_message() -> str:
    from assistant.lexicon import Lexicon  # the example question is data

    return f"質問が空です。知りたいことを日本語で入力してください（例：「{Lexicon.load().example_question}」）。"


def question_error(question: object, limit: int = MAX_QUESTION_CHARS) -> str | None:
    """Just the Japanese message (None when the question is fine)."""
    problem = check_question(question, limit)
    return problem.message if problem else None


def too_long_message(raw: int, normalized: int, limit: int = MAX_QUESTION_CHARS) -> str:
    if normalized == raw:
        return f"質問が長すぎます（{raw:,}文字）。{limit:,}文字以内で入力してください。"
    return (
        f"質問が長すぎます（{raw:,}文字ですが、記号や合字を展開すると{normalized:,}文字になります）。"
        f"{limit:,}文字以内で入力してください。"
    )


def _blank(text: str) -> bool:
    """Nothing but white space, controls and invisible format characters (zero-width space, BOM…)."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in text)
