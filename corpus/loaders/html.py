"""HTML: the visible text of a page, parsed by lxml (libxml2's HTML parser: linear time on any input,
including the unclosed-tag floods that make the standard library's parser quadratic)."""

from __future__ import annotations

import re

from corpus.layout import Entry, Heading, Layout, Table
from corpus.loaders.extracted import Extracted, clean_date, clean_name, clean_title
from corpus.loaders.text import CJK, decode_bytes, normalize_newlines
from corpus.store import DocumentError
from corpus.text import trim_span
from corpus.tree import Link

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# <meta name=...> (or property=...) values that say who published the page and when, best first.
_PUBLISHER_META = ("publisher", "dc.publisher", "dcterms.publisher", "author", "dc.creator", "dcterms.creator")
_DATE_META = (
    "date", "dc.date", "dcterms.date", "dcterms.issued", "dcterms.created", "citation_publication_date",
    "article:published_time", "og:published_time",
)


def read(data: bytes, name: str) -> Extracted:
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    declared = m.group(1).decode("ascii") if m else None
    try:
        source, _ = decode_bytes(data, declared=declared)
    except ValueError as exc:
        raise DocumentError(f"{name}: {exc}") from exc
    try:
        root = _parse(normalize_newlines(source))
        if root is None:
            return Extracted("")
        writer = _TextWriter()
        _walk(root, writer)
    except Exception as exc:  # noqa: BLE001
        raise DocumentError(f"{name}: HTML を解析できません") from exc
    meta = _meta(root)
    publisher = next((clean_name(meta[k]) for k in _PUBLISHER_META if clean_name(meta.get(k))), None)
    date = next((clean_date(meta[k]) for k in _DATE_META if clean_date(meta.get(k))), None)
    text = writer.text()
    return Extracted(text, clean_title(writer.title), publisher, date, layout=writer.layout(text))


def _parse(source: str):
    """The document's root element, or None for a page without any content."""
    import lxml.etree
    import lxml.html

    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    source = _without_internal_subset(_XML_DECLARATION.sub("", source, count=1))
    try:  # lxml refuses str input that still declares an encoding: it was decoded already
        return lxml.html.document_fromstring(source, parser=parser)
    except lxml.etree.ParserError:  # "Document is empty"
        return None


_DOCTYPE = re.compile(r"\s*<!doctype\b[^\[>]*\[", re.I)


def _without_internal_subset(source: str) -> str:
    """A doctype with an internal subset (entity declarations: how an "entity bomb" is built) replaced by a
    plain one. HTML has no such thing; the HTML parser expands none of it but showed its end 「]>」 as text.
    References to the entities stay as the literal text they are (「&a9;」)."""
    m = _DOCTYPE.match(source)
    if not m:
        return source
    end = source.find("]>", m.end())
    if end < 0:
        end = source.find(">", m.end())
        return source if end < 0 else "<!DOCTYPE html>" + source[end + 1 :]
    return "<!DOCTYPE html>" + source[end + 2 :]


def _meta(root) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or "").strip().lower()
        if key and key not in out and el.get("content"):
            out[key] = el.get("content")
    return out


def _walk(root, writer: "_TextWriter") -> None:
    """Feed the tree to the writer as start tag, text, end tag and tail events, in document order
    (iteratively: the nesting depth of a page does not reach Python's recursion limit)."""
    stack: list[tuple[bool, object]] = [(False, root)]
    while stack:
        closing, el = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else None
        if closing:
            writer.handle_endtag(tag.lower())
            if el.tail:
                writer.handle_data(el.tail)
            continue
        if tag is None:  # an entity or anything else that is not an element: only its tail is text
            if el.tail:
                writer.handle_data(el.tail)
            continue
        writer.handle_starttag(tag.lower(), list(el.attrib.items()))
        if el.text:
            writer.handle_data(el.text)
        stack.append((True, el))
        stack.extend((False, child) for child in reversed(el))


_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "canvas", "head"}
_PARA_TAGS = {
    "p", "div", "section", "article", "main", "aside", "header", "footer", "nav", "blockquote", "pre",
    "table", "ul", "ol", "dl", "figure", "figcaption", "form", "fieldset", "address", "details", "summary",
    "caption", "hr", "body",
}
_HEAD_TAGS = {"title", "meta", "link", "style", "script", "base", "noscript", "template"}
_LINE_TAGS = {"br", "li", "tr", "dt", "dd", "option"}
_HEADING_TAGS = {"h1": "■ ", "h2": "□ ", "h3": "● ", "h4": "● ", "h5": "● ", "h6": "● "}
_SPACES = re.compile(r"[ \t\n\f\u00a0]+")
_MAX_INDENT_DEPTH = 16  # entries nested deeper are indented like this in the text (a page nests 1,000 deep)
_MAX_HREF = 2048  # a link target longer than this is no address (a hostile page's megabyte of text)
_CJK_NEWLINE = re.compile(f"(?<=[{CJK}])[ \\t]*\\n\\s*(?=[{CJK}])")


