"""Question → Understanding, one stage: read, names, headings, words, follow-ups, search, scope, intent.

`understand` serves the current turn and, with a cheaper search, the earlier turns it is read against.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Protocol, Sequence

from corpus.text import normalize, squash
from index.search import Hit
from assistant.knowledge import Knowledge
from assistant.understanding import followups, scope, wording
from assistant.understanding.intent import classify
from assistant.understanding.headings import named_sections
from assistant.understanding.model import Entities, Understanding
from assistant.understanding.parts import named_parts
from assistant.understanding.names import fields_in, misspelt, titles_in, units_in
from assistant.understanding.read import Question, read_question
from assistant.understanding.unknown import read_words
from assistant.understanding.words import runs


# A placeholder for forgotten words in a quote: 〇〇, ○○, ××, XX.
_PLACEHOLDER = re.compile(r"(?:[〇○◯●×xX＊*]{2,}|[〇○◯●])")
# A time the question states (2030年度, 令和8年): it qualifies what is asked, it is not asked.
_STATED_TIME = re.compile(r"(?:令和|平成|昭和)?\d+(?:年度|年|月|日)")
# An interrogative (いくら) asks for its own kind only this far (characters) from another kind's word.
WEAK_REACH = 6


class Search(Protocol):
    """The passages for a query, within some documents (None: all). `earlier`: an earlier turn, read with
    BM25 alone (no embedding); the current turn gets the full hybrid search."""

    def __call__(self, query: str, within: Sequence[str] | None, earlier: bool) -> list[Hit]: ...


def understand(question: str, history: Sequence[dict], kb: Knowledge, search: Search,
               doc_ids: Sequence[str] | None = None) -> Understanding:
    """The question read once, completed from the earlier turns, searched, scoped and given its intent."""
    previous, recent = followups.resolve_history(
        followups.earlier_questions(history), lambda t, p, r: _turn(t, p, r, kb, search, doc_ids), kb.vocab)
    said = followups.last_answer(history)
    picked = followups.pick_listed(question, said, kb.lexicon.cues["ordinal"]) if said else None
    if said and picked is None and not kb.vocab.find(normalize(question)):  # a plan's fields narrow by units instead
        picked = followups.pick_matching(question, said, kb.lexicon.cues["narrow"], lambda text: _nouns(text, kb))
    e = extract(read_question(picked[0] if picked else question, kb.tokenizer, kb.lexicon, kb.readings), kb)
    if picked:  # one entry of the previous answer's list, named in the question's place
        e = replace(e, notes=(*e.notes, picked[1]))
    e = followups.merge(e, previous, kb.vocab, recent, kb.lexicon.item_nouns)
    # Names the question reached indirectly (a reading, a place, a slip) are searched as written in the documents.
    # words naming a collection leave its search (its pages all share them; its top page repeats them); a document's
    # own title words stay (its title page is found by them)
    named = e.title_words if e.collection and not e.documents else ()
    query = " ".join((_without(e.norm, named), *e.carried, *(n for n in (*e.units, *e.fields) if n not in e.norm)))
    within = doc_ids or e.documents or _parts_scope(e, kb) or e.collection or (e.scope if e.followup else None)
    hits = search(query, within, earlier=False)
    e = wording.read_unknown(scope.apply(e, hits, kb, doc_ids), hits, kb)
    if e.readings:  # searched again with the documents' own words for what the question wrote otherwise
        hits = search(" ".join((query, *e.readings)), within, earlier=False)
    return replace(classify(e, kb), hits=tuple(hits))


def _nouns(text: str, kb: Knowledge) -> list[str]:
    """The nouns of a text that are not generic (what a narrowing follow-up selects by)."""
    return [t.surface for t in kb.tokenizer.tokens(text) if t.pos == "名詞" and t.surface not in kb.lexicon.generic]


def _parts_scope(e: Entities, kb: Knowledge) -> tuple[str, ...]:
    """The documents the named parts are in; with only parts said not to be meant, every other document."""
    named = tuple(dict.fromkeys(p.doc_id for p in e.parts if not p.excluded))
    if named or not e.parts:
        return named
    return tuple(d for d in kb.plan.titles if d not in {p.doc_id for p in e.parts})


def _without(text: str, words: Sequence[str]) -> str:
    """The question without the words that name its documents (「Xのマニフェストでは」): the search is already
    limited to those documents, where such words would only favour the pages that repeat the title."""
    for w in sorted(words, key=len, reverse=True):
        text = text.replace(w, " ")
    return text


def _turn(text: str, previous: Understanding | None, recent: tuple[str, ...], kb: Knowledge, search: Search,
          doc_ids: Sequence[str] | None) -> Understanding:
    """An earlier turn: read, completed from the turns before it, scoped with the cheap search."""
    e = followups.merge(extract(read_question(text, kb.tokenizer, kb.lexicon, kb.readings), kb), previous, kb.vocab, recent,
                        kb.lexicon.item_nouns)
    return classify(scope.apply(e, search(e.norm, doc_ids, earlier=True), kb, doc_ids), kb)


def asked_kinds(q: Question, lex) -> list[str]:
    """Every kind of information the question asks for, in the order it asks (「何という名前で、自己負担は
    いくら」: a name, then an amount); an interrogative (weak cue) counts only where no kind's word says
    what is asked in that clause."""
    found: list[tuple[int, str]] = []
    said = _STATED_TIME.sub(lambda m: " " * len(m.group(0)), q.norm)
    for k in lex.kinds.values():
        m = k.cue.search(said)
        if m:
            found.append((m.start(), k.name))
    strong = [name for _, name in sorted(found)]
    for k in lex.kinds.values():
        m = k.weak_cue.search(said)
        if m and k.name not in strong and not any(abs(pos - m.start()) <= WEAK_REACH for pos, _ in found):
            strong.append(k.name)
    return strong


def wildcards(q: Question) -> tuple[str, ...]:
    """Quoted phrases written with placeholders (「〇〇せない」), as regular expressions over normalised text."""
    out = []
    for quote in q.quoted:
        if _PLACEHOLDER.search(quote) and _PLACEHOLDER.sub("", quote):
            parts = [re.escape(p) for p in _PLACEHOLDER.split(quote)]
            out.append(r"[^\s、。「」]{1,4}".join(parts))
    return tuple(out)


def extract(q: Question, kb: Knowledge) -> Entities:
    lex = kb.lexicon
    cues = frozenset(name for name, pattern in lex.cues.items() if pattern.search(q.norm))
    taken = [False] * len(q.norm)
    units, notes = units_in(q, kb, taken)
    surfaces = tuple(q.norm[i : j + 1] for i, j in runs(taken))
    fields, field_surfaces = fields_in(q, kb, taken)
    misspelt(q, kb, taken, units, fields, notes)
    place_keys = {squash(u) for u in units} | {squash(p.surface) for p in kb.places.find(q.norm, q.bounds)}
    field_keys = {squash(s) for f in fields for s in kb.vocab.surfaces(f)}
    documents, title_words, collection = titles_in(q, kb)

    words = read_words(q, kb, taken, units, fields, notes, place_keys, field_keys, title_words)
    fields, notes = list(words.fields), list(words.notes)
    sections, headings = named_sections(q, kb, title_words) if not units else ((), ())
    quoted = tuple(x for x in q.quoted if kb.in_documents(x))
    topics = [t for t in words.topics if not any(squash(t) in w for w in title_words)]
    phrases = [p for p in words.phrases if not any(squash(p) in w for w in title_words)]
    kinds = asked_kinds(q, lex)
    # the kind the question is mainly about: the first of the lexicon's order whose word the question uses (a
    # time it states, 「2030年度の目標」, asks no date)
    said = _STATED_TIME.sub(lambda m: " " * len(m.group(0)), q.norm)
    asks = next((k.name for k in lex.kinds.values() if k.cue.search(said)), None) or next(
        (k.name for k in lex.kinds.values() if k.weak_cue.search(said)), None)
    if asks == "location" and not units:
        asks = None  # 「どこで検討されている？」 without a unit asks which units: they are the places
    if asks == "name" and any(t.surface in lex.kinds["person"].words for t in q.tokens):
        asks = "person_name"  # 「市長の名前」: a person's name, which a role does not give
    kinds = tuple(dict.fromkeys(k for k in (asks, *kinds[1:]) if k))
    nouns = {kb.profile(d).unit_noun for d in kb.profiles if kb.profile(d).unit_noun}
    return Entities(
        question=q,
        units=tuple(units),
        fields=tuple(dict.fromkeys(fields)),
        sections=sections,
        headings=headings,
        phrases=tuple(dict.fromkeys(phrases)),
        topics=tuple(dict.fromkeys(topics)),
        unknown_terms=tuple(dict.fromkeys(words.unknown)),
        unknown_names=tuple(dict.fromkeys(words.unknown_names)),
        unknown_compounds=tuple(c for c in dict.fromkeys(words.compounds) if not any(squash(c) in squash(n) for n in notes)),
        unknown_focus=tuple(dict.fromkeys(words.focus)),
        unknown_subjects=tuple(dict.fromkeys(words.subjects)),
        quoted=quoted,
        documents=tuple(documents),
        collection=tuple(collection),
        parts=named_parts(q, kb, tuple(collection)),
        title_words=tuple(sorted(title_words)),
        asks=asks,
        kinds=kinds,
        patterns=wildcards(q),
        cues=cues,
        notes=tuple(notes),
        unit_noun_named=any(n in q.norm for n in nouns),
        unit_surfaces=surfaces,
        field_surfaces=tuple(dict.fromkeys(field_surfaces)),
    )
