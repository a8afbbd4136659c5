"""Markdown → the heading tree, with markdown-it-py (CommonMark + tables): ATX and setext headings, nested
lists, tables, links. Offsets come from the parser's line maps, so every node spans the verbatim source.

A paragraph that is one line with a heading mark of plain text (■ 九州, 第1章 総論, 【概要】) is a heading
too: Markdown files converted from other formats keep those. HTML blocks (comments) and paragraphs that are
only an image carry no text and are left out.
"""

from __future__ import annotations

import re
from functools import lru_cache

from corpus.structure.build import (
    Draft, Lines, ListNester, indent_of, inline_items, list_item, numbered_marker, row_cells, split_lines,
)
from corpus.structure.markers import heading_of
from corpus.text import Tokenizer, trim_span
from corpus.tree import Kind, Link, Tree

_ONLY_IMAGE = re.compile(r"^\s*(?:!\[[^\]]*\]\([^)]*\)\s*)+$")
# markdown-it stops reading a container nested deeper than its `maxNesting` and silently drops the rest of
# it (headings after a list nested a thousand deep were lost). Lines indented deeper than MAX_INDENT columns
# are read as if indented MAX_INDENT: a list stays nested about MAX_INDENT / 2 deep, and what is deeper
# becomes its siblings. Only the parser's copy changes; offsets point into the text as written.
MAX_INDENT = 40
_DEEP = re.compile(f"^[ \t]{{{MAX_INDENT + 1},}}", re.M)


@lru_cache(maxsize=1)
def parser():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    md.options["maxNesting"] = 64  # MAX_INDENT's nesting with room to spare, far from the recursion limit
    return md


def build(text: str, tok: Tokenizer) -> Tree:
    return _Builder(text, tok).build()


def _shallow(text: str) -> str:
    """`text` with every line's indentation cut to MAX_INDENT columns (same lines, same line count)."""
    return _DEEP.sub(" " * MAX_INDENT, text)


