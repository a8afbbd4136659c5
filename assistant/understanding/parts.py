"""Parts named loosely: 「経済のパート」「エネルギー政策のところ」 name a document or a section by a word of its
title, its file name or a heading, or failing those by what it is about (the document whose passages the
word finds first). How each name was read is kept for the answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.text import squash
from assistant.knowledge import Knowledge
from assistant.understanding.read import Question

# A name found only by search must find this many chunks of one document among its first hits.
SEARCH_HITS = 5


@dataclass(frozen=True)
class PartRef:
    name: str  # as the question wrote it
    doc_id: str
    path: tuple[str, ...] = ()  # a section's heading path; empty: the whole document
    how: str = ""  # title | heading | search


def named_parts(q: Question, kb: Knowledge, scope: tuple[str, ...] = ()) -> tuple[PartRef, ...]:
    nouns = "|".join(re.escape(n) for n in kb.lexicon.part_nouns)
    names = [n for m in re.finditer(rf"([^\s、。,？?！!「」『』をがはとでにのも]{{2,}}?)の(?:{nouns})", q.norm)
             if (n := _name(q, m.start(1), m.end(1)))]
    found = {n: _by_name(n, kb, scope) for n in names}
    # a name no title or heading holds is looked for among the documents the other names were found in (their
    # collections): 「経済のパートとエネルギー政策のところ」 are two parts of one platform
    near = tuple(d for r in found.values() if r for d in _collection_of(r.doc_id, kb)) or scope
    out: list[PartRef] = []
    for name in names:
        ref = found[name] or _by_search(name, kb, near)
        if ref is not None and ref not in out:
            out.append(ref)
    return tuple(out)


def _collection_of(doc_id: str, kb: Knowledge) -> tuple[str, ...]:
    return next((docs for docs in kb.plan.collections.values() if doc_id in docs), (doc_id,))


def _name(q: Question, start: int, end: int) -> str:
    """The noun phrase that ends at `end`: from the last word boundary that starts a noun run."""
    for t in q.tokens:
        if t.begin >= start and t.end <= end and t.pos in ("名詞", "接頭辞"):
            return q.norm[t.begin : end]
    return ""


def _by_name(name: str, kb: Knowledge, scope: tuple[str, ...]) -> PartRef | None:
    """The one document whose title or file name holds the name, else the one document with a heading that does."""
    key = squash(name)
    docs = [d for d in kb.plan.titles if not scope or d in scope]
    titled = [d for d in docs if key in squash(kb.plan.titles[d]) or key in squash(kb.plan.doc(d).file_stem)]
    if len(titled) == 1:
        return PartRef(name, titled[0], (), "title")
    headed = [(p.doc_id, p.path) for d in docs for p in kb.plan.parts_of(d) if key in squash(p.name)]
    if len({doc for doc, _ in headed}) == 1:
        doc, path = min(headed, key=lambda x: len(x[1]))
        return PartRef(name, doc, path, "heading")
    return None


def _by_search(name: str, kb: Knowledge, scope: tuple[str, ...]) -> PartRef | None:
    """The document whose passages the name finds most among its first hits (what the part is about)."""
    hits = [cid for cid, _ in kb.lexical.search(name, SEARCH_HITS, list(scope) or None)]
    found = [d for c in hits if (d := kb.plan.doc_of(c))]
    if not found:
        return None
    return PartRef(name, max(set(found), key=lambda d: (found.count(d), -found.index(d))), (), "search")
