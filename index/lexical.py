"""BM25 (bm25s) over Sudachi tokens. llama-index's BM25Retriever tokenises with an English
pattern and scores every Japanese sentence 0, so the index is built here on our own tokens."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from corpus.text import Tokenizer


class LexicalIndex:
    def __init__(self, ids: Sequence[str], texts: Sequence[str], tokenizer: Tokenizer, doc_ids: Sequence[str] = ()) -> None:
        import logging

        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every build at DEBUG to stderr

        self._ids = list(ids)
        self._chunk_ids = set(self._ids)
        docs = list(doc_ids) or [""] * len(self._ids)
        self._doc_code = {d: i for i, d in enumerate(dict.fromkeys(docs))}
        self._doc_codes = np.asarray([self._doc_code[d] for d in docs], dtype=np.int32)
        self._tokenizer = tokenizer
        self._bm25 = bm25s.BM25()
        corpus = [tokenizer.search_terms(t) or ["\u0000"] for t in texts]
        if self._ids:
            self._bm25.index(corpus, show_progress=False)
        self._vocab = set(self._bm25.vocab_dict) if self._ids else set()
        self._known = frozenset(self._vocab)
        self._df: dict[str, int] = {}
        for terms in corpus:
            for t in set(terms):
                self._df[t] = self._df.get(t, 0) + 1

    def knows(self, chunk_id: str) -> bool:
        """Whether the chunk is part of this index (chunks of a document still being written are not)."""
        return chunk_id in self._chunk_ids

    @property
    def known(self) -> frozenset[str]:
        """The terms some chunk contains."""
        return self._known

    @property
    def vocabulary(self) -> set[str]:
        return set(self._vocab)

    def idf(self, term: str) -> float:
        """Inverse document frequency over the chunks (unknown terms weigh like the rarest)."""
        return math.log(1 + len(self._ids) / self._df.get(term, 1))

    def search(self, query: str, k: int = 10, doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """(id, score) best first; zero scores dropped; nothing when no query token is known.
        With `doc_ids`, only chunks of those documents."""
        terms = [t for t in self._tokenizer.search_terms(query) if t in self._vocab]
        if not terms:
            return []
        scores = np.asarray(self._bm25.get_scores(terms))
        if doc_ids:
            codes = [self._doc_code[d] for d in doc_ids if d in self._doc_code]
            scores = np.where(np.isin(self._doc_codes, codes), scores, 0.0)
        top = np.argsort(-scores)[:k]
        return [(self._ids[i], float(scores[i])) for i in top if scores[i] > 0]
