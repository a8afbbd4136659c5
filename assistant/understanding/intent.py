"""The intent, decided once from the final entities: which kind of answer the question wants."""

from __future__ import annotations

import re
from dataclasses import replace

from corpus.text import squash
from assistant.knowledge import Knowledge
from assistant.plan import display_name
from assistant.profile import DocKind
from assistant.types import Intent
from assistant.understanding.headings import titled_documents
from assistant.understanding.words import noun_runs
from assistant.understanding.model import Entities, Move, Understanding

def _narrative_topic(e: Entities, kb: Knowledge) -> bool:
    """The question asks a unit about something other than its list (its reasons, its challenges, its
    outlook): a topic of the unit's document that the unit's items do not name."""
    words = [squash(w) for w in (*e.phrases, *e.topics)]
    for name in e.units:
        unit = kb.plan.unit(name, e.scope or None)
        if unit is None:
            continue
        items = squash("".join(i.span.text for i in unit.items))
        if any(w and w not in items and w not in squash(name) and kb.in_document(unit.doc_id, w) for w in words):
            return True
    return False


def _beyond_units(e: Entities, kb: Knowledge) -> bool:
    """The question's topic is something no unit of the plans lists or says (a fund, a share, a target):
    its field word only qualifies it (「スタートアップ向けのファンドの規模」), so a passage answers, not a list."""
    docs = {d for f in e.fields for d in kb.vocab.documents(f)} or None
    # The text index finds the chunks holding a word, so no unit's text is read (a plan may have 100k).
    return any(not kb.plan.units_holding(kb.chunks_with(w), docs) for w in (*e.topics, *e.phrases) if len(squash(w)) >= 2)


def _pair(e: Entities) -> tuple[str, ...]:
    """Two terms of the documents set against each other: 「危機管理投資と成長投資の違い」."""
    terms = [*e.quoted, *e.phrases, *e.topics]
    terms = [t for t in dict.fromkeys(terms) if not any(t != o and t in o for o in terms)]
    return tuple(terms[:2]) if len(terms) >= 2 else ()


def _headed_document(e: Entities, kb: Knowledge) -> bool:
    """The question is about a document of headed sections without units (its first hit's), and names no unit."""
    return (not e.units and e.first_doc is not None and kb.profile(e.first_doc).kind is DocKind.OVERVIEW
            and not any(kb.profile(d).has_units for d in e.scope))


def _outline_shape(e: Entities, kb: Knowledge) -> Intent | None:
    """A question about a document of headed sections without units (a platform, a report): where something
    is written, a part's main points, or a complete list are answered from the heading tree."""
    c = e.cues
    if e.units:
        return None
    if c & {"compare", "both", "each"} and len(e.parts) >= 2 and all(kb.profile(p.doc_id).kind is DocKind.OVERVIEW
                                                                    for p in e.parts):
        return Intent.SIDE_BY_SIDE  # two parts of headed documents named: they frame the question, not its words
    named = [p for p in e.parts if not p.excluded]
    if e.collection and not named and c & {"overview", "enumerate", "count", "list"} and not _rest(e, kb, []):
        return Intent.OUTLINE  # 「政策集はどんな部で構成されている？」: the collection's own outline
    if named and all(kb.profile(p.doc_id).kind is DocKind.OVERVIEW for p in named) and not e.unit_noun_named:
        shape = _part_shape(e, kb, named)  # 「医療の章の政策は」: the part named frames the question
        if shape is not None:
            return shape
    if e.first_doc is None or kb.profile(e.first_doc).kind is not DocKind.OVERVIEW:
        return None
    if any(kb.profile(d).has_units for d in e.scope) or e.unit_noun_named:
        return None
    if "locate" in c:
        return Intent.WHERE
    if c & {"compare", "both", "each"} and len(titled_documents(e, kb)) >= 2:
        return Intent.SIDE_BY_SIDE
    if "why" in c and "compare" not in c:
        # about something in the document; 「この戦略の狙いは？」 (only its title) is about the document as a whole
        return Intent.REASONS if e.topics or e.phrases or e.quoted or e.carried else None
    titles = [kb.plan.titles[d] for d in titled_documents(e, kb)]
    asked = e.asks is not None and any(not any(m.group(0) in t for t in titles)  # 「予算と財源のファイル」 names a file
                                       for m in kb.lexicon.kinds[e.asks].cue.finditer(e.question.norm))
    if "overview" in c and "compare" not in c and not asked:
        # 「予算のファイルを要約して」: the part's points (予算 only hints at an amount); 「全体の投資規模は何兆円？」 asks one
        return Intent.OUTLINE
    if "enumerate" in c and "across" in c:
        return Intent.MENTIONS
    if "enumerate" in c and "compare" not in c:  # 「予算額が出ている施策を全部」: a list whose entries carry amounts
        return Intent.ITEMS
    if e.asks and "compare" not in c:
        return Intent.LOOKUP  # a figure, a date, a name asked of the document: the passage that holds it
    return None


