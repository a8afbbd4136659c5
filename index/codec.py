"""Chunk ⇄ Chroma record. The record carries the chunk's structure (items, sentences, sections, headings,
table cells, links) and what indexing computed from its text (BM25 terms, `corpus.analysis`), so the
structured view of the documents and the lexical index are rebuilt from Chroma alone, without tokenising
again."""

from __future__ import annotations

import json
from typing import Any

from corpus.analysis import analyse, chunk_terms
from corpus.model import Cell, Chunk, Item, Link, Sentence
from corpus.text import default_tokenizer

SECTION_SEP = " > "


def to_metadata(chunk: Chunk, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Flat str/int metadata (Chroma accepts only scalars); spans are relative to the chunk.
    `extra` carries per-document facts (content hash, when it was indexed)."""
    rel = lambda s: (s.start - chunk.start, s.end - chunk.start)  # noqa: E731
    tokenizer = default_tokenizer()
    return {
        # "doc_id" is llama-index's own key (it overwrites it with ref_doc_id), hence "document".
        "document": chunk.doc_id,
        "title": chunk.title,
        "block": chunk.block,
        "section": SECTION_SEP.join(chunk.section_path),
        "start": chunk.start,
        "end": chunk.end,
        "page": chunk.page or 0,
        "items": json.dumps([[*rel(i), i.marker, i.number, i.depth, i.parent - chunk.start if i.parent >= 0 else None]
                             for i in chunk.items], ensure_ascii=False),
        "sentences": json.dumps([list(rel(s)) for s in chunk.sentences]),
        "sections": json.dumps([[list(path), s - chunk.start, e - chunk.start] for path, s, e in chunk.sections], ensure_ascii=False),
        "heads": json.dumps([[list(path), s - chunk.start, e - chunk.start] for path, s, e in chunk.heads], ensure_ascii=False),
        "cells": json.dumps([[*rel(c), c.table - chunk.start, c.row, c.col] for c in chunk.cells]),
        "links": json.dumps([[*rel(k), k.target] for k in chunk.links], ensure_ascii=False),
        "file": chunk.file,
        "format": chunk.format,
        "collection": chunk.collection,
        "navigation": chunk.navigation,
        "terms": json.dumps(list(chunk.terms) or chunk_terms(chunk, tokenizer), ensure_ascii=False, separators=(",", ":")),
        "analysis": chunk.analysis or analyse(chunk, tokenizer).to_json(),
        **(extra or {}),
    }


def from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    start = int(meta["start"])

    def span(rs: int, re_: int) -> tuple[int, int, str]:
        return start + rs, start + re_, text[rs:re_]

    items = tuple(Item(*span(s, e), marker=m, number=n, depth=d, parent=-1 if p is None else start + p)
                  for s, e, m, n, d, p in json.loads(meta.get("items") or "[]"))
    sentences = tuple(Sentence(*span(s, e)) for s, e in json.loads(meta.get("sentences") or "[]"))
    return Chunk(
        chunk_id=chunk_id,
        doc_id=meta["document"],
        title=meta.get("title", ""),
        block=meta["block"],
        section_path=tuple(meta.get("section", meta["block"]).split(SECTION_SEP)),
        start=start,
        end=int(meta["end"]),
        text=text,
        items=items,
        sentences=sentences,
        page=int(meta.get("page") or 0) or None,
        sections=tuple((tuple(p), start + s, start + e) for p, s, e in json.loads(meta.get("sections") or "[]")),
        heads=tuple((tuple(p), start + s, start + e) for p, s, e in json.loads(meta.get("heads") or "[]")),
        cells=tuple(Cell(*span(s, e), table=start + t, row=r, col=c) for s, e, t, r, c in json.loads(meta.get("cells") or "[]")),
        links=tuple(Link(*span(s, e), target=t) for s, e, t in json.loads(meta.get("links") or "[]")),
        file=meta.get("file", ""),
        format=meta.get("format", "text"),
        collection=meta.get("collection", ""),
        navigation=bool(meta.get("navigation", False)),
        terms=tuple(json.loads(meta.get("terms") or "[]")),
        analysis=meta.get("analysis") or "",
    )
