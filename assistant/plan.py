"""The structured view of the documents, rebuilt from the indexed chunks (Chroma is the source of truth).

A document is a sequence of *parts* (its top-level blocks, and sections inside them), each with its
listed items and its sentences and the chunks that hold them. A document's profile (`assistant.profile`)
says which parts are its *units* (the plan's regional blocks, a city plan's districts …) and which one is
its legend; everything plan-specific (units, fields, counts) works on units only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.model import Chunk, Item, Sentence
from corpus.text import normalize
from assistant.lexicon import Lexicon
from assistant.places import Gazetteer
from assistant.profile import DocumentProfile, Role, derive_profiles


# A heading's own numbering (第1節, 第4章, 3., (2)) is not part of its name: 「第1節 響灘・若松地区」 is 響灘・若松地区.
_NUMBERING = re.compile(r"^(?:第[0-9０-９一二三四五六七八九十百]+[章節項部編]|[0-9０-９]+[.．)）]|[（(][0-9０-９]+[)）])[\s　]*")


def display_name(heading: str) -> str:
    return _NUMBERING.sub("", heading).strip() or heading


def aliases(name: str, noun: str) -> list[str]:
    """Names a unit is also called by: a coordinate name names each of its parts
    (「響灘・若松地区」 → 響灘地区, 若松地区), and the name without its unit noun (門司港地区 → 門司港)."""
    out = []
    stem = name[: -len(noun)] if noun and name.endswith(noun) and len(name) > len(noun) else ""
    if stem:
        out.append(stem)
        parts = [p for p in re.split(r"[・、]", stem) if p]
        if len(parts) > 1:
            out += [p + noun for p in parts]
    return out


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

    @property
    def listed(self) -> tuple[Located, ...]:
        """The entries a unit lists as its own: its numbered items (①②, (1)) when it numbers any, else all;
        a bulleted 「主な取組」 under a numbered 「重点分野」 describes activities, not the unit's fields."""
        numbered = tuple(i for i in self.items if i.span.number is not None)
        return numbered or self.items


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
            block = Part(doc_id, cs[0].title, display_name(name), (name,), cs[0].start, cs[-1].end, tuple(cs), items, sentences)
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
                    doc_id, cs[0].title, display_name(path[-1]), path, s, e, mine,
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
        self._units = [p for p in self.parts if p.is_unit]
        self._by_chunk_block = {(p.doc_id, p.path[0]): p for p in self.parts if len(p.path) == 1}
        self._names: dict[str, list[Part]] = {}
        for u in self._units:
            self._names.setdefault(normalize(u.name), []).append(u)
        for u in self._units:  # aliases after all names: a real name wins over another unit's alias
            for alias in aliases(u.name, self.profiles[u.doc_id].unit_noun):
                if len(alias) >= 2:
                    self._names.setdefault(normalize(alias), []).append(u)
        self._longest = max(map(len, self._names), default=0)

    # --- units -------------------------------------------------------------------------------------

    def units(self, doc_ids=None) -> list[Part]:
        return [u for u in self._units if doc_ids is None or u.doc_id in doc_ids]

    def unit(self, name: str, doc_ids=None) -> Part | None:
        return next((u for u in self._names.get(normalize(name), ()) if doc_ids is None or u.doc_id in doc_ids), None)

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
        return [p for p in self.parts if len(p.path) == 1 and (doc_ids is None or p.doc_id in doc_ids)]

    def others(self) -> list[Part]:
        """Top-level parts that are not units (lead, overview sections, the legend)."""
        return [p for p in self.parts if len(p.path) == 1 and not p.is_unit]

    def legend(self, doc_id: str) -> Part | None:
        return next((p for p in self.parts if p.doc_id == doc_id and p.role is Role.LEGEND), None)

    def block_of(self, chunk_id: str) -> Part:
        chunk = self.chunks[chunk_id]
        return self._by_chunk_block[(chunk.doc_id, chunk.block)]

    def part_at(self, chunk: Chunk, offset: int) -> Part:
        """The innermost part holding `offset` (a unit section before its block)."""
        inner = [p for p in self.parts if p.doc_id == chunk.doc_id and p.start <= offset < p.end and chunk.block == p.path[0]]
        return max(inner, key=lambda p: len(p.path)) if inner else self.block_of(chunk.chunk_id)

    def unit_of(self, loc: Located) -> Part | None:
        return next((u for u in self._units if u.doc_id == loc.chunk.doc_id and _inside(loc, u.start, u.end)), None)


def _with_role(part: Part, role: Role) -> Part:
    return Part(part.doc_id, part.title, part.name, part.path, part.start, part.end, part.chunks, part.items,
                part.sentences, role)
