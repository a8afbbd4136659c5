"""When the documents do not answer: say so plainly, with the closest passages as 参考.

Declining rests on evidence: a word the documents never use that the question is about, or a kind of
information (an amount, a date, a person …) that the passages about the question's subject do not hold.
A cue word alone never decides it: 「いつ」 is answerable when a passage says 戦後 or 明治以降.
"""

from __future__ import annotations

from typing import Sequence

from corpus.model import Chunk
from corpus.text import squash
from assistant.answers.context import Context
from assistant.answers.draft import Draft
from assistant.answers._kinds import holds
from assistant.plan import Located
from assistant.profile import DocKind


def not_stated(topic: str, references: Sequence[Located | Chunk] = ()) -> Draft:
    d = Draft()
    d.decline(f"資料には{topic}についての記載がありません。")
    cites = []
    for ref in list(references)[:2]:
        chunk = ref.chunk if isinstance(ref, Located) else ref
        s, e = (ref.span.start, ref.span.end) if isinstance(ref, Located) else (chunk.start, chunk.end)
        cites.append(d.cite(chunk, s, e, 0.0, reference=True))
    d.reference(cites)
    return d


def unknown_words(ctx: Context) -> Draft | None:
    """The question is about something the documents never mention (a proper name, its topic)."""
    u = ctx.u
    refs = [ctx.kb.plan.chunks[h.chunk_id] for h in ctx.hits[:2]]
    if u.absent:
        titles = "・".join(f"「{ctx.kb.plan.titles[d]}」" for d in u.scope)
        units = [p for p in ctx.kb.plan.units(u.scope)]
        return not_stated(f"{titles}の{ctx.noun(units[0].doc_id) if units else ''}の「{'」「'.join(u.absent)}」", [p.chunks[0] for p in units][:2])
    if u.unknown_names or (u.unknown_terms and not u.anchored):
        return not_stated("「" + "」「".join(u.unknown_names or u.unknown_terms) + "」", refs)
    if u.unknown_compounds and u.plan_context and not u.has_entities:
        # 「Xに取り組む＜単位名＞は？」 (X in no document): the plan's units are asked about a subject the documents lack;
        # 技術 alone occurring somewhere does not make it answerable.
        return not_stated("「" + "」「".join(u.unknown_compounds) + "」", refs)
    first = ctx.kb.profile(ctx.kb.plan.chunks[ctx.hits[0].chunk_id].doc_id).kind if ctx.hits else None
    if first is DocKind.OVERVIEW and not u.units and not any(ctx.kb.profile(d).has_units for d in u.scope):
        # A document of headed sections: a term it never uses (two words or more: a subject it never treats,
        # or the measure of an asked figure) declines; a single word it does not use is a paraphrase of the passages found (said in the answer).
        if u.unknown_subjects:
            return not_stated("「" + "」「".join(u.unknown_subjects) + "」", refs)
        return None
    outline = first is not None and first is not DocKind.PROSE
    if outline and not any(ctx.kb.profile(d).has_units for d in u.scope) and not u.units and _held_together(ctx):
        return None  # one word is missing, but a passage found holds the question's other words: they answer
    if (u.plan_context or outline) and (u.unknown_focus or (u.asks and u.unknown_terms)):
        # About a plan or an outline, what the question is about (「ラピダスの工場は」「審議会の名前は」「担当省庁は」),
        # or the thing a figure is asked of (「建造する船の隻数」), is a word the documents never use: they do not
        # answer it. Running text says things in other words (著者 of 著書), so there the passages decide.
        return not_stated("「" + "」「".join(u.unknown_focus or u.unknown_terms) + "」", refs)
    return None


# A missing word is a paraphrase when one retrieved passage holds at least HELD_WORDS of the question's
# other content words, and at least HELD_SHARE of them.
HELD_WORDS = 2
HELD_SHARE = 0.75
# ... looked for in this many of the first hits.
HELD_HITS = 3


def _held_together(ctx: Context) -> bool:
    """Whether one of the first retrieved chunks (with its title and headings) holds the question's known
    content words: all of them, and at least HELD_WORDS."""
    u = ctx.u
    words = {squash(w) for w in (*u.topics, *u.phrases) if len(w) >= 2 and not squash(w).isdigit()}
    if len(words) < HELD_WORDS:
        return False
    for h in ctx.hits[:HELD_HITS]:
        c = ctx.kb.plan.chunks[h.chunk_id]
        text = squash(" ".join((c.text, c.title, *c.section_path)))
        held = sum(w in text for w in words)
        if held >= HELD_WORDS and held >= HELD_SHARE * len(words):
            return True
    return False


def missing_information(ctx: Context, passages: Sequence[Located | Chunk], subject: str) -> Draft | None:
    """A question about an amount, a date, people, a figure, a name or an exact place: unanswerable
    unless the passages about its subject hold that kind of information."""
    u = ctx.u
    if u.asks is None or holds(ctx, u.asks, passages):
        return None
    label = ctx.kb.lexicon.kinds[u.asks].label
    refs = [ctx.kb.plan.chunks[h.chunk_id] for h in ctx.hits[:2]]
    units = ctx.units()
    if units:
        refs = [unit.chunks[0] for unit in units][:2]
    return not_stated(f"{subject}{label}", refs)


def missing_for_units(ctx: Context) -> Draft | None:
    """A plan question asking for a kind of information: look in the named units (or the parts the
    search found), in the sentences about the asked field or phrase when there is one."""
    u = ctx.u
    if u.asks is None:
        return None
    plan = ctx.kb.plan
    named = ctx.parts_named()
    # a named part's figures may stand elsewhere (a budget chapter names each measure): the parts found count too
    parts = ctx.units() or [*named, *(plan.block_of(h.chunk_id) for h in ctx.hits[:3] if named)] or [
        plan.block_of(h.chunk_id) for h in ctx.hits[:2]]
    subject = [squash(x) for x in (*u.fields, *u.phrases) if x]
    passages: list[Located | Chunk] = [c for p in parts for c in p.chunks]
    if subject:  # the information must be about what is asked (a company of field X, not another company)
        passages = [s for p in parts for s in p.sentences
                    if any(k in squash(s.span.text) for k in subject) or any(ctx.kb.vocab.mentions(s.span.text, f) for f in u.fields)]
    who = "・".join(p.name for p in ctx.units())
    return missing_information(ctx, passages, f"{who}の" if who else "")
