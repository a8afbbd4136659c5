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
from assistant.answers._decline import missing_information, not_stated
from assistant.answers._kinds import answer_phrase, in_asked_unit, pieces
from assistant.answers.draft import Draft, item_name
from assistant.answers._table import asked_cell, labelled_row, row_cells
from assistant.answers._passages import diverse, list_after, retrieved
from assistant.plan import Located, Part, display_name
from assistant.profile import DocKind
from assistant.types import Intent

INTENT = Intent.GENERAL

# An answer needs at least this share of the question's content words in its passage.
MIN_OVERLAP = 0.2
# A second passage is quoted only when it scores this close to the first.
RUNNER_UP = 0.8
# About running text (an article), what answers is often in the sentences around the best one: more of them.
PROSE_RUNNER_UP = 0.6
PROSE_PASSAGES = 3
# Sentences holding the kind of information asked for get this bonus.
KIND_BONUS = 0.1
# ... and this much more when the figure is in the unit the question counts in (人, 社, 件)
UNIT_BONUS = 0.25
# The lead of a whole-document question quotes this many opening sentences.
OPENING_SENTENCES = 3
# A sentence shorter than this is quoted with the one before it (「1428年～1527年。」 needs its subject).
SHORT_SENTENCE = 20
# A sentence that announces a list (「次の7つの目標指標」) brings at most this many of its items.
MAX_LIST_ITEMS = 12


def _kind(ctx: Context) -> str | None:
    if ctx.u.asks:
        return ctx.u.asks
    if ctx.u.cue("count") and ctx.u.plan_context:  # 「基本目標はいくつ？」 of a plan: a figure (「次の3つの基本目標」)
        return "quantity"
    return "location" if ctx.u.cue("where") else None


def _overview(ctx: Context, doc_id: str) -> Draft:
    """「横浜市の計画は？」: what the document says first (its first sentences of prose, not its title page)."""
    d = Draft()
    plan = ctx.kb.plan
    parts = plan.blocks([doc_id])
    prose = [s for p in parts for s in p.sentences if s.span.text.rstrip().endswith("。")]
    sentences = (prose or [s for p in parts for s in p.sentences])[:OPENING_SENTENCES]
    d.lead(f"「{plan.titles[doc_id]}」の冒頭には次のように書かれています。")
    for s in sentences:
        d.quote(s.span.text, d.cite_span(s))
    return d


def answer(ctx: Context) -> Draft:
    u = ctx.u
    # about the document as a whole, unless a kind of information is asked of it (its schedule: a date)
    whole = len(u.documents) == 1 and not (u.phrases or u.quoted or u.fields or u.topics or u.unknown_terms or u.asks)
    if whole and (u.cue("why") or not ctx.evidence.question_terms(u) & ctx.evidence.lexical.known):
        # 「この戦略の狙いは？」「なぜA市はこの計画を作ったの？」: about the document as a whole, which
        # says what it is for at its start.
        return _overview(ctx, u.documents[0])
    candidates = retrieved(ctx)
    if u.followup == "continuation" and ctx.said:  # 「他には？」: what the previous answer did not quote
        said = squash(ctx.said)
        candidates = [c for c in candidates if squash(c.span.text) not in said] or candidates
    ranked = ctx.evidence.rank(u, ctx.hits, candidates, k=0)
    good = [s for s in ranked if s.overlap >= MIN_OVERLAP]
    if not good and whole:
        return _overview(ctx, u.documents[0])
    if not good:
        topic = "「" + "」「".join(u.unknown_terms) + "」" if u.unknown_terms else "この質問に答える内容"
        return not_stated(topic, [s.located for s in ranked[:2]])
    kind = _kind(ctx)
    # A plan outline rarely holds dates or figures: about a plan, their absence is an answer; about
    # ordinary text only kinds with a reliable pattern (an amount in 円) decline.
    if kind and u.plan_context:
        # About a plan, the figure must be about what the question asks: in a passage that also holds
        # the question's topic words (「何人の雇用」: a number of people next to 雇用, not next to 人材育成).
        good = [s for s in good if ctx.evidence.covers(u, s.located)]
        if not good:  # no passage holds what the question is about together with what it asks
            return not_stated("この質問に答える内容", [s.located for s in ranked[:2]])
    if kind and (u.plan_context or ctx.kb.lexicon.kinds[kind].decline_anywhere):
        missing = missing_information(ctx, [s.located for s in good[:5]], "")
        if missing is not None:
            return missing
    if kind:
        found = {id(s.located): pieces(ctx, kind, s.located) for s in good}  # each sentence read once

        def bonus(s) -> float:  # it holds the kind asked, and more so in the unit the question names
            own = found[id(s.located)]
            return KIND_BONUS + (UNIT_BONUS if in_asked_unit(ctx, own) else 0.0) if own else 0.0

        good = sorted((replace(s, score=s.score + bonus(s)) for s in good), key=lambda s: -s.score)
        if u.plan_context:  # about a plan, a sentence that only names the kind (予算と人員を配分) does not answer
            good = [s for s in good if found[id(s.located)]] or good
    prose = ctx.kb.profile(good[0].located.chunk.doc_id).kind is DocKind.PROSE
    chosen = diverse(good, limit=PROSE_PASSAGES if prose else 2, runner_up=PROSE_RUNNER_UP if prose else RUNNER_UP)
    d = Draft()
    first = chosen[0]
    # a table row answers from the column the question names (目標 of 現状 and 目標), else its asked kind
    phrase = asked_cell(ctx, first.located) if row_cells(first.located) else ""
    phrase = phrase or (answer_phrase(ctx, kind, first.located) if kind and not row_cells(first.located) else "")
    where = first.located
    if kind and not phrase:  # the asked time or name is often in the sentence just before or after
        for near in _beside(ctx, first.located):
            if (phrase := answer_phrase(ctx, kind, near)):
                where = near
                break
    n = d.cite_span(where, first.score)
    named = _which_part(ctx, first.located) if not phrase and (u.cue("which") or u.cue("where")) else ""
    if phrase:
        d.lead(f"{phrase}です。", n)
    elif named:  # 「〜を核にしているのはどこ？」: the part that says it, named first
        d.lead(f"{named}です。", n)
    else:
        subject = ctx.evidence.subject(u, first)
        d.lead(f"{subject}について、資料には次のように書かれています。" if subject else "資料には次のように書かれています。")
    for s in chosen:
        before = None if row_cells(s.located) else _antecedent(ctx, s.located)
        if where is not first.located and where.span.start < first.located.span.start and s is first:
            before = where
        if before is not None and before not in [c.located for c in chosen]:
            d.quote(before.span.text, d.cite_span(before))
        if row_cells(s.located):  # a table row with its column names
            d.item(labelled_row(s.located), [d.cite_span(s.located, s.score)])
        else:
            d.quote(s.located.span.text, d.cite_span(s.located, s.score))
        if s is first and where is not first.located and where.span.start > first.located.span.start:
            d.quote(where.span.text, d.cite_span(where))
        for item in _list_after(ctx, s.located)[:MAX_LIST_ITEMS]:
            d.item(item_name(item), [d.cite_item(item)])
    return d


