"""Which documents a question is about, and whether plan semantics apply to it.

Units, fields and counts belong to the plan documents whose profile has units. A question that names
中国 or 東京 may still be about another document (China the country, a university in Tokyo): plan
semantics apply to a plan unless the evidence says otherwise — another document that retrieval ranks
above the plan uses the same name and the topic the plan never mentions (「中国の首都は？」). The plan's
own unit noun (read from the document), its title words or a conversation about it settle the question for the
plan. When the plan's names are another document's words, the plan entities are dropped and the
question takes the general path.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Callable, Sequence

from index.search import Hit
from assistant.knowledge import Knowledge
from assistant.understanding.model import Entities

def document_ranks(hits: Sequence[Hit], kb: Knowledge) -> dict[str, int]:
    """Each document's best rank among the hits (0 = it holds the first hit)."""
    ranks: dict[str, int] = {}
    for rank, h in enumerate(hits):
        doc_id = kb.plan.doc_of(h.chunk_id)
        if doc_id is not None:
            ranks.setdefault(doc_id, rank)
    return ranks


def _plan_docs(e: Entities, kb: Knowledge) -> set[str]:
    """The plan documents the question's entities belong to."""
    docs = {u.doc_id for name in e.units for u in kb.plan.units_named(name)}
    docs |= {d for f in e.fields for d in kb.vocab.documents(f)}
    docs |= {p.doc_id for p in kb.plan.others() if p.name in e.sections}
    return docs


def _fits(e: Entities, kb: Knowledge, carried: set[str], allowed: set[str]) -> bool:
    """Whether the conversation's plans still frame the question: not when it names a unit that only
    another plan has (「ではYは？」 after a question about a unit X of another plan)."""
    named = {u.doc_id for name in e.units for u in kb.plan.units_named(name)} & allowed
    return not named or bool(named & carried)


def _asked_about(doc_id: str, e: Entities, ranks: dict[str, int], kb: Knowledge,
                 holders: Callable[[str], frozenset[str]]) -> bool:
    """`holders(word)`: the documents that hold the word (one text-index lookup per word and question,
    however many plans there are)."""
    profile = kb.profile(doc_id)
    if doc_id in e.documents or e.followup:
        return True
    if profile.unit_noun and profile.unit_noun in e.norm:
        return True
    # 「中国の首都は？」: when another document that retrieval ranks higher uses the same name and the topic
    # the plan never mentions, the name is that document's (China the country), not the plan's unit.
    mine = ranks.get(doc_id, len(ranks))
    names = [*e.units, *e.unit_surfaces, *e.fields]
    words = [*e.topics, *_nouns(e, kb)]
    for other, rank in ranks.items():
        if other == doc_id or rank >= mine:
            continue
        if any(other in holders(n) for n in names) and any(
            doc_id not in holders(t) and other in holders(t) for t in words
        ):
            return False
    return True


def _nouns(e: Entities, kb: Knowledge) -> list[str]:
    """The question's own nouns of two characters or more that are not generic and name no unit: the
    words that tell which document it is about (市長 in 「A市長の名前は」)."""
    names = {*e.units, *e.unit_surfaces}
    return [t.surface for t in e.question.tokens if t.pos == "名詞" and len(t.surface) >= 2
            and t.surface not in kb.lexicon.generic and t.surface not in names]


def apply(e: Entities, hits: Sequence[Hit], kb: Knowledge, doc_ids: Sequence[str] | None = None) -> Entities:
    ranks = document_ranks(hits, kb)
    return replace(_apply(e, hits, kb, doc_ids), first_doc=min(ranks, key=ranks.get) if ranks else None)


def _apply(e: Entities, hits: Sequence[Hit], kb: Knowledge, doc_ids: Sequence[str] | None = None) -> Entities:
    allowed = set(doc_ids) if doc_ids else set(kb.plan.titles)
    if e.documents:
        named = [d for d in e.documents if d in allowed]
        allowed = set(named) or allowed
    elif e.parts:  # 「医療の章の…」: the documents those parts are in; 「教育のパートじゃなくて」: not that one
        named = {p.doc_id for p in e.parts if not p.excluded} & allowed
        allowed = named or (allowed - {p.doc_id for p in e.parts if p.excluded}) or allowed
    elif e.collection:  # 「Xのマニフェストでは」: that folder's documents, not the bundled plans
        allowed = (set(e.collection) & allowed) or allowed
    ranks = document_ranks(hits, kb)
    named_plans = [d for d in e.documents if d in allowed and kb.profile(d).has_units]
    if named_plans and e.fields and not any(kb.vocab.documents(f) & set(named_plans) for f in e.fields):
        written = e.field_surfaces or e.fields
        if any(kb.in_document(d, w) for d in named_plans for w in written):
            # 「A市でXに従事する人の割合は？」: no unit lists X, but the plan's text speaks of it.
            return replace(e, units=(), fields=(), topics=tuple(dict.fromkeys((*e.topics, *written))),
                           plan_context=True, scope=tuple(named_plans))
        # 「A市の計画でXは重点になってる？」: that plan's units list none of these fields, nor its text.
        return replace(e, units=(), fields=(), absent=e.fields, plan_context=True, scope=tuple(named_plans))
    if e.scope and _fits(e, kb, set(e.scope), allowed):  # carried from the previous turn
        allowed &= set(e.scope)
    holders = lru_cache(maxsize=None)(kb.documents_with)
    plans = {d for d in _plan_docs(e, kb) if d in allowed and _asked_about(d, e, ranks, kb, holders)}
    named = {d for d in plans if kb.profile(d).unit_noun and kb.profile(d).unit_noun in e.norm}
    plans = named or plans  # 「Xに取り組む＜単位名＞は？」: the plan whose units that noun names, not another plan
    first = min(ranks, key=ranks.get) if ranks else None
    context = bool(plans) or e.unit_noun_named or (first is not None and kb.profile(first).has_units)
    if not plans and e.has_entities:
        # Plan semantics do not apply: the names are ordinary words of another document here, as the
        # question wrote them (a field's paraphrase, not the field it was read as; a prefecture, not the unit holding it).
        keep_topics = tuple(dict.fromkeys((*e.topics, *(e.unit_surfaces or e.units), *(e.field_surfaces or e.fields))))
        return replace(e, units=(), fields=(), sections=(), headings=(), topics=keep_topics, notes=(), plan_context=context,
                       scope=tuple(sorted(allowed)) if doc_ids or e.documents or e.parts or e.collection else ())
    units = tuple(n for n in e.units if any(u.doc_id in plans for u in kb.plan.units_named(n)))
    fields = tuple(f for f in e.fields if kb.vocab.documents(f) & plans) if plans else e.fields
    scope = tuple(sorted(plans)) if plans else (tuple(sorted(allowed)) if doc_ids or e.documents or e.parts or e.collection else ())
    return replace(e, units=units, fields=fields, scope=scope, plan_context=context)
