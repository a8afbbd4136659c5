"""Parts of documents the question names: 「経済のパート」「エネルギー政策のところ」「医療の章」「へき地医療の施策」.

A part is named by its heading path: the document's title (without its numbering: 「3．医療」 is 医療) or
file name, and the headings below it, each written whole in the question. The path that the question names
with most of its headings wins, so a heading that many sections share (「施策」「現状と課題」) is read under the
one the question also names (「へき地医療の施策」), and alone names nothing. A name written before a part noun
(「Xのパート」) that no title or heading holds whole is read as a word of a title or heading, or failing those
as the document the name finds among the other named parts' collections; a part said not to be meant
(「教育のパートじゃなくて」) is kept as excluded. How each name was read is kept for the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.text import squash
from assistant.knowledge import Knowledge
from assistant.plan import display_name
from assistant.profile import DocKind
from assistant.understanding.read import Question

# A name found only by search must find this many chunks of one document among its first hits.
SEARCH_HITS = 5
# A heading or title that many sections share names no part by itself (「施策」 under every policy).
SHARED = 3
# A long heading is named by a question that holds this share of its character pairs.
LONG_HEADING = 8
COVERAGE = 0.8
_NOT_MEANT = re.compile(r"^(?:じゃ|では|で)?な(?:く|い)|^以外|^を除")


@dataclass(frozen=True)
class PartRef:
    name: str  # as the question wrote it
    doc_id: str
    path: tuple[str, ...] = ()  # a section's heading path (as the chunks have it); empty: the whole document
    how: str = ""  # title | heading | search
    excluded: bool = False  # 「Xのパートじゃなくて」: the question says it is not there


def named_parts(q: Question, kb: Knowledge, scope: tuple[str, ...] = ()) -> tuple[PartRef, ...]:
    docs = [d for d in kb.plan.titles if (not scope or d in scope) and not kb.profile(d).has_units]
    out: list[PartRef] = []
    nouns = "|".join(re.escape(n) for n in kb.lexicon.part_nouns)
    named = [(n, m.end()) for m in re.finditer(rf"([^\s、。,？?！!「」『』をがはとでにのも]{{2,}}?)の(?:{nouns})", q.norm)
             if (n := _name(q, m.start(1), m.end(1)))]
    found = {n: _by_name(n, kb, docs) for n, _ in named}
    near = tuple(d for r in found.values() if r for d in _collection_of(r.doc_id, kb)) or tuple(docs)
    for name, end in named:
        ref = found[name] or _by_search(name, kb, near)
        if ref is not None and _NOT_MEANT.match(q.norm[end:]):
            ref = PartRef(ref.name, ref.doc_id, ref.path, ref.how, excluded=True)
        if ref is not None and ref not in out:
            out.append(ref)
    if not out:  # no part noun: a heading path of a headed document the question names whole
        path = _named_path(q, kb, [d for d in docs if kb.profile(d).kind is DocKind.OVERVIEW])
        if path is not None:
            out.append(path)
    return tuple(out)


def _name(q: Question, start: int, end: int) -> str:
    """The noun phrase that ends at `end`: from the first word of a noun run inside [start, end)."""
    for t in q.tokens:
        if t.begin >= start and t.end <= end and t.pos in ("名詞", "接頭辞"):
            return q.norm[t.begin : end]
    return ""


def _collection_of(doc_id: str, kb: Knowledge) -> tuple[str, ...]:
    return next((docs for docs in kb.plan.collections.values() if doc_id in docs), (doc_id,))


def _title(kb: Knowledge, doc_id: str) -> str:
    return squash(display_name(kb.plan.titles[doc_id]))


def _by_name(name: str, kb: Knowledge, docs: list[str]) -> PartRef | None:
    """A document whose title (or file name) is the name, or a heading that is; else the one document whose
    title or file name holds it, or the one whose headings do."""
    key = squash(name)
    exact = [d for d in docs if key in (_title(kb, d), squash(kb.plan.doc(d).file_stem))]
    if len(exact) == 1:
        return PartRef(name, exact[0], (), "title")
    headed = [(p.doc_id, p.path) for d in docs for p in kb.plan.parts_of(d) if squash(p.name) == key]
    if len(headed) == 1:
        return PartRef(name, *headed[0], "heading")
    titled = [d for d in docs if key in _title(kb, d) or key in squash(kb.plan.doc(d).file_stem)]
    if len(titled) == 1:
        return PartRef(name, titled[0], (), "title")
    headed = [(p.doc_id, p.path) for d in docs for p in kb.plan.parts_of(d) if key in squash(p.name)]
    if headed and len({doc for doc, _ in headed}) == 1:
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


def _names(heading: str, question: str) -> bool:
    """Whether the question writes the heading (without its numbering) whole, or most of a long one."""
    h = squash(display_name(heading))
    if len(h) < 2:
        return False
    if h in question:
        return True
    pairs = {h[i : i + 2] for i in range(len(h) - 1)}
    return len(h) >= LONG_HEADING and len(pairs & {question[i : i + 2] for i in range(len(question) - 1)}) >= COVERAGE * len(pairs)


def _named_path(q: Question, kb: Knowledge, docs: list[str]) -> PartRef | None:
    """The document whose title the question writes whole (a chapter: 「3．医療」), and its section whose headings
    it names most of (「へき地医療の施策」: 施策 under へき地医療; a heading many sections share never alone)."""
    question = q.squashed
    shared: dict[str, int] = {}
    for d in docs:
        for p in kb.plan.parts_of(d):
            shared[squash(p.name)] = shared.get(squash(p.name), 0) + 1
    best: tuple[int, int, int] | None = None
    ref = None
    for d in docs:
        titled = _names(kb.plan.titles[d], question)
        if not titled:
            continue  # only a chapter named by its (short) title, and then its sections by their headings
        candidates = [((), titled)] + [(p.path, False) for p in kb.plan.parts_of(d)]
        for path, _ in candidates:
            heads = [h for h in path if _names(h, question)]
            named = heads + ([kb.plan.titles[d]] if titled else [])
            if not named or (not titled and all(shared.get(squash(display_name(h)), 0) >= SHARED for h in heads)):
                continue
            key = (len(named), sum(len(h) for h in named), -len(path))
            if path and (not heads or path[-1] not in heads):
                continue  # a section is named by its own heading; its document by its title
            if best is None or key > best:
                best, ref = key, PartRef(" ".join(display_name(h) for h in named), d, path, "heading" if heads else "title")
    return ref
