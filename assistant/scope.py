"""Which documents a question is about, and whether plan semantics apply to it.

Units, fields and counts belong to the plan documents whose profile has units. A question that names
中国 or 東京 may still be about another document (China the country, a university in Tokyo): plan
semantics apply to a plan only when the evidence agrees — the plan is among the first documents that
retrieval finds for the question, or the question uses the plan's own unit noun (ブロック, 地区 …) or
its title words, or it continues a conversation about the plan. Otherwise the plan entities are dropped
and the question takes the general path.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from index.search import Hit
from assistant.knowledge import Knowledge
from assistant.understand import Entities

# A plan counts as found by retrieval when one of its passages is among this many first hits.
PLAN_RANK = 2


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
    docs |= {m.unit.doc_id for f in e.fields for m in kb.vocab.matches(f)}
    docs |= {p.doc_id for p in kb.plan.others() if p.name in e.sections}
    return docs


def _asked_about(doc_id: str, e: Entities, ranks: dict[str, int], kb: Knowledge) -> bool:
    profile = kb.profile(doc_id)
    if doc_id in e.documents or e.followup:
        return True
    if profile.unit_noun and profile.unit_noun in e.norm:
        return True
    # 「中国の首都は？」: a topic the plan never mentions but another document does is about that document.
    if any(not kb.in_document(doc_id, t) for t in e.topics):
        return False
    return ranks.get(doc_id, PLAN_RANK) < PLAN_RANK


def apply(e: Entities, hits: Sequence[Hit], kb: Knowledge, doc_ids: Sequence[str] | None = None) -> Entities:
    allowed = set(doc_ids) if doc_ids else set(kb.plan.titles)
    if e.documents:
        named = [d for d in e.documents if d in allowed]
        allowed = set(named) or allowed
    ranks = document_ranks(hits, kb)
    if e.scope:  # carried from the previous turn
        allowed &= set(e.scope) or allowed
    plans = {d for d in _plan_docs(e, kb) if d in allowed and _asked_about(d, e, ranks, kb)}
    first = min(ranks, key=ranks.get) if ranks else None
    context = bool(plans) or e.unit_noun_named or (first is not None and kb.profile(first).has_units)
    if not plans and e.has_entities:
        # Plan semantics do not apply: the names are ordinary words of another document here.
        keep_topics = tuple(dict.fromkeys((*e.topics, *e.units, *e.fields)))
        return replace(e, units=(), fields=(), sections=(), headings=(), topics=keep_topics, notes=(), plan_context=context,
                       scope=tuple(sorted(allowed)) if doc_ids or e.documents else ())
    units = tuple(n for n in e.units if any(u.doc_id in plans for u in kb.plan.units_named(n)))
    fields = tuple(f for f in e.fields if any(m.unit.doc_id in plans for m in kb.vocab.matches(f))) if plans else e.fields
    scope = tuple(sorted(plans)) if plans else (tuple(sorted(allowed)) if doc_ids or e.documents else ())
    return replace(e, units=units, fields=fields, scope=scope, plan_context=context)
