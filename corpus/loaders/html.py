"""HTML: the visible text of a page, parsed by lxml (libxml2's HTML parser: linear time on any input,
including the unclosed-tag floods that make the standard library's parser quadratic)."""

from __future__ import annotations

import re

from corpus.loaders.extracted import Extracted, clean_date, clean_name, clean_title
from corpus.loaders.text import CJK, decode_bytes, normalize_newlines
from corpus.store import DocumentError

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
    return Extracted(writer.text(), clean_title(writer.title), publisher, date)


def _parse(source: str):
    """The document's root element, or None for a page without any content."""
    import lxml.etree
    import lxml.html

    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:  # lxml refuses str input that still declares an encoding: it was decoded already
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", source, count=1), parser=parser)
    except lxml.etree.ParserError:  # "Document is empty"
        return None


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
_CJK_NEWLINE = re.compile(f"(?<=[{CJK}])[ \\t]*\\n\\s*(?=[{CJK}])")


class _TextWriter:
    """Visible text of an HTML page, from start tag / text / end tag events.

    script/style/noscript/template/svg/head contents are dropped (the <title> is kept as the title).
    Block elements break lines (paragraph-level ones with a blank line); h1 -> "■ ", h2 -> "□ ",
    h3-h6 -> "● " headings like DOCX; <li> -> "・ " in <ul> and "1. " in <ol> (honouring start=); table
    rows -> cells joined with " | ". White space is collapsed as a browser does, and a source line break
    between two Japanese characters is dropped (browsers render none there for Japanese).
    """

    def __init__(self) -> None:
        self.out: list[str | int] = []  # text, or a break: 1 = line, 2 = paragraph
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
    # breaks inside table cells and headings are spaces: a row / heading stays on one line
    def _break(self, n: int) -> None:
        if self.cell_depth or self.heading_depth:
            self.out.append(" ")
        else:
            self.out.append(1 if self.li_depth else n)  # <p> inside <li> keeps the list tight

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
            self.pending = _HEADING_TAGS[tag] if not (self.cell_depth or self.heading_depth) else ""
            self.heading_depth += 1
        elif tag in ("ul", "ol"):
            start = dict(attrs).get("start") if tag == "ol" else None
            self.lists.append([tag, int(start) if start and start.strip().lstrip("-").isdigit() else 1])
            self._break(2)
        elif tag == "li":
            self._break(1)
            self.li_depth += 1
            if not self.cell_depth:
                if self.lists and self.lists[-1][0] == "ol":
                    self.pending = f"{self.lists[-1][1]}. "
                    self.lists[-1][1] += 1
                else:
                    self.pending = "・ "
        elif tag == "table":
            self._break(2)
            self.cells.append(0)
        elif tag == "tr":
            if self.cells:
                self.cells[-1] = 0
            self._break(1)
        elif tag in ("td", "th"):
            if self.cells:
                if self.cells[-1]:
                    self.out.append(" | ")
                self.cells[-1] += 1
            self.cell_depth += 1
        elif tag == "pre":
            self._break(2)
            self.pre += 1
        elif tag in _PARA_TAGS:
            self._break(2)
        elif tag in _LINE_TAGS:
            self._break(1)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self.title = " ".join("".join(self._title_parts).split()) or None
            return
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in _HEADING_TAGS:
            self.heading_depth = max(0, self.heading_depth - 1)
            self.pending = ""
            self._break(2)
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.li_depth = min(self.li_depth, len(self.lists))  # items left open (</li> is optional)
            self._break(2)
        elif tag == "table":
            if self.cells:
                self.cells.pop()
            self._break(2)
        elif tag in ("td", "th"):
            self.cell_depth = max(0, self.cell_depth - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._break(2)
        elif tag == "li":
            self.li_depth = max(0, self.li_depth - 1)
            self._break(1)
        elif tag in _PARA_TAGS:
            self._break(2)

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
            self.out.append(" ")

    def _emit(self, text: str) -> None:
        if self.pending:
            self.out.append(self.pending)
            self.pending = ""
            text = text.lstrip()
        self.out.append(text)

    def text(self) -> str:
        pieces: list[str] = []
        pending_break = 0
        for part in self.out:
            if isinstance(part, int):
                pending_break = max(pending_break, part)
                continue
            if pending_break:
                pieces.append("\n" * pending_break)
                pending_break = 0
            pieces.append(part)
        lines = [re.sub(r" {2,}", " ", line).strip(" ") for line in "".join(pieces).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
