"""Plain text (and the text the Word, HTML and PDF loaders write) → the heading tree.

Headings are lines with a heading mark (`markers.HEADINGS`), a short line underlined with ===== (level 1)
or ----- (level 2), plus a short numbered line directly followed by prose (「（１）人材の確保」), one level
below the document's deepest heading. Inside a section, lines that open with an item marker make a list
(nested by indentation), rows of cells between pipes a table, other lines paragraphs (blank lines end
them), with the ①② written inside them as inline items. A document without any heading mark (slide-style
pages) gets its sections from short heading-like lines: see `_slides`.

A loader that knows more than its text shows passes a `corpus.layout.Layout`: its headings (with their real
level), list entries (with their depth), tables (with every cell) and links are taken as given, and the
lines they cover are not read again by the rules above.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from corpus.layout import Entry, Layout, Table
from corpus.structure.build import (
    Draft, Line, Lines, ListNester, indent_of, inline_items, is_row, list_item, numbered_marker, split_lines, table,
)
from corpus.structure.markers import BULLET, CIRCLED_RE, MAX_NUMBERED_HEADING, heading_of, is_list_line, line_items
from corpus.text import Tokenizer, trim_span
from corpus.tree import Kind, Link, Tree

_BOLD = re.compile(r"\*\*(.+?)\*\*")
# A short line underlined by one of these (three or more) is a heading of that level, as in Markdown.
_UNDERLINES = ((re.compile(r"^[ \t　]*[=＝]{3,}[ \t　]*$"), 1), (re.compile(r"^[ \t　]*[-－ー─━]{3,}[ \t　]*$"), 2))


@dataclass(frozen=True)
class _Heading:
    line: int
    level: int
    name: str
    offset: int  # of the name in its line
    end: int = -1  # of the name in its line (-1: the name runs to the end of the line's text)


@dataclass
class _Hints:
    """A `Layout` by line: what the loader said about each line."""

    headings: dict[int, _Heading] = field(default_factory=dict)
    entries: dict[int, tuple[int, Entry]] = field(default_factory=dict)  # first line -> (last line, entry)
    tables: dict[int, tuple[int, Table]] = field(default_factory=dict)  # first line -> (last line, table)
    inert: set[int] = field(default_factory=set)  # lines of entries and tables: no rule reads them again
    linked: set[int] = field(default_factory=set)  # lines that are mostly a link to another file: no heading
    skip: set[int] = field(default_factory=set)  # lines that are only layout (a heading's underline)
    links: tuple[Link, ...] = ()

    @classmethod
    def of(cls, layout: Layout | None, text: str, lines: Lines) -> "_Hints":
        hints = cls()
        if layout is None or not lines:
            return hints
        for h in layout.headings:
            k = lines.at(h.start)
            hints.headings[k] = _Heading(k, h.level, text[h.start : h.end].strip(), h.start - lines[k].start,
                                         h.end - lines[k].start)
        for e in layout.entries:
            first, last = lines.at(e.start), lines.at(max(e.end - 1, e.start))
            hints.entries[first] = (last, e)
            hints.inert.update(range(first, last + 1))
        for t in layout.tables:
            starts = [cells[0][0] for cells in t.rows if cells]  # a row is a line; its first cell lies on it
            if not starts:
                continue
            first, last = lines.at(starts[0]), lines.at(starts[-1])
            hints.tables[first] = (last, t)
            hints.inert.update(range(first, last + 1))
        hints.links = layout.links
        covered: dict[int, int] = {}
        for link in layout.links:
            if link.local:
                k = lines.at(link.start)
                covered[k] = covered.get(k, 0) + link.end - link.start
        hints.linked = {k for k, n in covered.items() if 2 * n >= len(lines[k].text.strip())}
        return hints


def build(text: str, tok: Tokenizer, layout: Layout | None = None) -> Tree:
    lines = split_lines(text)
    hints = _Hints.of(layout, text, lines)
    headings = _marked_headings(lines, hints)
    root = Draft(Kind.DOCUMENT, 0, len(text))
    if headings:
        headings = sorted(headings + _numbered_headings(lines, headings, hints), key=lambda h: h.line)
        root.children = _sections(text, lines, headings, 0, len(lines), tok, hints)
    else:
        root.children = _slides(text, lines, tok, hints)
    _attach_links(root, hints.links)
    title = _title(text, lines, headings) or (layout.title if layout else "")
    return Tree(root.freeze(), title=title)


def _marked_headings(lines: Lines, hints: _Hints) -> list[_Heading]:
    """Headings the loader named, lines with a heading mark, and short lines underlined like Markdown's setext."""
    out = []
    for i, ln in enumerate(lines):
        if i in hints.headings:
            out.append(hints.headings[i])
        elif i in hints.inert or i in hints.skip or i in hints.linked:
            continue
        elif (found := heading_of(ln.text)) is not None:
            out.append(_Heading(i, *found))
        elif (level := _underlined(lines, i, hints)) is not None:
            hints.skip.add(i + 1)
            s, e = trim_span(ln.text, 0, len(ln.text))
            out.append(_Heading(i, level, ln.text[s:e], s))
    return out


