"""Follow-ups: a question's entities completed from the conversation so far. Resolution returns facts (what
was carried, the conversational `Move`, the intent of the turn continued); `intent.py` decides the intent.

- ellipsis: 「ではBは？」 after a question about A → the same kind of question about B
  (a new unit replaces the units, a new field replaces the fields);
- reference: 「そこでは」「その地域の」 → the units of the previous question, or of its answer;
- continuation: 「他には？」「もっと詳しく」 → more detail on the previous subject;
- narrow: 「それらの中でXも挙げているのは？」 → the previous answer's units, filtered;
- a bare 「なぜ？」「いくつ？」 keeps the previous subject.
A follow-up that names a word the documents never use inherits nothing: it is declined on its own
terms instead of answering the previous question again.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Sequence

from assistant.types import Intent
from assistant.understanding.model import Entities, Move, Understanding

if TYPE_CHECKING:
    from assistant.fields import FieldVocabulary

MAX_TURNS = 6  # earlier turns rarely matter, and each costs a re-reading
MAX_TURN_CHARS = 300  # a longer earlier turn is read from its start only
_ELLIPSIS_CHARS = 25


def answer_units(u: Understanding, vocab: FieldVocabulary) -> tuple[str, ...]:
    """The units a resolved question was about, including the units its answer named."""
    if u.units:
        return u.units
    if u.intent in (Intent.WHICH_UNITS, Intent.COUNT) and u.fields:
        units = [m.unit.name for f in u.fields for m in vocab.matches(f, u.scope or None)]
        if u.within:
            units = [n for n in units if n in u.within]
        return tuple(dict.fromkeys(units))
    return ()


def merge(current: Entities, previous: Understanding | None, vocab: FieldVocabulary,
          recent: tuple[str, ...] = (), item_nouns: tuple[str, ...] = ()) -> Entities:
    """`recent`: the units of earlier turns, most recent first. `item_nouns`: what plans call their items
    (分野, 施策 …): a question that names a unit and asks for those is whole, and starts fresh."""
    if previous is None:
        return current
    c = current.cues
    if current.unknown_terms and not c & {"continue", "reference"}:
        return current  # 「Yに取り組む＜単位名＞は？」 after X: a new subject the documents lack
    carry = lambda **kw: replace(current, scope=previous.scope, **kw)  # noqa: E731
    said = answer_units(previous, vocab)
    if "reference" in c and not current.units and "pair" in c and len(recent) >= 2:
        units = tuple(reversed(recent[:2]))
        return carry(units=units, followup="reference", carried=units, move=Move.PAIR, previous_intent=previous.intent)
    if "compare" in c and len(current.units) == 1 and said:
        units = tuple(dict.fromkeys((*said, *current.units)))  # 「Bとくらべると？」 after a question about A
        return carry(units=units, followup="ellipsis", carried=said, move=Move.VERSUS, previous_intent=previous.intent)
    if "narrow" in c and current.fields and not current.units and said and previous.intent is Intent.WHICH_UNITS:
        return carry(within=said, followup="narrow", carried=said, move=Move.NARROW, previous_intent=previous.intent)
    if "continue" in c and not current.has_entities:
        carried = said or previous.fields or previous.sections
        if not carried:  # more about what a general answer was about: its words carry the search
            words = tuple(dict.fromkeys((*previous.quoted, *previous.phrases, *previous.topics)))
            return carry(documents=previous.documents, followup="continuation", carried=words, move=Move.MORE_WORDS,
                         previous_intent=previous.intent)
        return carry(units=said, fields=previous.fields, sections=previous.sections, headings=previous.headings,
                     followup="continuation", carried=tuple(carried), move=Move.MORE, previous_intent=previous.intent)
    if "reference" in c and not current.units and not said and not previous.has_entities:
        words = tuple(dict.fromkeys((*previous.quoted, *previous.phrases, *previous.topics)))
        if words:  # 「それはいつ？」 after a general answer: the previous subject is the search's subject
            return carry(documents=previous.documents, followup="reference", carried=words, move=Move.THEIR_WORDS,
                         previous_intent=previous.intent)
    if "reference" in c and not current.units and said:
        return carry(units=said, followup="reference", carried=said, move=Move.THEIR_UNITS, previous_intent=previous.intent)
    if ("reference" in c and current.headings and set(current.headings) <= set(previous.headings)
            and not (current.units or current.fields or current.parts or current.documents)):
        # 「その施策の中で…」: the heading the previous question named (under every policy) is its subject again
        current = replace(current, sections=(), headings=())
    own = c & {"count", "compare", "why", "which"}
    short = len(current.norm) <= _ELLIPSIS_CHARS
    if current.has_entities and short and not own:
        if current.units and not current.fields:
            if any(n in current.norm for n in item_nouns):
                return current  # 「関東で検討されている分野は？」 asks its own question: no field of the turn before
            keep = previous.intent in (Intent.UNIT_FIELD, Intent.WHICH_UNITS, Intent.EXPLAIN) and previous.fields
            fields = previous.fields if keep else ()
            return carry(fields=fields, followup="ellipsis", carried=fields, move=Move.NEW_UNIT, previous_intent=previous.intent)
        if current.fields and not current.units:
            keep = previous.intent in (Intent.UNIT_ITEMS, Intent.UNIT_FIELD, Intent.COUNT, Intent.EXPLAIN)
            units = previous.units if keep else ()
            return carry(units=units, followup="ellipsis", carried=units, move=Move.NEW_FIELD, previous_intent=previous.intent)
    if (not current.has_entities and previous.has_entities and (own or c & {"list", "reference", "narrow"})
            and not current.phrases and not current.parts):
        units = said if "why" in c or not previous.fields else previous.units
        return carry(units=units, fields=previous.fields, sections=previous.sections, headings=previous.headings,
                     parts=previous.parts, followup="ellipsis", carried=tuple(units or previous.fields or previous.sections), move=Move.SAME_SUBJECT,
                     previous_intent=previous.intent)
    words = tuple(dict.fromkeys((*previous.quoted, *previous.phrases, *previous.topics)))
    if (words and not current.has_entities and not previous.has_entities and not (current.quoted or current.documents)
            and len(current.topics) + len(current.phrases) <= 1 and not current.unknown_subjects):
        # 「島のほうが向いてる理由は？」 after a question about a subject: a question with hardly a subject of its
        # own goes on with the previous one (its words carry the search)
        return carry(documents=previous.documents, followup="ellipsis", carried=words, move=Move.THEIR_WORDS,
                     previous_intent=previous.intent)
    return current


_KANJI = "一二三四五六七八九十"
_ENGLISH = ("first", "second", "third", "fourth", "fifth")
_MARKER = re.compile(r"\[\d+\]")
_CIRCLED = re.compile(r"[\u2460-\u2473]\s*([^、，,。\u2460-\u2473\[\n]+)")


def listed(answer: str) -> list[str]:
    """The entries of an earlier answer's list, in order: its 「- 」 lines, else its ①② entries."""
    lines = [ln[2:] for ln in answer.splitlines() if ln.startswith("- ")]
    entries = lines if len(lines) >= 2 else [m.group(1) for m in _CIRCLED.finditer(answer)]
    out = []
    for e in entries:
        e = _MARKER.sub("", e).strip().strip("「」")
        e = re.sub(r"^[\u2460-\u2473]\s*", "", e)
        if e:
            out.append(e.split("：")[0].strip())
    return out