def _which_part(ctx: Context, loc: Located) -> str:
    """The part a passage lies in, named for 「どこ」「どの〜」: a plan's unit by its label (＜単位名＞＋unit noun) when the
    question asks for a unit (どこ, どの＋its unit noun); else the heading of the passage's path that holds the
    noun the question asks with (「どの重点施策」: the 重点施策 heading, not its sub-heading); "" otherwise."""
    unit = next((p for p in (ctx.kb.plan.block_of(loc.chunk.chunk_id), ctx.kb.plan.part_at(loc.chunk, loc.span.start))
                 if p.is_unit), None)
    m = re.search(r"どの([一-龥ァ-ヺー]{1,8})", ctx.u.question.norm)
    asked = m.group(1) if m else ""
    if unit is not None:
        noun = ctx.noun(unit.doc_id)
        region = any(w in asked for w in ctx.kb.lexicon.region_words)
        return ctx.label(unit) if not asked or (noun and noun in asked) or region else ""
    if not asked:
        return ""
    path = next((p for p, s, e in loc.chunk.sections if s <= loc.span.start < e), loc.chunk.section_path)
    named = [h for h in path if asked in h]
    return f"「{display_name(named[-1])}」" if named else ""


def _neighbours(ctx: Context, loc: Located) -> Part:
    return ctx.kb.plan.part_at(loc.chunk, loc.span.start)


def _same_paragraph(a: Located, b: Located) -> bool:
    """Two sentences of one chunk with no blank line between them."""
    if a.chunk is not b.chunk:
        return False
    lo, hi = sorted((a.span.end, b.span.start)) if a.span.start < b.span.start else sorted((b.span.end, a.span.start))
    return "\n\n" not in a.chunk.text[lo - a.chunk.start : hi - a.chunk.start]


def _beside(ctx: Context, loc: Located) -> list[Located]:
    """The sentences just before and after `loc` in its paragraph."""
    part = _neighbours(ctx, loc)
    before = [s for s in part.sentences if s.span.end <= loc.span.start and _same_paragraph(s, loc)]
    after = [s for s in part.sentences if s.span.start >= loc.span.end and _same_paragraph(loc, s)]
    return [*before[-1:], *after[:1]]


def _antecedent(ctx: Context, loc: Located) -> Located | None:
    """「こうした変化を好機と捉え…」 refers back, 「とは、…」 has lost its subject, a very short sentence
    continues the one before: the sentence before it (in its paragraph) says what it is about."""
    text = loc.span.text.lstrip()
    fragment = ctx.evidence.opens_with(loc) in ("助詞", "助動詞", "補助記号")
    if not (ctx.kb.lexicon.anaphora.match(text) or fragment or len(text) < SHORT_SENTENCE):
        return None
    part = _neighbours(ctx, loc)
    before = [s for s in part.sentences if s.span.end <= loc.span.start and _same_paragraph(s, loc)]
    return before[-1] if before else None


def _list_after(ctx: Context, loc: Located) -> list[Located]:
    return list_after(_neighbours(ctx, loc), loc, ctx.kb.lexicon.forward)
