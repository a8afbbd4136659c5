"""The general path, for any document: hybrid retrieval, then the sentence (or two) that answers.

Sentences of the retrieved chunks are ranked by the question's content words (IDF-weighted), phrases
repeated word for word, and the chunk's retrieval rank. When the question asks for a kind of
information (a time, a person, a place, an amount), sentences that hold it come first, and the answer
names it before quoting the sentence: 「1868年です[1]。」. No plan template is used here.
"""

from __future__ import annotations

import re
from dataclasses import replace

from corpus.text import squash
from assistant.answers.context import Context
from assistant.answers.decline import holds, missing_information, not_stated
from assistant.answers.draft import Draft
from assistant.answers.passages import diverse
from assistant.evidence import Scored
from assistant.plan import Located
from assistant.types import Intent

INTENT = Intent.GENERAL

# An answer needs at least this share of the question's content words in its passage.
MIN_OVERLAP = 0.2
# A second passage is quoted only when it scores this close to the first.
RUNNER_UP = 0.8
# Sentences holding the kind of information asked for get this bonus.
KIND_BONUS = 0.1
# The lead of a whole-document question quotes this many opening sentences.
OPENING_SENTENCES = 3


def _candidates(ctx: Context) -> list[Located]:
    plan = ctx.kb.plan
    seen: set[str] = set()
    out: list[Located] = []
    for h in ctx.hits:
        if h.chunk_id in seen or h.chunk_id not in plan.chunks:
            continue
        seen.add(h.chunk_id)
        chunk = plan.chunks[h.chunk_id]
        part = plan.block_of(h.chunk_id)
        out += [s for s in part.sentences if s.chunk is chunk]
        out += [i for i in part.items if i.chunk is chunk and not any(
            s.span.start <= i.span.start < s.span.end for s in part.sentences if s.chunk is chunk)]
    return out


def _kind(ctx: Context) -> str | None:
    if ctx.u.asks:
        return ctx.u.asks
    return "location" if ctx.u.cue("where") else None


def _overview(ctx: Context, doc_id: str) -> Draft:
    """「横浜市の計画は？」: what the document says first, and how it is organised."""
    d = Draft()
    plan = ctx.kb.plan
    parts = plan.blocks([doc_id])
    sentences = [s for p in parts for s in p.sentences][:OPENING_SENTENCES]
    d.lead(f"「{plan.titles[doc_id]}」の冒頭には次のように書かれています。")
    for s in sentences:
        d.quote(s.span.text, d.cite_span(s))
    return d


def answer_phrase(ctx: Context, kind: str, passage: Located) -> str:
    """The piece of the passage that is the asked information (a time, a name, a place, an amount), if
    any, preferring what the question does not already say."""
    k = ctx.kb.lexicon.kinds[kind]
    question = ctx.u.question.squashed
    norm, words = ctx.evidence.words(passage)
    found: list[tuple[int, str]] = []
    for m in k.evidence.finditer(norm):
        if m.group(0).strip() and squash(m.group(0)) not in question:
            found.append((m.start(), m.group(0).strip()))
    run: list = []
    for t in [*words, None]:
        tag = f"固有名詞/{t.kind}" if t is not None and t.kind else ""
        wanted = t is not None and ((k.pos and tag in k.pos) or (k.words and t.surface in k.words))
        if wanted:
            run.append(t)
            continue
        if run:
            phrase = norm[run[0].begin : run[-1].end]
            if squash(phrase) not in question:
                found.append((run[0].begin, phrase))
            run = []
    if not found:
        return ""
    return min(found, key=lambda f: (f[0], -len(f[1])))[1]  # the first one, whole (明治以降, not 明治)


def answer(ctx: Context) -> Draft:
    u = ctx.u
    if u.documents and not (u.phrases or u.quoted or u.fields or u.topics) and len(u.documents) == 1:
        return _overview(ctx, u.documents[0])
    ranked = ctx.evidence.rank(u, ctx.hits, _candidates(ctx), k=0)
    good = [s for s in ranked if s.overlap >= MIN_OVERLAP]
    if not good:
        topic = "「" + "」「".join(u.unknown_terms) + "」" if u.unknown_terms else "この質問に答える内容"
        return not_stated(topic, [s.located for s in ranked[:2]])
    kind = _kind(ctx)
    # A plan outline rarely holds dates or figures: about a plan, their absence is an answer; about
    # ordinary text only kinds with a reliable pattern (an amount in 円) decline.
    if kind and (u.plan_context or ctx.kb.lexicon.kinds[kind].decline_anywhere):
        missing = missing_information(ctx, [s.located for s in good[:5]], "")
        if missing is not None:
            return missing
    if kind:
        good = sorted((replace(s, score=s.score + KIND_BONUS) if holds(ctx, kind, [s.located]) else s for s in good),
                      key=lambda s: -s.score)
    chosen = diverse(good, limit=2, runner_up=RUNNER_UP)
    d = Draft()
    first = chosen[0]
    phrase = answer_phrase(ctx, kind, first.located) if kind else ""
    n = d.cite_span(first.located, first.score)
    if phrase:
        d.lead(f"{phrase}です。", n)
    else:
        subject = ctx.evidence.subject(u, first)
        d.lead(f"{subject}について、資料には次のように書かれています。" if subject else "資料には次のように書かれています。")
    for s in chosen:
        d.quote(s.located.span.text, d.cite_span(s.located, s.score))
    return d