class _Builder:
    """One pass over markdown-it's block tokens; `containers` is where content goes (the innermost open
    section, list or list item), `sections` the open sections, outermost first."""

    def __init__(self, text: str, tok: Tokenizer) -> None:
        self.text, self.tok = text, tok
        self.lines = split_lines(text)
        self.root = Draft(Kind.DOCUMENT, 0, len(text))
        self.sections: list[Draft] = []
        self.containers: list[Draft] = [self.root]
        self.headings: list[tuple[int, str]] = []  # (level, name) in order, for the title

    def build(self) -> Tree:
        text, lines = self.text, self.lines
        tokens = parser().parse(_shallow(text))
        i = 0
        while i < len(tokens):
            t = tokens[i]
            kind = t.type
            if kind == "heading_open":
                inline = tokens[i + 1]
                hs, he = _inline_span(text, lines, inline)
                self.open_section(int(t.tag[1]), _plain_inline(inline), hs, he, lines[t.map[0]])
                i += 3
                continue
            if kind in ("bullet_list_open", "ordered_list_open"):
                self.add(Draft(Kind.LIST, *_span(text, lines, t.map)), enter=True)
            elif kind in ("bullet_list_close", "ordered_list_close", "list_item_close"):
                self.containers.pop()
            elif kind == "list_item_open":
                depth = sum(1 for c in self.containers if c.kind is Kind.LIST)
                s, e = _span(text, lines, t.map)
                marker = f"{t.info}{t.markup}" if t.info else t.markup
                number = int(t.info) if t.info.isdigit() else None
                self.add(Draft(Kind.ITEM, s, e, level=depth, marker=marker, number=number), enter=True)
            elif kind == "paragraph_open":
                self.paragraph(tokens[i + 1])
                i += 3
                continue
            elif kind == "table_open":
                j = next(k for k in range(i, len(tokens)) if tokens[k].type == "table_close")
                self.add(_table(text, lines, tokens[i : j + 1]))
                i = j + 1
                continue
            elif kind in ("fence", "code_block"):
                self.add(Draft(Kind.PARAGRAPH, *_span(text, lines, t.map)))
            i += 1
        while self.sections:
            _close(self.sections.pop())
        return Tree(self.root.freeze(), title=_title(self.headings, self.root))

    def add(self, node: Draft, enter: bool = False) -> None:
        self.containers[-1].children.append(node)
        if enter:
            self.containers.append(node)

    def open_section(self, level: int, name: str, hs: int, he: int, line) -> None:
        while self.sections and self.sections[-1].level >= level:
            _close(self.sections.pop())
        parent = self.sections[-1] if self.sections else self.root
        section = Draft(Kind.SECTION, line.start, line.end, hs, he, level, name)
        parent.children.append(section)
        self.sections.append(section)
        self.containers[:] = [self.root, *self.sections]
        self.headings.append((level, name))

    def paragraph(self, inline) -> None:
        text, lines = self.text, self.lines
        s, e = _inline_span(text, lines, inline)
        if _ONLY_IMAGE.match(inline.content) or e <= s:
            return
        owner = self.containers[-1]
        links = _links(text, s, e, inline)
        if owner.kind is Kind.ITEM and owner.head_start < 0:  # an item's first paragraph is its own text
            own_marker, number = numbered_marker(text[s:e])
            if own_marker:  # 「- ①人口増加」: the circled number is the item's own marker
                owner.marker, owner.number = own_marker, number
                s, e = trim_span(text, text.index(own_marker, s) + 1, e)
            owner.head_start, owner.head_end = s, e
            owner.links.extend(links)
            owner.children.extend(self._inline_items(s, e))
            owner.children.sort(key=lambda n: n.start)
            return
        run: list = []
        for ln in _lines_of(lines, s, e):
            found = heading_of(ln.text) if owner.kind in (Kind.DOCUMENT, Kind.SECTION) else None
            if found is None or ln.text.lstrip().startswith("#"):
                run.append(ln)
                continue
            self._flush(run, links, s, e)  # 「■ 九州」 inside a paragraph: a heading of plain text
            level, name, offset = found
            self.open_section(level, name, ln.start + offset, ln.start + offset + len(name), ln)
            run = []
        self._flush(run, links, s, e)

    def _flush(self, run: list, links: list[Link], s: int, e: int) -> None:
        """The lines of a paragraph: two or more numbered lines in a row are a list (「(1) 医療\n(2) 観光」:
        Markdown has no list there, Japanese writing has); the rest is prose, or an entry when its first line
        is numbered (see `_prose`)."""
        if not run:
            return
        prose: list = []
        k = 0
        while k < len(run):
            j = k
            while j < len(run) and self._numbered(run[j]) is not None:
                j += 1
            if j - k >= 2:
                self._prose(prose, links, s, e)
                prose = []
                self._numbered_list(run[k:j])
                k = j
            else:
                prose.append(run[k])
                k += 1
        self._prose(prose, links, s, e)

    def _prose(self, run: list, links: list[Link], s: int, e: int) -> None:
        if not run:
            return
        start, end = trim_span(self.text, max(run[0].start, s), min(run[-1].end, e))
        if end <= start:
            return
        item = self._numbered(run[0]) if self.containers[-1].kind in (Kind.DOCUMENT, Kind.SECTION) else None
        if item is not None:  # 「(1) 次世代自動車」 opening a paragraph: an entry, the lines after it its text
            self._numbered_entry(item, run[1:], links, end)
            return
        node = Draft(Kind.PARAGRAPH, start, end, links=[k for k in links if start <= k.start < end])
        node.children.extend(self._inline_items(start, end))
        self.add(node)

    def _numbered_list(self, run: list) -> None:
        """Two or more numbered lines in a row: a list of them, nested by their indentation."""
        nester = ListNester()
        depth = sum(1 for c in self.containers if c.kind is Kind.LIST)
        for ln in run:
            item = list_item(self.text, ln, self.tok)
            if item is not None:
                nester.add(item, indent_of(ln.text))
        if nester.root is not None:
            for item in _items(nester.root):
                item.level += depth
            self.add(nester.root)

    def _numbered(self, line) -> Draft | None:
        """The numbered entry a paragraph's first line opens ((1), （１）, 1）, ①), not a bullet."""
        item = list_item(self.text, line, self.tok)
        return item if item is not None and item.number is not None and item.start == trim_span(
            self.text, line.start, line.end)[0] else None

    def _numbered_entry(self, item: Draft, rest: list, links: list[Link], end: int) -> None:
        """Consecutive numbered paragraphs are one list of a section; each entry holds the lines below its own."""
        owner = self.containers[-1]
        last = owner.children[-1] if owner.children else None
        if last is None or last.kind is not Kind.LIST or any(c.number is None for c in last.children):
            last = Draft(Kind.LIST, item.start, end)
            owner.children.append(last)
        item.level, item.end = 1, end
        item.links = [k for k in links if item.start <= k.start < end]
        if rest:
            rs, re_ = trim_span(self.text, rest[0].start, min(rest[-1].end, end))
            if re_ > rs:
                body = Draft(Kind.PARAGRAPH, rs, re_, links=[k for k in links if rs <= k.start < re_])
                body.children.extend(self._inline_items(rs, re_))
                item.children.append(body)
        last.children.append(item)
        last.end = max(last.end, end)

    def _inline_items(self, s: int, e: int) -> list[Draft]:
        out: list[Draft] = []
        for ln in _lines_of(self.lines, s, e):
            out.extend(inline_items(self.text, max(ln.start, s), min(ln.end, e), self.tok))
        return out


