"""Plain text (and the text the Word, HTML and PDF loaders write) → the heading tree.

Headings are lines with a heading mark (`markers.HEADINGS`), plus a short numbered line directly followed
by prose (「（１）人材の確保」), one level below the document's deepest heading. Inside a section, lines
that open with an item marker make a list (nested by indentation), rows of cells between pipes a table,
other lines paragraphs (blank lines end them), with the ①② written inside them as inline items.
A document without any heading mark (slide-style pages) gets its sections from short heading-like
lines: see `_slides`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.structure.build import (
    Draft, Line, Lines, ListNester, indent_of, inline_items, is_row, list_item, split_lines, table,
)
from corpus.structure.markers import BULLET, CIRCLED_RE, MAX_NUMBERED_HEADING, heading_of, is_list_line, line_items
from corpus.text import Tokenizer, trim_span
from corpus.tree import Kind, Tree

_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class _Heading:
    line: int
    level: int
    name: str
    offset: int  # of the name in its line


def build(text: str, tok: Tokenizer) -> Tree:
    lines = split_lines(text)
    headings = [_Heading(i, *found) for i, ln in enumerate(lines) if (found := heading_of(ln.text)) is not None]
    root = Draft(Kind.DOCUMENT, 0, len(text))
    if headings:
        headings = sorted(headings + _numbered_headings(lines, headings), key=lambda h: h.line)
        root.children = _sections(text, lines, headings, 0, len(lines), tok)
    else:
        root.children = _slides(text, lines, tok)
    return Tree(root.freeze(), title=_title(text, lines, headings))


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


def _numbered_headings(lines: Lines, headings: list[_Heading]) -> list[_Heading]:
    """「（１）人材の確保」 directly followed by a paragraph of prose heads that paragraph, one level below the
    document's deepest heading; numbered lines next to more numbered lines stay a list."""
    marked = {h.line for h in headings}
    level = max(h.level for h in headings) + 1
    out = []
    for i, ln in enumerate(lines[:-1]):
        m = BULLET.match(ln.text)
        if i in marked or not m or not (m.group("paren") or m.group("dot")):
            continue
        body = ln.text[m.end():].strip()
        nxt = lines[i + 1].text
        prose = nxt.strip() and not BULLET.match(nxt) and not heading_of(nxt) and not CIRCLED_RE.match(nxt.strip())
        in_list = i > 0 and (prev := BULLET.match(lines[i - 1].text)) is not None and bool(prev.group("paren") or prev.group("dot"))
        if body and len(body) <= MAX_NUMBERED_HEADING and "。" not in body and prose and not in_list:
            out.append(_Heading(i, level, body, m.end() + (len(ln.text[m.end():]) - len(ln.text[m.end():].lstrip()))))
    return out


def _sections(text: str, lines: Lines, hs: list[_Heading], lo: int, hi: int, tok: Tokenizer) -> list[Draft]:
    """The content of lines [lo, hi): what comes before the first heading, then one section per heading of
    the shallowest level among `hs`, each holding the deeper headings up to the next one of its level."""
    first = hs[0].line if hs else hi
    nodes = content(text, lines, lo, first, tok)
    i = 0
    while i < len(hs):
        h = hs[i]
        j = next((k for k in range(i + 1, len(hs)) if hs[k].level <= h.level), len(hs))
        stop = hs[j].line if j < len(hs) else hi
        line = lines[h.line]
        end = lines[stop].start if stop < len(lines) else len(text)
        start, end = trim_span(text, line.start, end)
        section = Draft(Kind.SECTION, start, end, line.start + h.offset, line.start + h.offset + len(h.name), h.level, h.name)
        section.children = _sections(text, lines, hs[i + 1 : j], h.line + 1, stop, tok)
        nodes.append(section)
        i = j
    return nodes


def content(text: str, lines: Lines, lo: int, hi: int, tok: Tokenizer) -> list[Draft]:
    """Paragraphs, lists and tables of the lines [lo, hi) (no headings among them)."""
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

    for k in range(lo, hi):
        ln = lines[k]
        if ln.blank:
            close_para()
            close_rows()
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


def paragraph(text: str, lines: list[Line], tok: Tokenizer) -> Draft:
    start, end = trim_span(text, lines[0].start, lines[-1].end)
    node = Draft(Kind.PARAGRAPH, start, end)
    for ln in lines:
        node.children.extend(inline_items(text, ln.start, ln.end, tok, circled_only=False))
    return node


# --- slide-style documents without heading marks --------------------------------------------------

_MAX_HEADING = 40
_MAX_LABEL_LINE = 20


@dataclass(frozen=True)
class _Para:
    start: int
    end: int
    lines: tuple[Line, ...]
    kind: str  # heading | label | bullet | prose


def _paragraphs(lines: Lines) -> list[_Para]:
    paras, run = [], []
    for ln in [*lines, Line(0, 0, "")]:
        if not ln.blank:
            run.append(ln)
            continue
        if run:
            paras.append(_Para(run[0].start, run[-1].end, tuple(run), _kind(run)))
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


def _slides(text: str, lines: Lines, tok: Tokenizer) -> list[Draft]:
    """Sections of a slide-like page.

    A heading-like line followed by prose or bullets heads a section; one followed by such a section
    heading is the parent of the sections after it; one followed by further short lines opens a list whose
    short lines are its items (items without a marker). Leading content without a heading forms a section
    without a heading, named after its first **emphasised** phrase (else 冒頭).
    """
    paras = _paragraphs(lines)
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
            section.children.extend(_slide_content(text, lines, q, tok))
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


def _slide_content(text: str, lines: Lines, q: _Para, tok: Tokenizer) -> list[Draft]:
    if q.kind in ("label", "heading"):  # a short line is an entry of the list it belongs to, without a marker
        return [Draft(Kind.ITEM, q.start, q.end, q.start, q.end, 1)]
    return content(text, lines, lines.at(q.start), lines.at(q.end) + 1, tok)


__all__ = ["build", "content", "line_items", "paragraph"]
