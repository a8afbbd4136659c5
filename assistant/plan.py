"""The structured view of the documents, rebuilt from the indexed chunks (Chroma is the source of truth).

A document is a sequence of *parts* (its top-level blocks, and sections inside them), each with its
listed items and its sentences and the chunks that hold them. A document's profile (`assistant.profile`)
says which parts are its *units* (the plan's regional blocks, a city plan's districts …) and which one is
its legend; everything plan-specific (units, fields, counts) works on units only.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from corpus.model import Chunk, Item, Sentence
from corpus.text import normalize
from assistant.lexicon import Lexicon
from assistant.places import Gazetteer
from assistant.profile import DocumentProfile, Role, derive_profiles


# A heading's own numbering (第1節, 第4章, 3., (2)) is not part of its name: 「第1節 Aエリア」 is Aエリア.
_NUMBERING = re.compile(
    r"^(?:第[0-9０-９一二三四五六七八九十百]+[章節項部編]"
    r"|[0-9０-９]+(?:[-－‐.．][0-9０-９]+)*(?:[.．)）](?![0-9０-９])|(?=[\s　]))"  # 3．, 1-1 , 2.3.
    r"|[（(][0-9０-９]+[)）]|[\u2460-\u2473])[\s　]*"
)


def display_name(heading: str) -> str:
    return _NUMBERING.sub("", heading).strip() or heading


def aliases(name: str, noun: str) -> list[str]:
    """Names a unit is also called by: a coordinate name names each of its parts
    (「A・Bエリア」 → Aエリア, Bエリア), and the name without its unit noun (Cエリア → C)."""
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

    @cached_property  # read for every matching item of a field, thousands per question on big plans
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


@dataclass
class DocView:
    """One document's chunks and parts (blocks and sections, with their roles), in plan order."""

    chunks: dict[str, Chunk]
    parts: list[Part]

    @property
    def file_stem(self) -> str:
        """The document's file name without its extension (a chapter file's name may say which part it is)."""
        file = next((c.file for c in self.chunks.values() if c.file), "")
        return file.rsplit(".", 1)[0]

    def __post_init__(self) -> None:
        self.units = [p for p in self.parts if p.is_unit]
        self.blocks = [p for p in self.parts if len(p.path) == 1]
        self.others = [p for p in self.blocks if not p.is_unit]
        self.legend = next((p for p in self.parts if p.role is Role.LEGEND), None)
        self.by_block = {p.path[0]: p for p in self.blocks}  # by the block's heading as the chunks have it

    def __getstate__(self) -> dict:
        return {"chunks": self.chunks, "parts": self.parts}

    def __setstate__(self, state: dict) -> None:
        self.chunks, self.parts = state["chunks"], state["parts"]
        self.__post_init__()


class _Chunks(Mapping):
    """chunk_id → Chunk over every document; a document's chunks are read when one of them is asked for."""

    def __init__(self, plan: "PlanView") -> None:
        self._plan = plan

    def __getitem__(self, chunk_id: str) -> Chunk:
        return self._plan.doc(self._plan._doc_of[chunk_id]).chunks[chunk_id]

    def __contains__(self, chunk_id) -> bool:
        return chunk_id in self._plan._doc_of

    def __iter__(self):
        return iter(self._plan._doc_of)

    def __len__(self) -> int:
        return len(self._plan._doc_of)


