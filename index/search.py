"""Hybrid retrieval: dense (llama-index retriever over the Chroma collection) + BM25, fused.

The dense side asks Chroma (over HTTP in server mode, where each request has a deadline, see
`index.chroma`); a server that is down or silent surfaces as `ChromaUnavailableError` /
`ChromaTimeoutError`, with a Japanese message the caller shows as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np

from index.errors import storage_errors
from index.lexical import LexicalIndex

Fusion = Literal["rrf", "weighted"]
RRF_K = 60


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    score: float
    dense: float | None  # cosine similarity, when the dense side found it
    lexical: float | None  # BM25 score, when the lexical side found it


class HybridSearcher:
    def __init__(
        self, vector_store, lexical: LexicalIndex, embed_model, fusion: Fusion = "rrf", alpha: float = 0.5, where: str = "Chroma"
    ):
        from llama_index.core import VectorStoreIndex

        self._index = VectorStoreIndex.from_vector_store(vector_store, embed_model=embed_model)
        self._lexical = lexical
        self.fusion = fusion
        self.alpha = alpha
        self.where = where  # named in error messages

    def dense(self, query: str, embedding: np.ndarray, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        from llama_index.core.schema import QueryBundle
        from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

        filters = None
        if doc_ids:
            filters = MetadataFilters(filters=[MetadataFilter(key="document", value=list(doc_ids), operator=FilterOperator.IN)])
        retriever = self._index.as_retriever(similarity_top_k=k, filters=filters)
        with storage_errors(self.where):
            nodes = retriever.retrieve(QueryBundle(query_str=query, embedding=embedding.tolist()))
        # Only chunks of complete documents are known (see index.store): one being written is not shown.
        return [(n.node.node_id, float(n.score or 0.0)) for n in nodes if self._lexical.knows(n.node.node_id)]

    def search(self, query: str, embedding: np.ndarray, k: int = 10, doc_ids: Sequence[str] | None = None) -> list[Hit]:
        """The k best chunks, of the documents `doc_ids` only when given."""
        dense = self.dense(query, embedding, k, doc_ids)
        lexical = self._lexical.search(query, k, doc_ids)
        d_score, l_score = dict(dense), dict(lexical)
        if self.fusion == "rrf":
            fused: dict[str, float] = {}
            for ranked in (dense, lexical):
                for rank, (cid, _) in enumerate(ranked):
                    fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
        else:
            top = max(l_score.values(), default=1.0) or 1.0
            fused = {
                cid: self.alpha * d_score.get(cid, 0.0) + (1 - self.alpha) * l_score.get(cid, 0.0) / top
                for cid in {*d_score, *l_score}
            }
        order = sorted(fused, key=lambda c: -fused[c])[:k]
        return [Hit(c, fused[c], d_score.get(c), l_score.get(c)) for c in order]
