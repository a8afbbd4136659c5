"""BM25 (bm25s) over Sudachi tokens. llama-index's BM25Retriever tokenises with an English
pattern and scores every Japanese sentence 0, so the index is built here on our own tokens.

The chunks' terms come from indexing (`corpus.analysis`), so building needs no tokenising; only the
query is tokenised, the same way. `save`/`load` keep the index on disk (bm25s's own format, memory-mapped).
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Sequence

import numpy as np

from corpus.text import Tokenizer

_EMPTY = "\u0000"  # a chunk without terms still gets a row


class LexicalIndex:
    def __init__(self, ids: Sequence[str], terms: Sequence[Sequence[str]], tokenizer: Tokenizer,
                 doc_ids: Sequence[str] = ()) -> None:
        """`terms`: each chunk's search terms (`Tokenizer.search_terms`), with repeats."""
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every build at DEBUG to stderr
        corpus = [list(t) or [_EMPTY] for t in terms]
        bm25 = bm25s.BM25()
        if ids:
            bm25.index(corpus, show_progress=False)
        df: dict[str, int] = {}
        for ts in corpus:
            for t in set(ts):
                df[t] = df.get(t, 0) + 1
        self._setup(list(ids), list(doc_ids) or [""] * len(ids), tokenizer, bm25 if ids else None, df)

    @classmethod
    def from_texts(cls, ids: Sequence[str], texts: Sequence[str], tokenizer: Tokenizer,
                   doc_ids: Sequence[str] = ()) -> "LexicalIndex":
        return cls(ids, [tokenizer.search_terms(t) for t in texts], tokenizer, doc_ids)

    def _setup(self, ids: list[str], docs: list[str], tokenizer: Tokenizer, bm25, df: dict[str, int]) -> None:
        self._ids = ids
        self._chunk_ids = set(ids)
        self._docs = docs
        self._doc_code = {d: i for i, d in enumerate(dict.fromkeys(docs))}
        self._doc_codes = np.asarray([self._doc_code[d] for d in docs], dtype=np.int32)
        self._tokenizer = tokenizer
        self._bm25 = bm25
        self._vocab = frozenset(bm25.vocab_dict) if bm25 is not None else frozenset()
        self._df = df

    # --- on disk -----------------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self._bm25 is not None:
            self._bm25.save(str(folder / "bm25"), show_progress=False)
        meta = {"ids": self._ids, "docs": self._docs, "df": self._df}
        (folder / "lexical.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, tokenizer: Tokenizer) -> "LexicalIndex":
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        meta = json.loads((folder / "lexical.json").read_text(encoding="utf-8"))
        bm25 = bm25s.BM25.load(str(folder / "bm25"), mmap=True, show_progress=False) if meta["ids"] else None
        self = cls.__new__(cls)
        self._setup(meta["ids"], meta["docs"], tokenizer, bm25, meta["df"])
        return self

    # --- asking ------------------------------------------------------------------------------------

    def knows(self, chunk_id: str) -> bool:
        """Whether the chunk is part of this index (chunks of a document still being written are not)."""
        return chunk_id in self._chunk_ids

    @property
    def known(self) -> frozenset[str]:
        """The terms some chunk contains."""
        return self._vocab

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
        # Only chunks with a positive score, best first, ties in index order: no sort of the whole corpus.
        found = np.flatnonzero(scores > 0)
        if len(found) > 4 * k:  # a common word scores most of a big corpus: keep the k best before sorting
            s = scores[found]
            kth = -np.partition(-s, k - 1)[k - 1]
            above = found[s > kth]
            found = np.sort(np.concatenate([above, found[s == kth][: k - len(above)]]))
        top = found[np.argsort(-scores[found], kind="stable")[:k]]
        return [(self._ids[i], float(scores[i])) for i in top]
