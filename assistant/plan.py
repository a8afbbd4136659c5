"""The structured view of the documents, rebuilt from the indexed chunks (Chroma is the source of truth).

A document is a sequence of *parts* (its top-level blocks, and sections inside them), each with its
listed items and its sentences and the chunks that hold them. A document's profile (`assistant.profile`)
says which parts are its *units* (the plan's regional blocks, a city plan's districts …) and which one is
its legend; everything plan-specific (units, fields, counts) works on units only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.model import Chunk, Item, Sentence
from corpus.text import normalize
from assistant.lexicon import Lexicon
from assistant.places import Gazetteer
from assistant.profile import DocumentProfile, Role, derive_profiles


@dataclass(frozen=True)
class Located:
    """An item or sentence with the chunk it lies in (for citations)."""

    span: Item | Sentence
    chunk: Chunk


@dataclass(frozen=True, eq=False)
class Part:
    """A block, or a section of one, with what it lists and says. Compared by identity."""

    doc_id: str
    title: str
    name: str
    path: tuple[str, ...]  # (block, section, …)
    start: int
    end: int
    chunks: tuple[Chunk, ...]
    items: tuple[Located, ...]
    sentences: tuple[Located, ...]
    role: Role = Role.PART

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h for c in self.chunks for path, _, _ in c.sections for h in path))

    @property
    def is_unit(self) -> bool:
        return self.role is Role.UNIT


def _inside(loc: Located, start: int, end: int) -> bool:
    return start <= loc.span.start and loc.span.end <= end


@dataclass
class _Doc:
    blocks: list[Part] = field(default_factory=list)
    sections: list[Part] = field(default_factory=list)


class PlanView:
    def __init__(self, chunks: list[Chunk], lexicon: Lexicon, places: Gazetteer) -> None:
        self.chunks = {c.chunk_id: c for c in chunks}
        grouped: dict[tuple[str, str], list[Chunk]] = {}
        for c in sorted(chunks, key=lambda c: (c.doc_id, c.start)):
            grouped.setdefault((c.doc_id, c.block), []).append(c)
        docs: dict[str, _Doc] = {}
        for (doc_id, name), cs in grouped.items():
            items = tuple(Located(i, c) for c in cs for i in c.items)
            sentences = tuple(Located(s, c) for c in cs for s in c.sentences)
            block = Part(doc_id, cs[0].title, name, (name,), cs[0].start, cs[-1].end, tuple(cs), items, sentences)
            doc = docs.setdefault(doc_id, _Doc())
            doc.blocks.append(block)
            spans: dict[tuple[str, ...], list[int]] = {}
            for c in cs:
                for path, s, e in c.sections:
                    if len(path) > 1:
                        span = spans.setdefault(tuple(path), [s, e])
                        span[0], span[1] = min(span[0], s), max(span[1], e)
            for path, (s, e) in spans.items():
                mine = tuple(c for c in cs if c.start < e and c.end > s)
                doc.sections.append(Part(
                    doc_id, cs[0].title, path[-1], path, s, e, mine,
                    tuple(x for x in items if _inside(x, s, e)), tuple(x for x in sentences if _inside(x, s, e)),
                ))
        self.profiles: dict[str, DocumentProfile] = derive_profiles(
            {d: (doc.blocks, doc.sections) for d, doc in docs.items()}, lexicon, places
        )
        self.parts: list[Part] = []
        for doc_id in sorted(docs, key=lambda d: docs[d].blocks[0].chunks[0].doc_id):
            profile = self.profiles[doc_id]
            for part in sorted(docs[doc_id].blocks + docs[doc_id].sections, key=lambda p: (p.start, len(p.path))):
                role = profile.role_of(part.path)
                self.parts.append(part if role is Role.PART else _with_role(part, role))
        self.titles = {p.doc_id: p.title for p in self.parts}
        self._blocks: dict[str, list[Part]] = {}  # top-level parts by document, in plan order
        for p in self.parts:
            if len(p.path) == 1:
                self._blocks.setdefault(p.doc_id, []).append(p)
        self._others = [p for ps in self._blocks.values() for p in ps if not p.is_unit]
        self._legends: dict[str, Part] = {}
        for p in self.parts:
            if p.role is Role.LEGEND:
                self._legends.setdefault(p.doc_id, p)
        self._units = [p for p in self.parts if p.is_unit]
        self._by_chunk_block = {(p.doc_id, p.name): p for p in self.parts if len(p.path) == 1}
        self._names: dict[str, list[Part]] = {}
        self._by_name: dict[str, list[Part]] = {}
        for u in self._units:
            self._names.setdefault(normalize(u.name), []).append(u)
            self._by_name.setdefault(u.name, []).append(u)
        self._longest = max(map(len, self._names), default=0)
        self._chunk_units: dict[str, list[Part]] = {}
        for u in self._units:
            for c in u.chunks:
                self._chunk_units.setdefault(c.chunk_id, []).append(u)
        self.unit_docs: tuple[str, ...] = tuple(dict.fromkeys(u.doc_id for u in self._units))  # in plan order
        # Units named after places (a regional plan's blocks): a place in a question may mean one.
        self.regional_names = frozenset(u.name for u in self._units if self.profiles[u.doc_id].units_are_places)

    # --- units -------------------------------------------------------------------------------------

    def units(self, doc_ids=None) -> list[Part]:
        return [u for u in self._units if doc_ids is None or u.doc_id in doc_ids]

    def unit(self, name: str, doc_ids=None) -> Part | None:
        return next((u for u in self._names.get(normalize(name), ()) if doc_ids is None or u.doc_id in doc_ids), None)

    def units_named(self, name: str) -> list[Part]:
        """The units called exactly `name` (one per plan that has such a unit)."""
        return self._by_name.get(name, [])

    def units_holding(self, chunk_ids, doc_ids=None) -> list[Part]:
        """The units that hold any of the chunks, in plan order (a question's phrase found by the text
        index, instead of reading every unit)."""
        found = {id(u): u for cid in chunk_ids for u in self._chunk_units.get(cid, ()) if doc_ids is None or u.doc_id in doc_ids}
        return sorted(found.values(), key=plan_order)

    def unit_names(self) -> list[str]:
        return list(dict.fromkeys(u.name for u in self._units))

    def names_in(self, text: str, bounds: frozenset[int] | None = None) -> list[tuple[int, int, str]]:
        """Unit names written in `text` (normalised): (start, end, name), longest first, no overlaps,
        starting and ending on word boundaries when `bounds` is given. Looks up the text's substrings
        (a question is short; a plan may have 100k units)."""
        found: list[tuple[int, int, str]] = []
        taken = [False] * len(text)
        for length in range(min(self._longest, len(text)), 0, -1):
            for pos in range(len(text) - length + 1):
                key = text[pos : pos + length]
                if key not in self._names or any(taken[pos : pos + length]):
                    continue
                if bounds is not None and not (pos in bounds and pos + length in bounds):
                    continue
                found.append((pos, pos + length, self._names[key][0].name))
                taken[pos : pos + length] = [True] * length
        return sorted(found)

    # --- other parts -------------------------------------------------------------------------------

    def blocks(self, doc_ids=None) -> list[Part]:
        if doc_ids is None:
            return [p for ps in self._blocks.values() for p in ps]
        return [p for d, ps in self._blocks.items() if d in doc_ids for p in ps]

    def others(self) -> list[Part]:
        """Top-level parts that are not units (lead, overview sections, the legend)."""
        return list(self._others)

    def legend(self, doc_id: str) -> Part | None:
        return self._legends.get(doc_id)

    def block_of(self, chunk_id: str) -> Part:
        chunk = self.chunks[chunk_id]
        return self._by_chunk_block[(chunk.doc_id, chunk.block)]

    def blocks_holding(self, chunk_ids, doc_ids=None) -> list[Part]:
        """The top-level parts that hold any of the chunks, in plan order."""
        found = {id(b): b for cid in chunk_ids if cid in self.chunks and (b := self.block_of(cid)) is not None
                 and (doc_ids is None or b.doc_id in doc_ids)}
        return sorted(found.values(), key=plan_order)


def plan_order(part: Part) -> tuple:
    """The order of `PlanView.parts`: by document, then position, a block before its sections."""
    return part.doc_id, part.start, len(part.path)


def _with_role(part: Part, role: Role) -> Part:
    return Part(part.doc_id, part.title, part.name, part.path, part.start, part.end, part.chunks, part.items,
                part.sentences, role)