def pick_listed(question: str, answer: str, ordinal: re.Pattern[str]) -> tuple[str, str] | None:
    """「そのうち2つ目の事業費は？」 after a list: the question with the ordinal phrase replaced by that
    entry (「乙プロジェクトの事業費は？」), and a note of how it was read."""
    m = ordinal.search(question)
    entries = listed(answer) if m else []
    if not entries:
        return None
    g = m.groupdict()
    if g.get("n"):
        n = int(g["n"]) if g["n"].isdigit() else _KANJI.index(g["n"]) + 1
    elif g.get("first"):
        n = 1
    elif g.get("last") or g.get("en") == "last":
        n = len(entries)
    else:
        n = _ENGLISH.index(g["en"]) + 1
    if not 1 <= n <= len(entries):
        return None
    entry = entries[n - 1]
    joint = "の" if m.group(0).endswith("の") else " "
    return question[: m.start()] + entry + joint + question[m.end():], f"{m.group(0).rstrip('の')}→{entry}"


def pick_matching(question: str, answer: str, narrow: re.Pattern[str], words) -> tuple[str, str] | None:
    """「そのうち人材に関するものは？」 after a list: the question asked of the entries of the previous answer's list
    that hold one of its words (`words(text)`: the nouns of the question after the narrowing phrase), and a note
    of how it was read; None when no entry holds one, or every entry does."""
    m = narrow.search(question)
    entries = listed(answer) if m else []
    if len(entries) < 2:
        return None
    asked = [w for w in words(question[m.end():]) if len(w) >= 2]
    chosen = [e for e in entries if any(w in e for w in asked)]
    if not chosen or len(chosen) == len(entries):
        return None
    return "、".join(chosen) + "について", f"前の回答の一覧から「{'」「'.join(chosen)}」"


def last_answer(history: Sequence[dict]) -> str:
    """The assistant's last answer in `history` (cut to MAX_TURN_CHARS * 10), or ""."""
    said = next((m.get("content", "") for m in reversed(history) if isinstance(m, dict)
                 and m.get("role") == "assistant" and isinstance(m.get("content"), str)), "")
    return said[: MAX_TURN_CHARS * 10]


def earlier_questions(history: Sequence[dict]) -> list[str]:
    """The user turns of `history` that are worth re-reading: the last MAX_TURNS, each cut to MAX_TURN_CHARS."""
    users = [m.get("content") for m in history if isinstance(m, dict) and m.get("role") == "user"]
    return [u[:MAX_TURN_CHARS] for u in users if isinstance(u, str) and u.strip()][-MAX_TURNS:]


def resolve_history(questions: Sequence[str], read: Callable[[str, Understanding | None, tuple[str, ...]], Understanding],
                    vocab: FieldVocabulary) -> tuple[Understanding | None, tuple[str, ...]]:
    """The last earlier question, resolved against the ones before it, and the units talked about so
    far (most recent first). `read(text, previous, recent)` reads one turn."""
    resolved: Understanding | None = None
    recent: tuple[str, ...] = ()
    for text in questions:
        resolved = read(text, resolved, recent)
        recent = tuple(dict.fromkeys((*answer_units(resolved, vocab), *recent)))
    return resolved, recent
