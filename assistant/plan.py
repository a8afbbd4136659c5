"""The structured view of the plan, rebuilt from the indexed chunks (Chroma is the source of truth):
for every block its enumerated items and its sentences, each with the chunk that holds it."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.model import Chunk, Item, Sentence
from corpus.text import normalize
from assistant.places import is_region


@dataclass(frozen=True)
class Located:
    """An item or sentence with the chunk it lies in (for citations)."""

    span: Item | Sentence
    chunk: Chunk


@dataclass(frozen=True)
class BlockView:
    doc_id: str
    title: str
    name: str
    kind: str  # region | legend | section
    chunks: tuple[Chunk, ...]
    items: tuple[Located, ...]
    sentences: tuple[Located, ...]

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h for c in self.chunks for path, _, _ in c.sections for h in path))


def _kind(name: str, chunks: list[Chunk]) -> str:
    """legend (凡例), region (a place, or any block that numbers its fields ①②…), or section."""
    if "凡例" in name:
        return "legend"
    numbered = any(i.number is not None for c in chunks for i in c.items)
    return "region" if is_region(name) or numbered else "section"


class PlanView:
    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = {c.chunk_id: c for c in chunks}
        grouped: dict[tuple[str, str], list[Chunk]] = {}
        for c in sorted(chunks, key=lambda c: (c.doc_id, c.start)):
            grouped.setdefault((c.doc_id, c.block), []).append(c)
        self.blocks: list[BlockView] = []
        for (doc_id, name), cs in grouped.items():
            self.blocks.append(
                BlockView(
                    doc_id=doc_id,
                    title=cs[0].title,
                    name=name,
                    kind=_kind(name, cs),
                    chunks=tuple(cs),
                    items=tuple(Located(i, c) for c in cs for i in c.items),
                    sentences=tuple(Located(s, c) for c in cs for s in c.sentences),
                )
            )
        self.blocks.sort(key=lambda b: (b.doc_id, b.chunks[0].start))
        self.titles = {b.doc_id: b.title for b in self.blocks}  # one per document
        self._regions = [b for b in self.blocks if b.kind == "region"]
        self._by_region = {b.name: b for b in reversed(self._regions)}  # first one wins on a name clash
        self._by_key = {(b.doc_id, b.name): b for b in self.blocks}
        self._region_names = {normalize(n): n for n in self._by_region}
        self._longest_name = max(map(len, self._region_names), default=0)

    def names_in(self, text: str) -> list[str]:
        """Region block names written in `text` (normalised), longest first, in order of appearance.
        Looks up the question's substrings (a question is short; a plan may have 100k blocks)."""
        found: list[tuple[int, str]] = []
        taken = [False] * len(text)
        for length in range(min(self._longest_name, len(text)), 0, -1):
            for pos in range(len(text) - length + 1):
                name = self._region_names.get(text[pos : pos + length])
                if name and not any(taken[pos : pos + length]):
                    found.append((pos, name))
                    taken[pos : pos + length] = [True] * length
        return [name for _, name in sorted(found)]

    def regions(self) -> list[BlockView]:
        return list(self._regions)

    def region(self, name: str) -> BlockView | None:
        return self._by_region.get(name)

    def others(self) -> list[BlockView]:
        return [b for b in self.blocks if b.kind != "region"]

    def block_of(self, chunk_id: str) -> BlockView:
        chunk = self.chunks[chunk_id]
        return self._by_key[(chunk.doc_id, chunk.block)]