def _underlined(lines: Lines, i: int, hints: _Hints) -> int | None:
    """The level of line i when the next line underlines it and it reads as a heading: alone after a blank
    line (or first), short, no full stop, not a list entry or table row."""
    if i + 1 >= len(lines) or i + 1 in hints.inert:
        return None
    text = lines[i].text.strip()
    if not text or len(text) > MAX_NUMBERED_HEADING or "。" in text or is_list_line(text) or is_row(text):
        return None
    if i > 0 and not lines[i - 1].blank:
        return None
    return next((level for pattern, level in _UNDERLINES if pattern.match(lines[i + 1].text)), None)


def _title(text: str, lines: Lines, headings: list[_Heading]) -> str:
    """A lone top-level heading that opens the document (nothing but blank lines before it)."""
    if not headings:
        return ""
    top = min(h.level for h in headings)
    tops = [h for h in headings if h.level == top]
    first = headings[0]
    if len(tops) == 1 and first is tops[0] and len({h.level for h in headings}) > 1:
        if all(ln.blank for ln in lines[: first.line]):
            return first.name
    return ""


def _numbered_headings(lines: Lines, headings: list[_Heading], hints: _Hints) -> list[_Heading]:
    """「（１）人材の確保」 directly followed by a paragraph of prose heads that paragraph, one level below the
    document's deepest heading; numbered lines next to more numbered lines stay a list."""
    marked = {h.line for h in headings}
    level = max(h.level for h in headings) + 1
    out = []
    for i, ln in enumerate(lines[:-1]):
        m = BULLET.match(ln.text)
        if i in marked or i in hints.inert or not m or not (m.group("paren") or m.group("dot")):
            continue
        body = ln.text[m.end():].strip()
        nxt = lines[i + 1].text
        prose = nxt.strip() and not BULLET.match(nxt) and not heading_of(nxt) and not CIRCLED_RE.match(nxt.strip())
        prose = prose and i + 1 not in hints.inert
        in_list = i > 0 and (prev := BULLET.match(lines[i - 1].text)) is not None and bool(prev.group("paren") or prev.group("dot"))
        if body and len(body) <= MAX_NUMBERED_HEADING and "。" not in body and prose and not in_list:
            out.append(_Heading(i, level, body, m.end() + (len(ln.text[m.end():]) - len(ln.text[m.end():].lstrip()))))
    return out


def _sections(text: str, lines: Lines, hs: list[_Heading], lo: int, hi: int, tok: Tokenizer,
              hints: _Hints | None = None) -> list[Draft]:
    """The content of lines [lo, hi): what comes before the first heading, then one section per heading of
    the shallowest level among `hs`, each holding the deeper headings up to the next one of its level."""
    first = hs[0].line if hs else hi
    nodes = content(text, lines, lo, first, tok, hints)
    i = 0
    while i < len(hs):
        h = hs[i]
        j = next((k for k in range(i + 1, len(hs)) if hs[k].level <= h.level), len(hs))
        stop = hs[j].line if j < len(hs) else hi
        line = lines[h.line]
        end = lines[stop].start if stop < len(lines) else len(text)
        start, end = trim_span(text, line.start, end)
        name_end = line.start + (h.end if h.end >= 0 else h.offset + len(h.name))
        head_start, head_end = trim_span(text, line.start + h.offset, name_end)
        section = Draft(Kind.SECTION, start, end, head_start, head_end, h.level, h.name)
        section.children = _sections(text, lines, hs[i + 1 : j], h.line + 1, stop, tok, hints)
        nodes.append(section)
        i = j
    return nodes