def _items(node: Draft):
    for child in node.children:
        if child.kind is Kind.ITEM:
            yield child
        yield from _items(child)


def _close(section: Draft) -> None:
    """A section ends where its last content ends (its sub-sections are closed before it)."""
    section.end = max([section.end, *(c.end for c in section.children)])


def _title(headings: list[tuple[int, str]], root: Draft) -> str:
    """A lone top-level heading that opens the document (only comments or images before it)."""
    if len(headings) < 2:
        return headings[0][1] if headings and root.children and root.children[0].kind is Kind.SECTION else ""
    top = min(level for level, _ in headings)
    tops = [h for h in headings if h[0] == top]
    first = root.children[0] if root.children else None
    if len(tops) == 1 and headings[0][0] == top and first is not None and first.kind is Kind.SECTION:
        return headings[0][1]
    return ""


def _span(text: str, lines: Lines, line_map) -> tuple[int, int]:
    first, last = line_map[0], max(line_map[1] - 1, line_map[0])
    return trim_span(text, lines[first].start, lines[last].end)


def _lines_of(lines: Lines, start: int, end: int):
    return lines[lines.at(start) : lines.at(max(end - 1, start)) + 1]


def _inline_span(text: str, lines: Lines, inline) -> tuple[int, int]:
    """The span of an inline token's content in the source: from where its first line's content starts to
    where its last line's content ends (the parser strips list markers, indentation and heading marks)."""
    content = inline.content
    if not content or inline.map is None:
        return -1, -1
    parts = content.split("\n")
    first_line, last_line = lines[inline.map[0]], lines[min(inline.map[0] + len(parts) - 1, len(lines) - 1)]
    pos = text.find(parts[0], first_line.start, first_line.end + 1)
    start = pos if pos >= 0 else first_line.start
    last = parts[-1]
    pos = text.rfind(last, last_line.start, last_line.end + 1) if last else -1
    end = pos + len(last) if pos >= 0 else last_line.end
    return trim_span(text, start, max(end, start))


def _plain_inline(inline) -> str:
    from corpus.structure.display import render_inline

    return render_inline(inline.children or []).strip()


def _links(text: str, start: int, end: int, inline) -> list[Link]:
    """Links of the inline content, located in the source in order (`[text](target)`)."""
    out: list[Link] = []
    pos = start
    children = inline.children or []
    for k, child in enumerate(children):
        if child.type != "link_open":
            continue
        label = ""
        for c in children[k + 1:]:
            if c.type == "link_close":
                break
            label += c.content
        found = text.find("[", pos, end)
        if found < 0:
            break
        close = text.find("](", found, end)
        if close < 0:
            break
        ls, le = trim_span(text, found + 1, close)
        out.append(Link(ls, le, str(child.attrGet("href") or "")))
        pos = close + 2
    return out


def _table(text: str, lines: Lines, tokens) -> Draft:
    node = Draft(Kind.TABLE, *_span(text, lines, tokens[0].map))
    for t in tokens:
        if t.type != "tr_open" or t.map is None:
            continue
        line = lines[t.map[0]]
        s, e = trim_span(text, line.start, line.end)
        row = Draft(Kind.ROW, s, e, level=len(node.children))
        row.children = [Draft(Kind.CELL, cs, ce, cs, ce, level=k) for k, (cs, ce) in enumerate(row_cells(text, line))]
        node.children.append(row)
    return node


__all__ = ["build", "parser"]
