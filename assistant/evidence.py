"""Finding the passages that answer: hybrid chunk search, then sentences ranked inside them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from corpus.text import Tokenizer, normalize
from index.lexical import LexicalIndex
from index.search import Hit, HybridSearcher
from assistant.plan import BlockView, Located, PlanView
from assistant.understand import GENERIC, Understanding


@dataclass(frozen=True)
class ScoredSentence:
    located: Located
    score: float
    overlap: float  # IDF-weighted share of the question's content terms found in the sentence


class Evidence:
    def __init__(self, plan: PlanView, searcher: HybridSearcher, lexical: LexicalIndex, tokenizer: Tokenizer) -> None:
        self.plan = plan
        self.searcher = searcher
        self.lexical = lexical
        self.tok = tokenizer
        self._terms: dict[tuple[int, int, str], set[str]] = {}  # sentence → content terms, filled on use

    @staticmethod
    def _key(loc: Located) -> tuple[int, int, str]:
        return (loc.span.start, loc.span.end, loc.chunk.doc_id)

    def _content(self, text: str) -> set[str]:
        return {t for t in self.tok.search_terms(text) if t not in GENERIC and len(t) > 1 or t.isalnum() and len(t) > 1}

    def search(self, query: str, embedding: np.ndarray, k: int = 10) -> list[Hit]:
        return self.searcher.search(query, embedding, k)

    def sentences(
        self, u: Understanding, hits: list[Hit], within: list[BlockView] | None = None, k: int = 3
    ) -> list[ScoredSentence]:
        """Sentences ranked by content-word overlap with the question, plus the rank of their chunk."""
        q_terms = self._content(u.normalized) | {normalize(f) for f in u.fields}
        q_weight = sum(self.lexical.idf(t) for t in q_terms) or 1.0
        chunk_rank = {h.chunk_id: r for r, h in enumerate(hits)}
        # Without a named block, read the blocks that retrieval found (not the whole plan: it may be huge).
        blocks = within if within is not None else list(dict.fromkeys(self.plan.block_of(h.chunk_id) for h in hits))
        scored = []
        for block in blocks:
            for loc in block.sentences:
                key = self._key(loc)
                if key not in self._terms:
                    self._terms[key] = self._content(loc.span.text)
                overlap = sum(self.lexical.idf(t) for t in q_terms & self._terms[key]) / q_weight
                rank = chunk_rank.get(loc.chunk.chunk_id)
                prior = 0.3 / (1 + rank) if rank is not None else 0.0
                scored.append(ScoredSentence(loc, overlap + prior, overlap))
        scored.sort(key=lambda s: (-s.score, s.located.span.start))
        return scored[:k]

    def subject(self, u: Understanding, sentence: ScoredSentence) -> str:
        """The longest stretch of the question that the chosen sentence repeats (as the sentence writes it)."""
        text = sentence.located.span.text
        norm = normalize(text)
        q = u.normalized
        best = ""
        for i in range(len(q)):
            for j in range(len(q), i + max(len(best), 1), -1):
                if q[i:j] in norm:
                    best = q[i:j]
                    break
        if len(best.strip()) < 2 or best.strip() in GENERIC:
            return ""
        pos = norm.find(best)
        return text[pos : pos + len(best)].strip("「」 ") if len(norm) == len(text) else best.strip("「」 ")