def content(text: str, lines: Lines, lo: int, hi: int, tok: Tokenizer, hints: _Hints | None = None) -> list[Draft]:
    """Paragraphs, lists and tables of the lines [lo, hi) (no headings among them)."""
    hints = hints or _Hints()
    nodes: list[Draft] = []
    para: list[Line] = []
    rows: list[Line] = []
    lists: ListNester | None = None

    def close_para() -> None:
        if para:
            nodes.append(paragraph(text, para, tok))
            para.clear()

    def close_rows() -> None:
        if rows:
            nodes.append(table(text, rows))
            rows.clear()

    k = lo
    while k < hi:
        ln, given = lines[k], hints.tables.get(k) or hints.entries.get(k)
        k = given[0] + 1 if given else k + 1  # the next line to read
        if ln.blank or k - 1 in hints.skip or given:
            close_para()
            close_rows()
        if given and isinstance(given[1], Table):
            lists = None
            nodes.append(_given_table(text, lines, given[1]))
            continue
        if given:  # an entry: nested by the depth the loader gives (the text indents it alike)
            item = _given_entry(text, ln, given[1], tok)
            if lists is None:
                lists = ListNester()
            fresh = lists.root is None
            lists.add(item, 2 * (given[1].depth - 1))
            if fresh:
                nodes.append(lists.root)
            continue
        if ln.blank or k - 1 in hints.skip:
            continue
        if is_row(ln.text):
            close_para()
            lists = None
            rows.append(ln)
            continue
        close_rows()
        if is_list_line(ln.text) and (item := list_item(text, ln, tok)) is not None:
            close_para()
            if lists is None:
                lists = ListNester()
            fresh = lists.root is None
            lists.add(item, indent_of(ln.text))
            if fresh:
                nodes.append(lists.root)
            continue
        lists = None
        para.append(ln)
    close_para()
    close_rows()
    return nodes


def _given_entry(text: str, line: Line, entry: Entry, tok: Tokenizer) -> Draft:
    """A list entry as the loader gave it; a circled number opening its text is its marker (「・①人口増加」)."""
    s, e = trim_span(text, entry.start, entry.end)
    marker, number = entry.marker, entry.number
    own_marker, own_number = numbered_marker(text[s:e])
    if own_marker and not marker.strip(" ・-•"):
        marker, number = own_marker, own_number
        s, e = trim_span(text, text.index(own_marker, s) + 1, e)
    start, _ = trim_span(text, line.start, line.end)
    item = Draft(Kind.ITEM, min(start, s), e, s, e, 0, "", marker, number)
    item.children.extend(inline_items(text, s, e, tok))
    return item


def _given_table(text: str, lines: Lines, given: Table) -> Draft:
    node = Draft(Kind.TABLE, 0, 0)
    for cells in given.rows:
        if not cells:
            continue
        k = lines.at(cells[0][0])
        s, e = trim_span(text, lines[k].start, max(lines[k].end, cells[-1][1]))
        row = Draft(Kind.ROW, s, e, level=len(node.children))
        for c, (cs, ce) in enumerate(cells):
            cs, ce = trim_span(text, min(max(cs, s), e), min(max(ce, s), e))  # an empty last cell: at the row's end
            row.children.append(Draft(Kind.CELL, cs, ce, cs, ce, level=c))
        node.children.append(row)
    node.start, node.end = node.children[0].start, node.children[-1].end
    return node


def paragraph(text: str, lines: list[Line], tok: Tokenizer) -> Draft:
    start, end = trim_span(text, lines[0].start, lines[-1].end)
    node = Draft(Kind.PARAGRAPH, start, end)
    for ln in lines:
        node.children.extend(inline_items(text, ln.start, ln.end, tok, circled_only=False))
    return node


def _attach_links(root: Draft, links: tuple[Link, ...]) -> None:
    """Each link goes to the innermost paragraph, list entry, cell or heading that holds it."""
    starts: dict[int, list[int]] = {}  # a node's children's starts, computed once per node
    for link in links:
        node, owner = root, None
        while True:
            # an entry owns the links of its line (its marker included), a section those of its heading
            own = node.kind in (Kind.PARAGRAPH, Kind.CELL) or (
                node.kind is Kind.ITEM and node.level > 0 and node.start <= link.start < node.head_end) or (
                node.kind is Kind.SECTION and node.head_start <= link.start < node.head_end)
            if own:
                owner = node
            if id(node) not in starts:
                starts[id(node)] = [c.start for c in node.children]
            i = bisect.bisect_right(starts[id(node)], link.start) - 1
            if i < 0 or not node.children[i].start <= link.start < max(node.children[i].end, node.children[i].head_end):
                break
            node = node.children[i]
        if owner is not None:
            owner.links.append(link)


# --- slide-style documents without heading marks --------------------------------------------------