def _whole_plan(e: Entities, kb: Knowledge) -> tuple[str, ...]:
    """The units of the one plan the question names by title when it asks for what the plan's units list (its
    item noun: 分野, 施策) and names no unit, field or section itself."""
    if len(e.documents) != 1 or e.units or e.fields or e.sections or e.asks or e.followup:
        return ()
    profile = kb.profile(e.documents[0])
    if not profile.has_units or not profile.item_noun or profile.item_noun not in e.norm or "count" in e.cues:
        return ()
    if profile.legend is not None:
        return ()  # a plan with a legend says what it covers there (its categories), not by reading every unit
    units = kb.plan.units([e.documents[0]])
    # the units' items are what is asked when a heading above the units names them so (「地域別の重点分野」)
    runs = ["".join(t.surface for t in run) for run in noun_runs(e.question)]
    phrase = next((r for r in runs if profile.item_noun in r), "")
    above = {h for u in units for h in u.path[:-1]}
    return tuple(u.name for u in units) if phrase and any(phrase in h for h in above) else ()


def _part_shape(e: Entities, kb: Knowledge, named: list) -> Intent | None:
    """A question about one part of a headed document: its sections or list when it counts or enumerates, its
    reasons, or its outline when it asks about the part itself (its only words name the part)."""
    c = e.cues
    if "locate" in c or "compare" in c or e.followup:
        return None
    if "why" in c:
        return Intent.REASONS
    if c & {"count", "enumerate"}:
        return Intent.ITEMS
    if "overview" in c or not _rest(e, kb, named):
        return Intent.OUTLINE
    return None


def _rest(e: Entities, kb: Knowledge, named: list) -> list[str]:
    """The question's words besides those naming its parts or its collection, generic words and words for
    structure: what it asks about within them."""
    names = [squash(p.name) for p in named] + [squash(display_name(kb.plan.titles[p.doc_id])) for p in named]
    skip = {*kb.lexicon.generic, *kb.lexicon.structure_words}
    return [w for w in (*e.topics, *e.phrases, *e.quoted, *e.unknown_terms)
            if not any(squash(w) in n for n in names) and w not in skip and squash(w) not in e.title_words]


def _followup_intent(e: Entities) -> Intent | None:
    """The intent a follow-up keeps from the turn it continues, or implies by how it continues it."""
    p, move = e.previous_intent, e.move
    if move in (Move.PAIR, Move.VERSUS):
        return Intent.COMPARE
    if move is Move.NARROW:
        return Intent.WHICH_UNITS
    if move is Move.MORE:
        return Intent.DETAIL
    if move is Move.MORE_WORDS:
        return Intent.GENERAL
    if move is Move.THEIR_UNITS:  # 「そこでは？」: about the units talked about
        if p in (Intent.UNIT_FIELD, Intent.EXPLAIN) and e.fields:
            return p
        if e.fields:
            return Intent.UNIT_FIELD
        return None if e.cue("why") or e.topics or e.phrases else Intent.UNIT_ITEMS
    if move is Move.NEW_UNIT:  # 「ではBは？」: the same question about another unit
        kept = p if p in (Intent.UNIT_ITEMS, Intent.EXPLAIN, Intent.COUNT, Intent.UNIT_FIELD) else None
        if kept is Intent.UNIT_FIELD and not e.fields:
            return Intent.UNIT_ITEMS
        return Intent.UNIT_FIELD if kept is None and e.fields else kept
    if move is Move.NEW_FIELD:  # 「ではYは？」: the same question about another field
        kept = p if p in (Intent.WHICH_UNITS, Intent.COUNT) else None
        return Intent.UNIT_FIELD if kept is None and e.units else kept
    return None


