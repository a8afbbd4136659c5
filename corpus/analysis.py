"""What matching needs from a chunk's text, computed once when the chunk is indexed and stored with it.

Answering never runs Sudachi on a passage: it reads these instead. Per chunk:
- `terms`: its BM25 terms (`Tokenizer.search_terms` of the block name and text);
- `context`: the search terms of its document title with each heading path in it (its block, its sections);
- `proper`: the proper nouns of its normalised text, with their Sudachi kind;
- per sentence and item (by offsets relative to the chunk): its search terms, the Sudachi (mode C) word
  lengths and proper-noun kinds of its normalised text (its words are rebuilt from them exactly), and the
  part of speech it opens with.
Each text is tokenised on its own, exactly as a per-question call would have, so answers do not change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from corpus.model import Chunk
from corpus.text import Tokenizer, content_terms, normalize

# A word length L is stored as the character chr(L + _BASE): one character per word.
_BASE = 0x30
_CACHED = 4096  # decoded chunk analyses kept (a question reads a few dozen)


@dataclass(frozen=True)
class Word:
    """A word of a normalised passage: its surface, where it is, and its proper-noun kind ("" if none)."""

    surface: str
    begin: int
    end: int
    kind: str = ""


@dataclass(frozen=True)
class SpanWords:
    """One sentence or item."""

    terms: frozenset[str]  # search terms of its text
    lengths: str  # mode C word lengths over normalize(text), one character each
    proper: tuple[tuple[int, str], ...]  # (word index, kind) of its proper nouns
    opens: str = ""  # part of speech of the first word of its text as written (its first 6 characters)

    def words(self, norm: str) -> list[Word]:
        """The words of `norm` (= normalize(text) of this span)."""
        kinds = dict(self.proper)
        out, pos = [], 0
        for i, ch in enumerate(self.lengths):
            end = pos + ord(ch) - _BASE
            out.append(Word(norm[pos:end], pos, end, kinds.get(i, "")))
            pos = end
        return out


@dataclass(frozen=True)
class ChunkAnalysis:
    context: dict[str, frozenset[str]]  # search terms of the title and a heading path ("\x00"-joined)
    proper: tuple[tuple[str, str], ...]  # (surface, kind) of the proper nouns of normalize(chunk.text)
    spans: dict[tuple[int, int], SpanWords]  # by (start, end) relative to the chunk

    def span(self, chunk: Chunk, start: int, end: int) -> SpanWords | None:
        return self.spans.get((start - chunk.start, end - chunk.start))

    def to_json(self) -> str:
        return json.dumps(
            {
                "c": {path: sorted(terms) for path, terms in self.context.items()},
                "p": [list(p) for p in self.proper],
                "s": [[s, e, sorted(w.terms), w.lengths, [list(k) for k in w.proper], w.opens]
                      for (s, e), w in self.spans.items()],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> "ChunkAnalysis":
        d = json.loads(text)
        return cls(
            context={path: frozenset(terms) for path, terms in d["c"].items()},
            proper=tuple((s, k) for s, k in d["p"]),
            spans={(s, e): SpanWords(frozenset(t), lengths, tuple((i, k) for i, k in p), opens)
                   for s, e, t, lengths, p, opens in d["s"]},
        )


def chunk_terms(chunk: Chunk, tokenizer: Tokenizer) -> list[str]:
    """The chunk's BM25 terms: its block name (split chunks keep their context) and its text."""
    return tokenizer.search_terms(f"{chunk.block}\n{chunk.text}")


def _span(text: str, tokenizer: Tokenizer) -> SpanWords:
    """Search terms and words of one sentence or item (mode C tokens serve both)."""
    norm = normalize(text)
    coarse = tokenizer.tokens(norm)
    terms = frozenset(content_terms(coarse) + content_terms(tokenizer.tokens(norm, fine=True)))
    lengths = "".join(chr(t.end - t.begin + _BASE) for t in coarse)
    head = text.lstrip()[:6]  # how the general path tells a fragment (「とは、…」) from a sentence
    opens = tokenizer.tokens(head)[0].pos if head else ""
    return SpanWords(terms, lengths, tuple((i, t.kind) for i, t in enumerate(coarse) if t.kind), opens)


def analyse(chunk: Chunk, tokenizer: Tokenizer) -> ChunkAnalysis:
    spans: dict[tuple[int, int], SpanWords] = {}
    for span in (*chunk.sentences, *chunk.items):
        key = (span.start - chunk.start, span.end - chunk.start)
        if key not in spans:
            spans[key] = _span(span.text, tokenizer)
    proper = tuple((t.surface, t.kind) for t in tokenizer.tokens(normalize(chunk.text)) if t.kind)
    paths = dict.fromkeys([(chunk.block,), *(tuple(p) for p, _, _ in chunk.sections)])
    context = {"\x00".join(p): frozenset(tokenizer.search_terms("\n".join((chunk.title, *p)))) for p in paths}
    return ChunkAnalysis(context, proper, spans)


class AnalysisTable:
    """Every chunk's analysis, kept encoded (UTF-8 JSON, one after another in `data`, which may be a
    memory-mapped file) and decoded when a question needs that chunk."""

    def __init__(self, ids: Sequence[str], data, offsets: np.ndarray) -> None:
        self.ids = list(ids)
        self._row = {cid: i for i, cid in enumerate(self.ids)}
        self._data = data
        self._offsets = offsets
        self._cache: dict[int, ChunkAnalysis] = {}  # a plain dict: no reference cycle keeps an old snapshot alive

    @classmethod
    def of_chunks(cls, chunks: Sequence[Chunk]) -> "AnalysisTable":
        encoded = [c.analysis.encode("utf-8") for c in chunks]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls([c.chunk_id for c in chunks], b"".join(encoded), offsets)

    @property
    def data(self):
        return self._data

    @property
    def offsets(self) -> np.ndarray:
        return self._offsets

    def _decode_row(self, row: int) -> ChunkAnalysis:
        return ChunkAnalysis.from_json(bytes(self._data[self._offsets[row] : self._offsets[row + 1]]))

    def of(self, chunk: Chunk) -> ChunkAnalysis:
        row = self._row[chunk.chunk_id]
        found = self._cache.get(row)
        if found is None:
            if len(self._cache) >= _CACHED:
                self._cache.clear()
            found = self._cache[row] = self._decode_row(row)
        return found

    def span(self, chunk: Chunk, start: int, end: int) -> SpanWords | None:
        return self.of(chunk).span(chunk, start, end)
