"""What a loader knows of its text's structure, given as offsets into the text it wrote.

Word, HTML and PDF loaders write plain text (headings with a mark such as 「■ 」, list entries with their
marker, table rows with cells between 「 | 」), and they know more than that text shows: a heading's real
level (見出し 4 is not 見出し 3), how deep a list entry is nested, where each table cell starts and ends
(a cell may hold 「|」), which text is a link and where it points. A `Layout` carries that knowledge to the
plain-text tree builder (`corpus.structure.plain`), which takes it as given and reads everything else by
its usual rules. Every span is `[start, end)` in the document text, and each heading, entry and row lies on
lines of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.tree import Link


@dataclass(frozen=True)
class Heading:
    start: int  # the heading's own text (without a mark such as 「■ 」)
    end: int
    level: int  # 1 is the top


@dataclass(frozen=True)
class Entry:
    """A list entry: its own text (without its marker and without the entries nested in it)."""

    start: int
    end: int
    depth: int  # 1 for a top-level entry
    marker: str = ""
    number: int | None = None


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[tuple[int, int], ...], ...]  # per row, each cell's span (an empty cell: start == end)


@dataclass(frozen=True)
class Layout:
    headings: tuple[Heading, ...] = ()
    entries: tuple[Entry, ...] = ()
    tables: tuple[Table, ...] = ()
    links: tuple[Link, ...] = ()
    title: str = ""  # a title the format marks as such (Word's 「表題」 style), not a heading of the tree


class Writer:
    """Builds a text and its `Layout` together: each piece is appended where the text ends, so every offset
    recorded on the way is exact."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.pos = 0
        self.headings: list[Heading] = []
        self.entries: list[Entry] = []
        self.tables: list[Table] = []
        self.links: list[Link] = []
        self.title = ""

    def write(self, text: str) -> tuple[int, int]:
        start = self.pos
        self._parts.append(text)
        self.pos += len(text)
        return start, self.pos

    def text(self) -> str:
        return "".join(self._parts)

    def layout(self) -> Layout:
        return Layout(tuple(self.headings), tuple(self.entries), tuple(self.tables), tuple(self.links), self.title)


__all__ = ["Entry", "Heading", "Layout", "Link", "Table", "Writer"]
