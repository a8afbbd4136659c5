"""The plan documents as data: documents, blocks, sections, items, sentences and chunks.

Every span carries `start`/`end` character offsets into its document's original text, so
`document.text[start:end]` is exactly the span's text. Nothing here is ever normalised:
normalised copies exist only for matching (see `corpus.text`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    short_name: str
    kind: str
    text: str
    source_path: str = ""
    # Start offset of every page after the first (paged formats such as PDF); empty otherwise.
    page_starts: tuple[int, ...] = ()
    # Who published it and when ("YYYY-MM-DD" when known), as the sidecar or the file's own metadata says.
    publisher: str = ""
    date: str = ""

    def page_at(self, offset: int) -> int | None:
        """1-based page number holding `offset`, or None for documents without pages."""
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset) + 1


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Item(Span):
    """One enumerated or bulleted entry, e.g. ①AI・半導体. `text` is verbatim without its marker."""

    marker: str = ""
    number: int | None = None

    @property
    def label(self) -> str:
        """The entry as a name: line breaks joined, a trailing 等 ('etc.') dropped."""
        label = "".join(part.strip() for part in self.text.splitlines())
        return label.removesuffix("等").strip() or label


@dataclass(frozen=True)
class Sentence(Span):
    pass


@dataclass(frozen=True)
class Section:
    doc_id: str
    block: str
    path: tuple[str, ...]
    heading: str
    start: int
    end: int
    items: tuple[Item, ...] = ()
    sentences: tuple[Sentence, ...] = ()


@dataclass(frozen=True)
class Block:
    """A top-level part of a document: a region block (■ 九州), the legend, an overview section."""

    doc_id: str
    name: str
    start: int
    end: int
    sections: tuple[Section, ...] = ()

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(s for section in self.sections for s in section.sentences)


@dataclass(frozen=True)
class ParsedDocument:
    document: Document
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Chunk:
    """The unit that is embedded and retrieved; never straddles two blocks."""

    chunk_id: str
    doc_id: str
    title: str
    block: str
    section_path: tuple[str, ...]
    start: int
    end: int
    text: str
    items: tuple[Item, ...] = field(default=())
    sentences: tuple[Sentence, ...] = field(default=())
    page: int | None = None
    # (section path, start, end) of every section inside the chunk, so a sub-heading can be looked up
    sections: tuple[tuple[tuple[str, ...], int, int], ...] = field(default=())
    # What indexing computed from the text (corpus.analysis), as read back from the index: its BM25 terms
    # and the encoded analysis. Empty on a freshly parsed chunk; not part of the chunk's identity.
    terms: tuple[str, ...] = field(default=(), compare=False, repr=False)
    analysis: str = field(default="", compare=False, repr=False)

    @property
    def item_numbers(self) -> tuple[int, ...]:
        return tuple(i.number for i in self.items if i.number is not None)

    def span_text(self, start: int, end: int) -> str:
        """Verbatim text of a document span that lies inside this chunk."""
        if not (self.start <= start <= end <= self.end):
            raise ValueError(f"span {start}-{end} is outside chunk {self.start}-{self.end}")
        return self.text[start - self.start : end - self.start]