class PlanView:
    """Built from the chunks (`__init__`), or restored from disk: then the small indexes below are read at
    start and each document's parts only when a question reaches that document (`attach`)."""

    def __init__(self, chunks: list[Chunk], lexicon: Lexicon, places: Gazetteer) -> None:
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
                # its chunks reach over its sub-sections (a chunk may end at a sub-heading): what they list is read
                # through the part's chunks; its own items and sentences stay those of its own body
                reach = max([e, *(se for p2, (_, se) in spans.items() if len(p2) > len(path) and p2[: len(path)] == path)])
                mine = tuple(c for c in cs if c.start < reach and c.end > s)
                doc.sections.append(Part(
                    doc_id, cs[0].title, display_name(path[-1]), path, s, e, mine,
                    tuple(x for x in items if _inside(x, s, e)), tuple(x for x in sentences if _inside(x, s, e)),
                ))
        self.profiles: dict[str, DocumentProfile] = derive_profiles(
            {d: (doc.blocks, doc.sections) for d, doc in docs.items()}, lexicon, places
        )
        by_doc: dict[str, dict[str, Chunk]] = {}
        for c in chunks:
            by_doc.setdefault(c.doc_id, {})[c.chunk_id] = c
        self._docs: dict[str, DocView] = {}
        for doc_id in sorted(docs):
            profile = self.profiles[doc_id]
            parts = []
            for part in sorted(docs[doc_id].blocks + docs[doc_id].sections, key=lambda p: (p.start, len(p.path))):
                role = profile.role_of(part.path)
                parts.append(part if role is Role.PART else _with_role(part, role))
            self._docs[doc_id] = DocView(by_doc[doc_id], parts)
        self._index()
        self.collections, self.hubs = _collections(chunks)
        self._read = None
        self._lock = threading.Lock()

    def _index(self) -> None:
        """The indexes a question needs before it reaches any document: names, where each chunk is."""
        self.titles = {d: v.parts[0].title for d, v in self._docs.items()}
        self._order = list(self._docs)
        self._doc_of = {cid: d for d, v in self._docs.items() for cid in v.chunks}
        self._names: dict[str, list[tuple[str, int]]] = {}  # normalised unit name → (doc, unit number)
        self._by_name: dict[str, list[tuple[str, int]]] = {}
        self._chunk_units: dict[str, list[tuple[str, int]]] = {}
        for d, v in self._docs.items():
            for k, u in enumerate(v.units):
                self._names.setdefault(normalize(u.name), []).append((d, k))
                self._by_name.setdefault(u.name, []).append((d, k))
                for c in u.chunks:
                    self._chunk_units.setdefault(c.chunk_id, []).append((d, k))
        for d, v in self._docs.items():  # aliases after all names: a real name wins over another unit's alias
            for k, u in enumerate(v.units):
                for alias in aliases(u.name, self.profiles[d].unit_noun):
                    if len(alias) >= 2:
                        self._names.setdefault(normalize(alias), []).append((d, k))
        self._display = {key: self._docs[d].units[k].name for key, [(d, k), *_] in self._names.items()}
        self._longest = max(map(len, self._names), default=0)
        self.unit_docs: tuple[str, ...] = tuple(d for d, v in self._docs.items() if v.units)  # in plan order
        # Units named after places (a regional plan's blocks): a place in a question may mean one.
        self.regional_names = frozenset(n for n, refs in self._by_name.items()
                                        if any(self.profiles[d].units_are_places for d, _ in refs))
        self._other_docs = tuple(d for d, v in self._docs.items() if v.others)
        self.chunks: Mapping[str, Chunk] = _Chunks(self)

    # --- kept on disk --------------------------------------------------------------------------------

    def __getstate__(self) -> dict:
        """The indexes only; each document's parts are kept apart (`documents`) and read on demand."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("_docs", "_read", "_lock", "chunks")}
        state["_doc_ids"] = list(self._docs)
        return state

    def __setstate__(self, state: dict) -> None:
        doc_ids = state.pop("_doc_ids")
        self.__dict__.update(state)
        self._docs = dict.fromkeys(doc_ids)
        self._read = None
        self._lock = threading.Lock()
        self.chunks = _Chunks(self)

    def documents(self) -> dict[str, DocView]:
        """Every document's view (all read)."""
        return {d: self.doc(d) for d in self._order}

    def attach(self, read: Callable[[str], DocView]) -> None:
        """After `__setstate__`: how to read a document's view when a question first reaches it."""
        self._read = read

    def doc(self, doc_id: str) -> DocView:
        view = self._docs[doc_id]
        if view is None:
            with self._lock:  # one copy per document: parts are compared by identity
                view = self._docs[doc_id]
                if view is None:
                    view = self._docs[doc_id] = self._read(doc_id)
        return view

    def doc_of(self, chunk_id: str) -> str | None:
        return self._doc_of.get(chunk_id)

    # --- units -------------------------------------------------------------------------------------

    def units(self, doc_ids=None) -> list[Part]:
        return [u for d in self.unit_docs if doc_ids is None or d in doc_ids for u in self.doc(d).units]

    def unit(self, name: str, doc_ids=None) -> Part | None:
        return next((self.doc(d).units[k] for d, k in self._names.get(normalize(name), ()) if doc_ids is None or d in doc_ids), None)

    def units_named(self, name: str) -> list[Part]:
        """The units called exactly `name` (one per plan that has such a unit)."""
        return [self.doc(d).units[k] for d, k in self._by_name.get(name, ())]

    def units_holding(self, chunk_ids, doc_ids=None) -> list[Part]:
        """The units that hold any of the chunks, in plan order (a question's phrase found by the text
        index, instead of reading every unit)."""
        refs = {(d, k) for cid in chunk_ids for d, k in self._chunk_units.get(cid, ()) if doc_ids is None or d in doc_ids}
        return sorted((self.doc(d).units[k] for d, k in refs), key=plan_order)

    def unit_names(self) -> list[str]:
        return list(self._by_name)

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
                found.append((pos, pos + length, self._display[key]))
                taken[pos : pos + length] = [True] * length
        return sorted(found)

    # --- other parts -------------------------------------------------------------------------------

    def parts_of(self, doc_id: str) -> list[Part]:
        """A document's blocks and sections, in order."""
        return self.doc(doc_id).parts

    def blocks(self, doc_ids=None) -> list[Part]:
        return [p for d in self._order if doc_ids is None or d in doc_ids for p in self.doc(d).blocks]

    def others(self) -> list[Part]:
        """Top-level parts that are not units (lead, overview sections, the legend)."""
        return [p for d in self._other_docs for p in self.doc(d).others]

    def legend(self, doc_id: str) -> Part | None:
        return self.doc(doc_id).legend if doc_id in self._docs else None

    def block_of(self, chunk_id: str) -> Part:
        view = self.doc(self._doc_of[chunk_id])
        return view.by_block[view.chunks[chunk_id].block]

    def part_at(self, chunk: Chunk, offset: int) -> Part:
        """The innermost part holding `offset` (a unit section before its block)."""
        inner = [p for p in self.doc(chunk.doc_id).parts if p.start <= offset < p.end and chunk.block == p.path[0]]
        return max(inner, key=lambda p: len(p.path)) if inner else self.block_of(chunk.chunk_id)

    def blocks_holding(self, chunk_ids, doc_ids=None) -> list[Part]:
        """The top-level parts that hold any of the chunks, in plan order."""
        found = {id(b): b for cid in chunk_ids if (d := self._doc_of.get(cid)) is not None
                 and (doc_ids is None or d in doc_ids) and (b := self.block_of(cid)) is not None}
        return sorted(found.values(), key=plan_order)


