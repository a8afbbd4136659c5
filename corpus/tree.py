"""One heading tree for every document, whatever its format, with exact offsets.

Every node spans `document.text[start:end]`. A section is a heading and what follows it up to the next
heading of its level or above; its heading's own text is `head_start:head_end` (without the markers
#, ■, 第N章 stay: they are part of the name as written, `name` is the heading without markup). A list
item's own text (without its marker and its nested lists) is `head_start:head_end`; its nested lists are
its children. A paragraph may hold inline items (「①水素 ②蓄電池」 written in running text). A table
holds rows, a row cells. Links are kept on the node whose text holds them.

The builders (`corpus.structure`) produce this tree from Markdown (markdown-it-py) and from plain text
(the loaders of Word, HTML and PDF write plain text with heading markers, bullets and table rows);
`corpus.parse` projects it onto the blocks, sections, items and sentences the rest of the system reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    DOCUMENT = "document"
    SECTION = "section"
    PARAGRAPH = "paragraph"
    LIST = "list"
    ITEM = "item"
    TABLE = "table"
    ROW = "row"
    CELL = "cell"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Link:
    start: int  # the link's text in the document text (for Markdown: inside the brackets)
    end: int
    target: str

    @property
    def local(self) -> bool:
        """A link to another file of the collection (not a web address, not an anchor on the page)."""
        t = self.target.strip()
        return bool(t) and not t.startswith(("#", "mailto:")) and "://" not in t


@dataclass(frozen=True)
class Node:
    kind: Kind
    start: int
    end: int
    head_start: int = -1  # SECTION: the heading's text; ITEM: the item's own text
    head_end: int = -1
    level: int = 0  # SECTION: 1 is the top; ITEM: nesting depth, 1 for a top-level item
    name: str = ""  # SECTION: the heading as plain text
    marker: str = ""  # ITEM: ①, (1), 1., -, ・ …
    number: int | None = None  # ITEM: the marker's number, if it has one
    children: tuple["Node", ...] = ()
    links: tuple[Link, ...] = ()

    @property
    def has_head(self) -> bool:
        return self.head_start >= 0

    def walk(self) -> Iterator["Node"]:
        """This node and every node below it, in document order (iterative: a list may nest deep)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def sections(self) -> list["Node"]:
        return [c for c in self.children if c.kind is Kind.SECTION]

    def all_links(self) -> list[Link]:
        return [link for n in self.walk() for link in n.links]


@dataclass(frozen=True)
class Tree:
    """A document's tree: the root (kind DOCUMENT) and the heading that titles it, if one does."""

    root: Node
    title: str = ""  # the text of a lone top-level heading that opens the document (an H1), else ""

    def walk(self) -> Iterator[Node]:
        return self.root.walk()


def section_paths(tree: Tree) -> Iterator[tuple[tuple[Node, ...], Node]]:
    """Every section with the chain of sections above it (outermost first), in document order."""

    stack: list[tuple[Node, tuple[Node, ...]]] = [(tree.root, ())]
    while stack:
        node, above = stack.pop()
        if node.kind is Kind.SECTION:
            yield above, node
            above = (*above, node)
        stack.extend((c, above) for c in reversed(node.children) if c.kind is Kind.SECTION)


def text_nodes(node: Node) -> Iterator[Node]:
    """The nodes that carry text of their own: paragraphs, items (their own text), cells."""
    for n in node.walk():
        if n.kind in (Kind.PARAGRAPH, Kind.ITEM, Kind.CELL):
            yield n
