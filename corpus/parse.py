"""A document → its heading tree (`corpus.structure`) → the blocks, sections, items, sentences and cells the
rest of the system reads, with exact offsets.

- Blocks are the top-level sections. A lone top-level heading that opens the document (a Markdown file's
  H1) is its title: the sections below it are the blocks, and its name is the document's title unless
  metadata names one (the file name stays on every chunk: a chapter's H1 may say less than its name). Content before the first block is a block of its own (前文) when it is more than a
  line.
- A section's items are the list items and inline ①② of its own body (not of its sub-sections), each with
  its nesting depth and the item it is nested in. In Markdown its sentences come from its paragraphs, its
  items' own text and its table rows; in plain text, where a sentence may run across the lines of a list,
  from each paragraph of lines.
- A list whose entries are links to other files of the collection is navigation (a table of contents):
  its entries are kept as links, never as items or sentences; so are paragraphs that are such links, one
  after another (a contents page of Word paragraphs). A document that is mostly such entries is a
  navigation document (`ParsedDocument.navigation`).
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from corpus.limits import check_sections
from corpus.model import Block, Cell, Document, Item, Link, ParsedDocument, Section, Sentence
from corpus.structure import MARKDOWN, build_tree, plain
from corpus.structure.display import plain_markdown
from corpus.structure.markers import sentence_spans
from corpus.text import Tokenizer, default_tokenizer, trim_span
from corpus.tree import Kind, Node, Tree
from corpus.tree import Link as TreeLink

PREAMBLE = "前文"
# A list is a table of contents when at least this share of its entries are links to other files.
NAV_SHARE = 0.7
# ... and a document is navigation when this share of its text is in such lists.
NAV_DOCUMENT = 0.5


def parse_document(document: Document, tokenizer: Tokenizer | None = None) -> ParsedDocument:
    """Raises `corpus.limits.TooLarge` for a tree of more headings than any document has (`MAX_SECTIONS`)."""
    tok = tokenizer or default_tokenizer()
    tree = build_tree(document.text, document.format, tok, document.layout)
    if document.format == MARKDOWN and not any(n.kind is Kind.SECTION for n in tree.root.children):
        tree = plain.build(document.text, tok)  # Markdown without any heading: read its layout instead
    check_sections(document.file_name or document.doc_id, sum(1 for n in tree.walk() if n.kind is Kind.SECTION))
    if document.untitled and tree.title:  # the document's own H1 names it better than its file name
        document = replace(document, title=tree.title, untitled=False)
    nav = _navigation_items(tree, document.text)
    blocks = _blocks(document, tree, nav)
    return ParsedDocument(document, tuple(blocks), _is_navigation(tree, document.text, nav), tree)


# --- blocks ---------------------------------------------------------------------------------------


def _blocks(doc: Document, tree: Tree, nav: dict[int, int]) -> list[Block]:
    text = doc.text
    tops = [n for n in tree.root.children if n.kind is Kind.SECTION]
    lead = [n for n in tree.root.children if n.kind is not Kind.SECTION]
    under_title = False
    if tree.title and len(tops) == 1 and tops[0].name == tree.title and tops[0].sections():
        title = tops[0]
        under_title = any(n.kind is not Kind.SECTION for n in title.children)
        lead += [n for n in title.children if n.kind is not Kind.SECTION]
        tops = title.sections()
    blocks: list[Block] = []
    lead_text = [n for n in lead if text[n.start : n.end].strip()]
    # more than a title line, or any text under a heading that titles the document (a one-line paragraph under
    # an H1 is content): keep it searchable
    if lead_text and (_line_count(text, lead_text) > 1 or under_title):
        start, end = trim_span(text, min(n.start for n in lead_text), max(n.end for n in lead_text))
        section = _section(doc, PREAMBLE, (PREAMBLE,), PREAMBLE, lead_text, (-1, -1), nav)
        blocks.append(Block(doc.doc_id, PREAMBLE, start, end, (replace(section, start=start, end=end),)))
    for top in tops:
        blocks.append(_block(doc, top, nav))
    return blocks


def _line_count(text: str, nodes: list[Node]) -> int:
    return sum(1 for n in nodes for line in text[n.start : n.end].splitlines() if line.strip())


def _block(doc: Document, top: Node, nav: dict[int, int]) -> Block:
    sections: list[Section] = []
    stack: list[tuple[Node, tuple[str, ...]]] = [(top, (top.name,))]
    while stack:
        node, path = stack.pop()
        body = [c for c in node.children if c.kind is not Kind.SECTION]
        sections.append(_section(doc, top.name, path, node.name, body, (node.head_start, node.head_end), nav, node))
        stack.extend((c, (*path, c.name)) for c in reversed(node.sections()))
    return Block(doc.doc_id, top.name, top.start, top.end, tuple(sections))


def _section(doc: Document, block: str, path: tuple[str, ...], heading: str, body: list[Node],
             head: tuple[int, int], nav: dict[int, int], node: Node | None = None) -> Section:
    text = doc.text
    if body:
        start, end = trim_span(text, min(n.start for n in body), max(n.end for n in body))
    else:  # a heading with only sub-sections: an empty body right after its heading
        start = end = head[1] if head[1] >= 0 else (node.start if node else 0)
    items: list[Item] = []
    sentences: list[tuple[int, int]] = []
    cells: list[Cell] = []
    links: list[Link] = []
    for part in body:
        for n, parent in _with_parents(part):
            links.extend(Link(l.start, l.end, text[l.start : l.end], l.target) for l in n.links)
            if n.kind is Kind.ITEM and n.has_head and n.head_end > n.head_start:
                if n.head_start in nav:
                    continue
                items.append(Item(n.head_start, n.head_end, text[n.head_start : n.head_end], marker=n.marker,
                                  number=n.number, depth=n.level, parent=parent))
                if n.marker and n.level:  # a list entry's own text; inline ①② lie inside their sentence
                    sentences += sentence_spans(text, n.head_start, n.head_end)
            elif n.kind is Kind.PARAGRAPH and n.start not in nav:
                sentences += sentence_spans(text, n.start, n.end)
            elif n.kind is Kind.TABLE:  # each row is a passage; its cells are read by column
                for row in n.children:
                    sentences.append((row.start, row.end))
                    cells += [Cell(c.start, c.end, text[c.start : c.end], table=n.start, row=row.level, col=c.level)
                              for c in row.children]
    if doc.format != MARKDOWN and body:
        # Plain text wraps a sentence across the lines of a list (「①A\n②B\nでの…を検討している。」): its sentences
        # run over each paragraph of lines, split on 。 (or at line breaks when it has none).
        labels = [(n.start, n.end) for n in body if n.kind is Kind.ITEM and not n.marker]  # slide labels: no prose
        labels += [(s, e) for s, e in nav.items() if start <= s < end]  # contents entries: no evidence
        labels.sort()
        sentences = [(s, e) for s, e in sentence_spans(text, start, end) if not _within(s, e, labels)]
    unique = sorted(set(sentences))
    return Section(
        doc.doc_id, block, path, heading, start, end, tuple(items),
        tuple(Sentence(s, e, text[s:e]) for s, e in unique), tuple(cells), tuple(links), head,
    )


def _within(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    """Whether [s, e) lies inside one of `spans` (sorted, not overlapping)."""
    i = bisect.bisect_right(spans, (s, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= s and e <= spans[i][1]


def _with_parents(node: Node):
    """Every node below `node` (itself included) with the start of the list item it is nested in (-1)."""
    stack: list[tuple[Node, int]] = [(node, -1)]
    while stack:
        n, parent = stack.pop()
        yield n, parent
        inner = n.head_start if n.kind is Kind.ITEM and n.level and n.has_head else parent
        stack.extend((c, inner) for c in reversed(n.children))


# --- navigation -----------------------------------------------------------------------------------


def _navigation_items(tree: Tree, text: str) -> dict[int, int]:
    """The own-text spans (start → end) of the entries of every list that is a table of contents (most of
    its entries are links to other files, each link most of its entry's text), and of paragraphs that are
    such links where most paragraphs beside them are too."""
    out: dict[int, int] = {}
    for node in tree.walk():
        if node.kind is Kind.LIST:
            entries = [c for c in node.children if c.kind is Kind.ITEM and c.has_head]
            linked = [e for e in entries if _is_link_entry(e.links, text[e.head_start : e.head_end])]
            if entries and len(linked) >= NAV_SHARE * len(entries):
                out.update((e.head_start, e.head_end) for e in linked)
        elif node.kind in (Kind.DOCUMENT, Kind.SECTION):
            paras = [c for c in node.children if c.kind is Kind.PARAGRAPH]
            linked = [p for p in paras if p.links and _is_link_entry(p.links, text[p.start : p.end])]
            if len(linked) >= 2 and len(linked) >= NAV_SHARE * len(paras):
                out.update((p.start, p.end) for p in linked)
    return out


def _is_link_entry(links: tuple[TreeLink, ...], own: str) -> bool:
    """Most of the entry as shown (without the link targets' syntax) is the text of links to other files."""
    local = [l for l in links if l.local]
    return bool(local) and sum(l.end - l.start for l in local) >= 0.5 * len(plain_markdown(own).strip())


def _is_navigation(tree: Tree, text: str, nav: dict[int, int]) -> bool:
    total = sum(n.head_end - n.head_start if n.kind is Kind.ITEM else n.end - n.start
                for n in tree.walk() if n.kind in (Kind.PARAGRAPH, Kind.ITEM) and (n.kind is not Kind.ITEM or n.has_head))
    linked = sum(e - s for s, e in nav.items())
    return bool(nav) and linked >= NAV_DOCUMENT * max(total, 1)


__all__ = ["PREAMBLE", "parse_document"]