class _Out:
    """The page's text as it is written, white space collapsed as a browser shows it: runs of spaces are one
    space, a line neither starts nor ends with one, breaks between texts are at most a blank line. Every
    `write` says where its text landed, so offsets recorded on the way stay exact."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self._break = 0  # pending: 1 line, 2 paragraph
        self._last = "\n"  # the last character written ("\n" at the start: nothing yet)
        self._newlines = 2  # newlines at the end of the text (2 at the start: no break is written there)

    def brk(self, n: int) -> None:
        self._break = max(self._break, n)

    def write(self, text: str, raw: bool = False) -> tuple[int, int]:
        """Append `text` (a marker with `raw`: its leading spaces kept); returns the span it took."""
        if self._break:
            self._newline(self._break)
            self._break = 0
        text = _RUNS.sub(" ", text) if not raw else text
        if not raw and self._last in " \n":
            text = text.lstrip(" ")
        if not text:
            return self.pos, self.pos
        start = self.pos
        self.parts.append(text)
        self.pos += len(text)
        self._last = text[-1]
        self._newlines = 0
        return start, self.pos

    def _newline(self, n: int) -> None:
        if self._newlines >= 2 or not self.parts:
            return
        while self.parts and self.parts[-1].endswith(" "):  # a line does not end with a space
            stripped = self.parts[-1].rstrip(" ")
            self.pos -= len(self.parts[-1]) - len(stripped)
            self.parts[-1] = stripped
            if not stripped:
                self.parts.pop()
        add = max(0, min(n, 2) - self._newlines)
        if add:
            self.parts.append("\n" * add)
            self.pos += add
            self._newlines += add
            self._last = "\n"

    def text(self) -> str:
        return "".join(self.parts).rstrip(" \n")


_RUNS = re.compile(r" {2,}")


class _TextWriter:
    """Visible text of an HTML page, from start tag / text / end tag events, and its `Layout`.

    script/style/noscript/template/svg/head contents are dropped (the <title> is kept as the title).
    Block elements break lines (paragraph-level ones with a blank line); h1 -> "■ ", h2 -> "□ ",
    h3-h6 -> "● " headings like DOCX, each a heading of its own level in the layout; <li> -> "・ " in <ul>
    and "1. " in <ol> (honouring start=), indented by two spaces per level of nesting, an entry of that
    depth in the layout; table rows -> cells joined with " | ", each cell's span in the layout; <a href> ->
    a link in the layout. White space is collapsed as a browser does, and a source line break between two
    Japanese characters is dropped (browsers render none there for Japanese).
    """

    def __init__(self) -> None:
        self.out = _Out()
        self.skip: list[str] = []
        self.title: str | None = None
        self._in_title = False
        self._title_parts: list[str] = []
        self.lists: list[list] = []  # [tag, next number]
        self.cells: list[int] = []  # cells seen in the current row, per open table
        self.cell_depth = 0
        self.heading_depth = 0
        self.pending = ""  # a marker waiting for the element's first text
        self.pre = 0
        self.li_depth = 0
        # the layout, as it is found: marks wait for their first text to know where they start
        self.headings: list[Heading] = []
        self.entries: list[Entry] = []
        self.tables: list[Table] = []
        self.links: list[Link] = []
        self._heading: list | None = None  # [level, start]
        self._entry: list | None = None  # [depth, marker, number, start]
        self._rows: list[list[tuple[int, int]]] | None = None  # the outermost open table's rows
        self._cell: list | None = None  # [start] of the outermost table's open cell
        self._anchors: list[list] = []  # [target, start] of open links
        self._waiting: list[list] = []  # marks whose start is the next text written

    # breaks inside table cells and headings are spaces: a row / heading stays on one line
    def _break(self, n: int) -> None:
        if self.cell_depth or self.heading_depth:
            self.out.write(" ")
        else:
            self.out.brk(1 if self.li_depth else n)  # <p> inside <li> keeps the list tight

    def _wait(self, mark: list) -> list:
        self._waiting.append(mark)
        return mark

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip == ["head"] and (tag == "body" or tag not in _HEAD_TAGS):
            self.skip = []  # </head> is optional: the body's first element ends the head
        if tag == "title" and self.title is None and self.skip in ([], ["head"]):
            self._in_title = True
            return
        if self.skip or tag in _SKIP_TAGS:
            if tag in _SKIP_TAGS:
                self.skip.append(tag)
            return
        if tag in _HEADING_TAGS:
            self._break(2)
            outer = not (self.cell_depth or self.heading_depth)
            self.pending = _HEADING_TAGS[tag] if outer else ""
            if outer and not self.li_depth:
                self._heading = self._wait([int(tag[1]), None])
            self.heading_depth += 1
        elif tag in ("ul", "ol"):
            self._close_entry()
            start = dict(attrs).get("start") if tag == "ol" else None
            self.lists.append([tag, int(start) if start and start.strip().lstrip("-").isdigit() else 1])
            self._break(2)
        elif tag == "li":
            self._break(1)
            self._close_entry()
            self.li_depth += 1
            if not self.cell_depth:
                depth = max(len(self.lists), 1)
                number = None
                if self.lists and self.lists[-1][0] == "ol":
                    number = self.lists[-1][1]
                    marker = f"{number}. "
                    self.lists[-1][1] += 1
                else:
                    marker = "・ "
                self.pending = "  " * (min(depth, _MAX_INDENT_DEPTH) - 1) + marker  # the layout keeps the depth
                if not self.heading_depth:
                    self._entry = self._wait([depth, marker.strip(), number, None])
        elif tag == "table":
            self._break(2)
            self.cells.append(0)
            if len(self.cells) == 1 and not self.cell_depth:
                self._rows = []
        elif tag == "tr":
            if self.cells:
                self.cells[-1] = 0
            self._break(1)
            if self._rows is not None and len(self.cells) == 1:
                self._rows.append([])
        elif tag in ("td", "th"):
            if self.cells:
                if self.cells[-1]:
                    self.out.write(" | ", raw=True)
                self.cells[-1] += 1
            self.cell_depth += 1
            if self._rows is not None and len(self.cells) == 1 and self.cell_depth == 1:
                if not self._rows:
                    self._rows.append([])
                self._cell = self._wait([None])
        elif tag == "pre":
            self._break(2)
            self.pre += 1
        elif tag in _PARA_TAGS:
            self._break(2)
        elif tag in _LINE_TAGS:
            self._break(1)
        if tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            if href and len(href) <= _MAX_HREF:
                self._anchors.append(self._wait([href, None]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self.title = " ".join("".join(self._title_parts).split()) or None
            return
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag == "a" and self._anchors:
            target, start = self._anchors.pop()
            if start is not None and self.out.pos > start:
                self.links.append(Link(start, self.out.pos, target))
        if tag in _HEADING_TAGS:
            self.heading_depth = max(0, self.heading_depth - 1)
            self.pending = ""
            if not self.heading_depth and self._heading is not None:
                level, start = self._heading
                if start is not None and self.out.pos > start:
                    self.headings.append(Heading(start, self.out.pos, level))
                self._heading = None
            self._break(2)
        elif tag in ("ul", "ol"):
            self._close_entry()
            if self.lists:
                self.lists.pop()
            self.li_depth = min(self.li_depth, len(self.lists))  # items left open (</li> is optional)
            self._break(2)
        elif tag == "table":
            if self.cells:
                self.cells.pop()
            if not self.cells and self._rows is not None:
                rows = tuple(tuple(r) for r in self._rows if r)
                if rows:
                    self.tables.append(Table(rows))
                self._rows = None
            self._break(2)
        elif tag in ("td", "th"):
            self.cell_depth = max(0, self.cell_depth - 1)
            if self._cell is not None and self.cell_depth == 0 and self._rows is not None:
                start = self._cell[0] if self._cell[0] is not None else self.out.pos
                self._rows[-1].append((start, max(start, self.out.pos)))
                self._cell = None
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._break(2)
        elif tag == "li":
            self._close_entry()
            self.li_depth = max(0, self.li_depth - 1)
            self._break(1)
        elif tag in _PARA_TAGS:
            self._break(2)

    def _close_entry(self) -> None:
        """An entry's own text ends where a list nested in it starts, or with the entry."""
        if self._entry is not None:
            depth, marker, number, start = self._entry
            if start is not None and self.out.pos > start:
                self.entries.append(Entry(start, self.out.pos, depth, marker, number))
            self._entry = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)
            return
        if self.skip:
            return
        if self.pre:
            pieces = data.split("\n")
            for k, piece in enumerate(pieces):
                if k:
                    self._break(1)
                if piece:
                    self._emit(piece.replace("\u00a0", " "))
            return
        text = _SPACES.sub(" ", _CJK_NEWLINE.sub("", data))
        if text.strip():
            self._emit(text)
        elif text:
            self.out.write(" ")

    def _emit(self, text: str) -> None:
        if self.pending:
            self.out.write(self.pending, raw=True)
            self.pending = ""
            text = text.lstrip()
        start, end = self.out.write(text)
        if end > start:
            for mark in self._waiting:
                mark[-1] = start
            self._waiting.clear()

    def text(self) -> str:
        return self.out.text()

    def layout(self, text: str) -> Layout:
        """The layout, every span trimmed to the text (a span may have ended on a space a line break dropped)."""

        def trim(s: int, e: int) -> tuple[int, int]:
            return trim_span(text, min(s, len(text)), min(e, len(text)))

        headings = [Heading(*trim(h.start, h.end), h.level) for h in self.headings]
        entries = [Entry(*trim(e.start, e.end), e.depth, e.marker, e.number) for e in self.entries]
        tables = [Table(tuple(tuple(trim(s, e) for s, e in row) for row in t.rows)) for t in self.tables]
        links = [Link(*trim(k.start, k.end), k.target) for k in self.links]
        return Layout(tuple(h for h in headings if h.end > h.start), tuple(e for e in entries if e.end > e.start),
                      tuple(tables), tuple(k for k in links if k.end > k.start))