# A document is its collection's hub (its top page) when its links name at least this share of the other files.
HUB_SHARE = 0.5


def _collections(chunks: list[Chunk]) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """The documents added together as a folder (collection → doc ids in file order), and each collection's
    hub: the document whose links name most of the others' files (a top page or a table of contents).
    Its title names the whole collection (「Xのマニフェスト」 is every chapter of it)."""
    files: dict[str, str] = {}
    links: dict[str, set[str]] = {}
    members: dict[str, set[str]] = {}
    for c in chunks:
        if not c.collection:
            continue
        members.setdefault(c.collection, set()).add(c.doc_id)
        files[c.doc_id] = c.file
        links.setdefault(c.doc_id, set()).update(_file_of(link.target) for link in c.links)
    collections = {k: tuple(sorted(v, key=lambda d: files[d])) for k, v in members.items()}
    hubs: dict[str, str] = {}
    for name, docs in collections.items():
        named = {d: sum(files[o] in links.get(d, ()) for o in docs if o != d) for d in docs}
        best = max(docs, key=lambda d: (named[d], d)) if docs else None
        if best is not None and len(docs) >= 3 and named[best] >= HUB_SHARE * (len(docs) - 1):
            hubs[name] = best
    return collections, hubs


def _file_of(target: str) -> str:
    """The file name a link points at (folders, anchors and queries dropped)."""
    path = target.split("#", 1)[0].split("?", 1)[0].strip()
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def plan_order(part: Part) -> tuple:
    """The order of a document's parts: by document, then position, a block before its sections."""
    return part.doc_id, part.start, len(part.path)


def _with_role(part: Part, role: Role) -> Part:
    return Part(part.doc_id, part.title, part.name, part.path, part.start, part.end, part.chunks, part.items,
                part.sentences, role)
