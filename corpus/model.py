"""The plan documents as data: documents, blocks, sections, items, sentences and chunks.

Every span carries `start`/`end` character offsets into its document's original text, so
`document.text[start:end]` is exactly the span's text. Nothing here is ever normalised:
normalised copies exist only for matching (see `corpus.text`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any


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
    # "markdown" (read with markdown-it-py) or "text" (the plain-text rules; also what the Word, HTML and
    # PDF loaders write), see `corpus.structure`.
    format: str = "text"
    # The title is only the file's name (no metadata named it): the parser puts the document's own H1 there.
    untitled: bool = False
    # The folder it was added with, relative to the library ("" for a file added on its own): a collection.
    collection: str = ""
    # What its loader knows of the text's structure (a `corpus.layout.Layout`: Word, HTML, PDF), or None.
    layout: Any = field(default=None, compare=False, repr=False)

    @property
    def file_name(self) -> str:
        return self.source_path.replace("\\", "/").rsplit("/", 1)[-1]

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
    depth: int = 0  # nesting: 1 for a top-level list item, 0 for an item written inside running text
    parent: int = -1  # start offset of the item it is nested in (-1: none)

    @property
    def label(self) -> str:
        """The entry as a name: line breaks joined, a trailing 等 ('etc.') dropped."""
        label = "".join(part.strip() for part in self.text.splitlines())
        return label.removesuffix("等").strip() or label


@dataclass(frozen=True)
class Sentence(Span):
    pass


@dataclass(frozen=True)
class Cell(Span):
    """One table cell (verbatim, trimmed); `table` is the start offset of its table, row 0 its header row."""

    table: int = 0
    row: int = 0
    col: int = 0


@dataclass(frozen=True)
class Link(Span):
    """A link's text and where it points (another file of the collection, a web address …)."""

    target: str = ""


@dataclass(frozen=True)
class Section:
    doc_id: str
    block: str
    path: tuple[str, ...]
    heading: str
    start: int  # its own body: after its heading, up to its first sub-section
    end: int
    items: tuple[Item, ...] = ()
    sentences: tuple[Sentence, ...] = ()
    cells: tuple[Cell, ...] = ()
    links: tuple[Link, ...] = ()
    head: tuple[int, int] = (-1, -1)  # the heading's own text (-1: a section without a heading line)


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
    # Mostly links to other files of its collection (a table of contents): read for order and grouping,
    # never quoted as evidence of what the linked files say.
    navigation: bool = False
    tree: Any = field(default=None, compare=False, repr=False)  # its `corpus.tree.Tree`, for chunking


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
    # (section path, start, end) of the heading lines inside the chunk: the section's own name as written
    heads: tuple[tuple[tuple[str, ...], int, int], ...] = field(default=())
    cells: tuple[Cell, ...] = field(default=())
    links: tuple[Link, ...] = field(default=())
    file: str = ""  # the document's file name (a chapter file's name may say which part it is)
    format: str = "text"
    collection: str = ""
    navigation: bool = False  # a chunk of a table of contents (see ParsedDocument.navigation)
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
