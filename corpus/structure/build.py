"""Helpers shared by the tree builders: a mutable node while a tree is built, lines with offsets, list
nesting by indentation and table rows."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from corpus.structure.markers import BULLET, CIRCLED_RE, indent_of, line_items
from corpus.text import CIRCLED, CIRCLED_NUMBER, Tokenizer, trim_span
from corpus.tree import Kind, Link, Node

# Lists nested deeper than this are kept at this depth: a hostile file nests a thousand levels.
MAX_DEPTH = 16


@dataclass
class Draft:
    """A node being built (the tree's nodes are frozen)."""

    kind: Kind
    start: int
    end: int
    head_start: int = -1
    head_end: int = -1
    level: int = 0
    name: str = ""
    marker: str = ""
    number: int | None = None
    children: list["Draft"] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    def freeze(self) -> Node:
        # Iterative, children first: depth is bounded (MAX_DEPTH) but a document may hold 100k siblings.
        order: list[Draft] = []
        stack = [self]
        while stack:
            d = stack.pop()
            order.append(d)
            stack.extend(d.children)
        frozen: dict[int, Node] = {}
        for d in reversed(order):
            frozen[id(d)] = Node(
                d.kind, d.start, d.end, d.head_start, d.head_end, d.level, d.name, d.marker, d.number,
                tuple(frozen[id(c)] for c in d.children), tuple(d.links),
            )
        return frozen[id(self)]


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


class Lines(list):
    """A document's lines, with their end offsets for finding the lines of a span by bisection."""

    def __init__(self, lines: list[Line]) -> None:
        super().__init__(lines)
        self.ends = [ln.end for ln in lines]

    def at(self, offset: int) -> int:
        """The number of the line holding `offset`."""
        return min(bisect.bisect_left(self.ends, offset), len(self) - 1)


def split_lines(text: str) -> Lines:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append(Line(pos, pos + len(body), body))
        pos += len(raw)
    return Lines(out)


def inline_items(text: str, start: int, end: int, tok: Tokenizer, circled_only: bool = True) -> list[Draft]:
    """The items written inside a line of running text (「①水素 ②蓄電池」, 「重要な①造船産業」)."""
    found = line_items(text, start, end, tok)
    if circled_only:
        found = [f for f in found if f[2] in CIRCLED]
    return [Draft(Kind.ITEM, s, e, s, e, 0, "", marker, number) for s, e, marker, number in found]


def list_item(text: str, line: Line, tok: Tokenizer) -> Draft | None:
    """The item a list line opens (a bullet, (1), 1., or a single ①), its own text without the marker; None
    when the line holds several ①② (「- ①A ②B」 enumerates inline, like running text)."""
    found = line_items(text, line.start, line.end, tok)
    if len(found) != 1:
        return None
    s, e, marker, number = found[0]
    start, _ = trim_span(text, line.start, line.end)
    return Draft(Kind.ITEM, start, e, s, e, 0, "", marker, number)


class ListNester:
    """Items of consecutive list lines nested by their indentation into LIST nodes."""

    def __init__(self) -> None:
        self.root: Draft | None = None
        self._stack: list[tuple[int, Draft, Draft]] = []  # (indent, list, its last item)

    def add(self, item: Draft, indent: int) -> None:
        if not self._stack:
            lst = self.root = Draft(Kind.LIST, item.start, item.end)
            self._stack.append((indent, lst, item))
        else:
            while len(self._stack) > 1 and indent < self._stack[-1][0]:
                self._stack.pop()
            top, lst, last = self._stack[-1]
            if indent > top and len(self._stack) < MAX_DEPTH:  # deeper: a list inside the last item
                lst = Draft(Kind.LIST, item.start, item.end)
                last.children.append(lst)
                self._stack.append((indent, lst, item))
            else:  # a sibling (past MAX_DEPTH, or less indented than the first item: still a sibling)
                self._stack[-1] = (top, lst, item)
        item.level = len(self._stack)
        lst.children.append(item)
        for _, open_list, last in self._stack:  # every open list and item now reaches this item's end
            open_list.end = max(open_list.end, item.end)
            last.end = max(last.end, item.end)


def is_row(line: str) -> bool:
    """A table row written as cells between pipes (「a | b | c」 or 「| a | b |」)."""
    s = line.strip()
    return s.count("|") >= 2 if s.startswith("|") else " | " in s


def row_cells(text: str, line: Line) -> list[tuple[int, int]]:
    """The cell spans of a row line (pipes outside `\\|`), each trimmed; empty cells are kept as empty spans."""
    cuts = [line.start - 1]
    for i in range(line.start, line.end):
        if text[i] == "|" and (i == line.start or text[i - 1] != "\\"):
            cuts.append(i)
    cuts.append(line.end)
    spans = [trim_span(text, a + 1, b) for a, b in zip(cuts, cuts[1:])]
    s = text[line.start : line.end].strip()
    if s.startswith("|"):
        spans = spans[1:]
    if s.endswith("|"):
        spans = spans[:-1]
    return spans


def table(text: str, rows: list[Line]) -> Draft:
    """A TABLE of ROWs of CELLs; a Markdown separator row (|---|---|) is no row of its own."""
    node = Draft(Kind.TABLE, rows[0].start, rows[-1].end)
    for line in rows:
        cells = row_cells(text, line)
        if all(set(text[s:e]) <= set("-: ") and e > s for s, e in cells):
            continue
        s, e = trim_span(text, line.start, line.end)
        row = Draft(Kind.ROW, s, e, level=len(node.children))
        row.children = [Draft(Kind.CELL, cs, ce, cs, ce, level=k) for k, (cs, ce) in enumerate(cells)]
        node.children.append(row)
    return node


def numbered_marker(text: str) -> tuple[str, int | None]:
    """The circled number an item's text opens with (「①人口増加」), as its marker."""
    stripped = text.lstrip()
    if stripped and stripped[0] in CIRCLED and len(CIRCLED_RE.findall(stripped)) == 1:
        return stripped[0], CIRCLED_NUMBER[stripped[0]]
    return "", None


__all__ = ["BULLET", "Draft", "Line", "Lines", "ListNester", "MAX_DEPTH", "indent_of", "inline_items", "is_row",
           "list_item", "numbered_marker", "row_cells", "split_lines", "table"]