def classify(e: Entities, kb: Knowledge) -> Understanding:
    c = e.cues
    # 「17の戦略分野を全部」: the count a named heading states, when the question says it too (not 1-2 of 「1-2 X」)
    size = next((m for h in e.headings if "enumerate" in c and (m := re.match(r"(\d+)の?[^のからをへ]+$", h))
                 and re.search(rf"(?<!\d){m.group(1)}(?!\d)", e.question.norm)), None)
    u = Understanding(
        **{f: getattr(e, f) for f in Entities.__dataclass_fields__},
        negated="negate" in c,
        wants_all="both" in c,
        list_size=int(size.group(1)) if size else None,
        rank="most" if "most" in c else ("fewest" if "fewest" in c else None),
    )
    plan_words = bool(e.units or e.fields or e.sections or e.unit_noun_named)
    whole = _whole_plan(e, kb)
    if whole:  # 「静岡県の計画の重点分野は？」: what every unit of the named plan lists
        return replace(u, units=whole, intent=Intent.UNIT_ITEMS)
    if (len(e.documents) == 1 and "overview" in c and kb.profile(e.documents[0]).kind is not DocKind.PROSE
            and not (e.units or e.fields or e.sections or e.asks or e.followup)):
        return replace(u, intent=Intent.OUTLINE)  # 「北九州市の計画のポイントをまとめて」: that document's outline
    shape = _outline_shape(e, kb)
    if shape is not None:
        return replace(u, intent=shape)
    if "count" in c and plan_words and not u.rank:
        intent = Intent.COUNT
    elif u.rank and (e.unit_noun_named or e.fields or e.units):
        intent = Intent.RANK
    elif "difference" in c and not e.units and len(pair := _pair(e)) == 2:
        return replace(u, intent=Intent.DIFFERENCE, pair=pair)
    elif len(e.units) >= 2 and not e.fields:
        intent = Intent.EXPLAIN if "why" in c and "compare" not in c else Intent.COMPARE
    elif (kept := _followup_intent(e)) is not None and not (c & {"count", "compare", "why", "which"}):
        intent = kept
    elif "why" in c or (e.quoted and not e.asks) or ("define" in c and not e.units and not e.sections):
        intent = Intent.EXPLAIN
    elif e.units and _narrative_topic(e, kb):
        intent = Intent.EXPLAIN
    elif e.units and e.fields:
        intent = Intent.UNIT_FIELD
    elif e.units:
        intent = Intent.UNIT_ITEMS
    elif e.fields and (e.asks or _beyond_units(e, kb)):
        intent = Intent.GENERAL
    elif e.fields:
        intent = Intent.WHICH_UNITS
    elif e.phrases and e.plan_context and ("which" in c or e.unit_noun_named):
        intent = Intent.WHICH_UNITS  # units whose text mentions a phrase (経済安全保障への貢献)
    elif e.sections and not e.asks:
        intent = Intent.SECTION
    else:
        intent = Intent.GENERAL
    if intent is Intent.UNIT_ITEMS and "continue" in c and e.followup == "continuation":
        intent = Intent.DETAIL
    if intent is Intent.GENERAL and _headed_document(e, kb):
        intent = Intent.LOOKUP
    return replace(u, intent=intent)
