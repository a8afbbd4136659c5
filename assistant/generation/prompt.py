"""What the model is given: a Japanese instruction, the conversation so far, the evidence the extractive
pipeline chose (its numbered passages with their breadcrumbs, and for list answers the complete structured
list it computed), and the question. Pure: an extractive Answer in, chat messages out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from assistant.render import line_text
from assistant.types import Answer, Citation, LineKind
from assistant.generation.texts import texts

LIST_KINDS = (LineKind.UNIT, LineKind.ITEM)
PASSAGE_CHARS = 700  # a chunk is at most 600 characters; a longer quote is cut
HISTORY_TURNS = 6  # earlier exchanges given to the model (the extractive path re-reads as many) …
TURN_CHARS = 300  # … each cut to this many characters


@dataclass(frozen=True)
class Message:
    role: str  # system, user, assistant
    content: str


def passage_text(c: Citation) -> str:
    text = (c.shown or c.text).strip()
    return text if len(text) <= PASSAGE_CHARS else text[:PASSAGE_CHARS] + "…"


def evidence(answer: Answer) -> str:
    """The numbered passages, and the structured list when the extractive answer is a list."""
    p = texts().prompt
    parts = [p["evidence_head"]]
    parts += [p["passage"].format(n=c.n, where=c.breadcrumb, text=passage_text(c)) for c in answer.citations]
    if any(line.kind in LIST_KINDS for line in answer.lines):
        parts += ["", p["list_head"], *(line_text(line) for line in answer.lines)]
    return "\n".join(parts)


def conversation(history: Sequence[dict]) -> str:
    """The last turns (each cut as the extractive path cuts them), oldest first."""
    p = texts().prompt
    turns = [m for m in history if isinstance(m, dict) and isinstance(m.get("content"), str)][-2 * HISTORY_TURNS:]
    lines = []
    for m in turns:
        template = p["history_user"] if m.get("role") == "user" else p["history_assistant"]
        lines.append(template.format(text=m["content"][:TURN_CHARS].replace("\n", " ")))
    return "\n".join([p["history_head"], *lines]) if lines else ""


def messages(question: str, answer: Answer, history: Sequence[dict] = ()) -> list[Message]:
    p = texts().prompt
    said = conversation(history)
    user = "\n\n".join(x for x in (said, evidence(answer), f"{p['question_head']}{question}") if x)
    return [Message("system", p["system"]), Message("user", user)]


def passages(answer: Answer) -> dict[int, str]:
    """What each marker stands for, for the verifier: the passage with its breadcrumb."""
    return {c.n: f"{c.breadcrumb}\n{c.shown or c.text}" for c in answer.citations}


def derived(answer: Answer) -> list[tuple[frozenset[int], str]]:
    """The extractive answer's own lines with the markers they rest on (a count or a list computed from the
    passages; a lead without markers sums up the whole answer, so it rests on all of them): a sentence that
    cites every marker a line rests on may state what the line states."""
    every = frozenset(c.n for c in answer.citations)
    return [(frozenset(line.cites) or every, line_text(line)) for line in answer.lines
            if line.kind not in (LineKind.NOTE, LineKind.DECLINE, LineKind.REFERENCE)]