_MAX_HEADING = 40
_MAX_LABEL_LINE = 20


@dataclass(frozen=True)
class _Para:
    start: int
    end: int
    lines: tuple[Line, ...]
    kind: str  # heading | label | bullet | prose


def _paragraphs(lines: Lines, hints: _Hints) -> list[_Para]:
    paras, run = [], []
    for k, ln in enumerate([*lines, Line(0, 0, "")]):
        if not ln.blank:
            run.append((k, ln))
            continue
        if run:
            given = any(i in hints.inert for i, _ in run)  # entries and tables the loader named are content
            kind = "bullet" if given else _kind([line for _, line in run])
            paras.append(_Para(run[0][1].start, run[-1][1].end, tuple(line for _, line in run), kind))
            run = []
    return paras


def _kind(run: list[Line]) -> str:
    first = run[0].text.strip()
    if BULLET.match(run[0].text):
        return "bullet"
    if any(t.text.strip().endswith(("。", "、", "，")) for t in run):
        return "prose"
    if len(run) == 1 and len(first) <= _MAX_HEADING:
        return "heading"
    if all(len(t.text.strip()) <= _MAX_LABEL_LINE for t in run):
        return "label"
    return "prose"


def _slides(text: str, lines: Lines, tok: Tokenizer, hints: _Hints) -> list[Draft]:
    """Sections of a slide-like page.

    A heading-like line followed by prose or bullets heads a section; one followed by such a section
    heading is the parent of the sections after it; one followed by further short lines opens a list whose
    short lines are its items (items without a marker). Leading content without a heading forms a section
    without a heading, named after its first **emphasised** phrase (else 冒頭).
    """
    paras = _paragraphs(lines, hints)
    kinds = [p.kind for p in paras] + ["end", "end"]
    # (block name, section path, paragraphs)
    groups: list[tuple[str, tuple[str, ...], list[_Para]]] = []
    block: str | None = None
    in_list = False
    for i, p in enumerate(paras):
        nxt, after = kinds[i + 1], kinds[i + 2]
        content_next = nxt in ("bullet", "prose")
        if p.kind == "heading" and not (in_list and not content_next):
            name = p.lines[0].text.strip()
            if nxt == "heading" and after in ("bullet", "prose"):
                block, in_list = name, False
                groups.append((name, (name,), [p]))
            elif content_next:
                groups.append((block or name, (block, name) if block else (name,), [p]))
                in_list = False
            else:
                block, in_list = name, True
                groups.append((name, (name,), [p]))
            continue
        if not groups:
            bold = _BOLD.search(text[p.start : p.end])
            groups.append((bold.group(1) if bold else "冒頭", (), []))
        groups[-1][2].append(p)
        if p.kind in ("bullet", "prose"):
            in_list = False  # running text closes a list of short lines

    blocks: dict[str, Draft] = {}
    out: list[Draft] = []
    for name, path, ps in groups:
        if not ps:
            continue
        path = path or (name,)
        headed = ps[0].kind == "heading" and ps[0].lines[0].text.strip() == path[-1]
        body = ps[1:] if headed else ps
        head = ps[0].lines[0] if headed else None
        hs, he = trim_span(text, head.start, head.end) if head else (-1, -1)
        end = (body[-1] if body else ps[-1]).end
        section = Draft(Kind.SECTION, ps[0].start, end, hs, he, len(path), path[-1])
        for q in body:
            section.children.extend(_slide_content(text, lines, q, tok, hints))
        if len(path) == 1:
            if name in blocks:  # a block named again continues (its sections come later)
                blocks[name].children.extend(section.children)
                blocks[name].end = max(blocks[name].end, section.end)
                continue
            blocks[name] = section
            out.append(section)
        else:
            parent = blocks.get(path[0])
            if parent is None:
                parent = blocks[path[0]] = Draft(Kind.SECTION, section.start, section.end, -1, -1, 1, path[0])
                out.append(parent)
            parent.children.append(section)
            parent.end = max(parent.end, section.end)
    return [b for b in out if b.children]


def _slide_content(text: str, lines: Lines, q: _Para, tok: Tokenizer, hints: _Hints) -> list[Draft]:
    if q.kind in ("label", "heading"):  # a short line is an entry of the list it belongs to, without a marker
        return [Draft(Kind.ITEM, q.start, q.end, q.start, q.end, 1)]
    return content(text, lines, lines.at(q.start), lines.at(q.end) + 1, tok, hints)


__all__ = ["build", "content", "line_items", "paragraph"]
