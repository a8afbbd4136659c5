"""The generative mode: the extractive answer in, a generated and verified answer out, or the extractive
answer with a note saying why not.

    extractive Answer → prompt (its passages, its list) → the user's LLM, streamed under the deadline →
    sentences → verify each → keep the verified ones (say how many were dropped) → Answer(mode="generative")

The extractive answer is shown instead, with a Japanese note, when the server is down, slow, answers in
another language, refuses, is cut off, returns garbage, or when too few sentences are verified. While the
reply streams, `on_text` is given the sentences verified so far (nothing unverified is ever shown).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable, Collection, Sequence

from corpus.text import Tokenizer
from assistant.generation import client as C
from assistant.generation import prompt as P
from assistant.generation.texts import texts
from assistant.generation.verify import Names, Verdict, no_names, split, verify
from assistant.render import answer_text
from assistant.types import Answer, Intent, Line, LineKind

EXTRACTIVE, GENERATIVE = "extractive", "generative"
# Outcomes no model can improve: a refused question, an index that cannot be reached, an internal error.
_NOT_ANSWERS = (Intent.INVALID.value, Intent.UNAVAILABLE.value, Intent.ERROR.value)
_JAPANESE = ("\u3040", "\u30ff"), ("\u3400", "\u9fff")  # kana, kanji


def describe(v: Verdict) -> str:
    """The verdict in Japanese, as `--explain` and 検索の経過 show it."""
    r = texts().reasons
    missing = "、".join(v.missing)
    return r[v.reason].format(markers=missing, terms=missing, overlap=f"{v.overlap:.2f}")


def japanese_share(text: str) -> tuple[float, float]:
    """(share of Japanese characters, share of Latin letters) among the letters of `text`."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0, 0.0
    jp = sum(any(a <= ch <= b for a, b in _JAPANESE) for ch in letters)
    latin = sum(ch.isascii() for ch in letters)
    return jp / len(letters), latin / len(letters)


def _problem(reply: C.Reply, verdicts: list[Verdict]) -> str | None:
    """Why the reply cannot be shown (a key of texts.toml's [notes]), or None."""
    if reply.status in (C.UNREACHABLE, C.TIMEOUT, C.MALFORMED, C.FAILED):
        return reply.status
    if not reply.text.strip():
        return "empty"
    jp, latin = japanese_share(reply.text)
    if jp < 0.3:
        return "not_japanese" if latin > 0.6 else "malformed"
    kept = [v for v in verdicts if v.ok]
    if not kept and any(p in reply.text for p in texts().abstain):
        return "refused"
    if reply.status == C.TRUNCATED:
        return "truncated"
    if not kept or len(kept) / len(verdicts) < texts().min_kept_share:
        return "unverified"
    return None


def _verdicts(text: str, extractive: Answer, tokenizer: Tokenizer, known: Names,
              ignore: Collection[str]) -> list[Verdict]:
    return verify(text, P.passages(extractive), tokenizer, known, ignore, texts().min_overlap, P.derived(extractive))


def _note_line(text: str) -> Line:
    return Line(LineKind.NOTE, text)


def _record(answer: Answer, verdicts: Sequence[Verdict], model: str, note: str, reply: C.Reply | None,
            started: float) -> dict:
    """The generation's part of the trace (`--explain`, 検索の経過)."""
    return {
        **answer.trace,
        "mode": answer.mode,
        "model": model,
        "generation_note": note,
        "generation_status": reply.status if reply else "",
        "verdicts": [{"text": v.text, "marks": "".join(f"[{n}]" for n in v.cites), "ok": v.ok, "why": describe(v),
                      "overlap": round(v.overlap, 2)} for v in verdicts],
        "generation_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def fallback(extractive: Answer, key: str, config: C.LLMConfig, model: str = "",
             verdicts: Sequence[Verdict] = (), reply: C.Reply | None = None, started: float | None = None) -> Answer:
    """The extractive answer, with a note (first, as a NOTE line) saying why the generated one is not shown."""
    note = texts().notes[key].format(url=config.url, seconds=f"{config.timeout:g}")
    shown = key != "declined"  # a declined question needs no note about the model
    lines = [_note_line(note), *extractive.lines] if shown and extractive.lines else list(extractive.lines)
    text = answer_text(lines) if lines else extractive.text
    out = replace(extractive, text=text, lines=lines, mode=EXTRACTIVE, model=model,
                  verdicts=[{**v.to_dict(), "why": describe(v)} for v in verdicts], note=note)
    out.trace = _record(out, verdicts, model, note, reply, started or time.perf_counter())
    return out


def _shown(verdicts: Sequence[Verdict]) -> tuple[list[Line], set[int]]:
    lines, used = [], set()
    for v in verdicts:
        if v.ok:
            lines.append(Line(LineKind.ITEM if v.bullet else LineKind.LEAD, v.text, v.cites))
            used.update(v.cites)
    return lines, used


def generate(extractive: Answer, question: str, history: Sequence[dict], llm: C.Client, tokenizer: Tokenizer,
             known: Names = no_names, ignore: Collection[str] = (), on_text: Callable[[str], None] | None = None,
             deadline: float | None = None) -> Answer:
    """A generated answer resting on the extractive answer's evidence (see the module's doc)."""
    started = time.perf_counter()
    config = llm.config
    if extractive.intent in _NOT_ANSWERS:
        return extractive
    if not extractive.answerable or not extractive.citations:
        return fallback(extractive, "declined", config, started=started)
    ignore = frozenset(ignore) | texts().light
    shown_count = [0]

    def streamed(so_far: str) -> None:
        """Sentences complete so far (all but the last, which may still grow), shown once verified."""
        if on_text is None:
            return
        complete = split(so_far)[:-1]
        if len(complete) <= shown_count[0]:
            return
        shown_count[0] = len(complete)
        done = "\n".join(f"{s.text}{''.join(f'[{n}]' for n in s.cites)}" for s in complete)
        lines, _ = _shown(_verdicts(done, extractive, tokenizer, known, ignore))
        if lines:
            on_text(answer_text(lines))

    reply = llm.stream(P.messages(question, extractive, history), streamed, deadline)
    verdicts = _verdicts(reply.text, extractive, tokenizer, known, ignore) if reply.status in (C.DONE, C.TRUNCATED) else []
    problem = _problem(reply, verdicts)
    if problem:
        return fallback(extractive, problem, config, reply.model, verdicts, reply, started)
    lines, used = _shown(verdicts)
    dropped = sum(not v.ok for v in verdicts)
    note = texts().notes["dropped"].format(count=dropped) if dropped else ""
    if note:
        lines.append(_note_line(note))
    citations = [c for c in extractive.citations if c.n in used]
    out = Answer(text=answer_text(lines), citations=citations, answerable=True, intent=extractive.intent,
                 lines=lines, mode=GENERATIVE, model=reply.model, note=note,
                 verdicts=[{**v.to_dict(), "why": describe(v)} for v in verdicts], extractive=extractive)
    out.trace = _record(out, verdicts, reply.model, note, reply, started)
    return out
