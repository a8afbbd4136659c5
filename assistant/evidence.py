"""Finding the passages that answer: hybrid chunk search, then sentences and items ranked inside them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from corpus.text import Tokenizer, normalize, squash
from index.lexical import LexicalIndex
from index.search import Hit, HybridSearcher
from assistant.fields import FieldVocabulary
from assistant.plan import Located, PlanView
from assistant.understand import GENERIC, Understanding

# A passage that repeats a phrase or 「quote」 of the question word for word is very likely the one.
PHRASE_BONUS = 0.5
# Retrieval rank adds a little: 0.3 for the top chunk, less further down.
RANK_PRIOR = 0.3


@dataclass(frozen=True)
class Scored:
    located: Located
    score: float
    overlap: float  # IDF-weighted share of the question's content terms found in the passage


class Evidence:
    def __init__(
        self, plan: PlanView, vocab: FieldVocabulary, searcher: HybridSearcher, lexical: LexicalIndex, tokenizer: Tokenizer
    ) -> None:
        self.plan = plan
        self.vocab = vocab
        self.searcher = searcher
        self.lexical = lexical
        self.tok = tokenizer
        self._terms: dict[tuple[int, int, str], set[str]] = {}  # passage → content terms, filled on use

    def _content(self, text: str) -> set[str]:
        return {t for t in self.tok.search_terms(text) if len(t) > 1 and (t not in GENERIC or t.isalnum())}

    def search(self, query: str, embedding: np.ndarray, k: int = 10) -> list[Hit]:
        return self.searcher.search(query, embedding, k)

    def rank(self, u: Understanding, hits: list[Hit], units: list[Located], k: int = 3) -> list[Scored]:
        """Passages ranked by content-word overlap with the question, phrase matches and chunk rank."""
        q_terms = self._content(u.normalized) | {normalize(f) for f in u.fields}
        q_terms -= {t for w in u.title_words for t in self._content(w)}  # 「成長戦略で…」 scopes, it is not asked about
        q_weight = sum(self.lexical.idf(t) for t in q_terms) or 1.0
        phrases = [squash(p) for p in (*u.phrases, *u.quoted) if len(squash(p)) >= 2]
        chunk_rank = {h.chunk_id: r for r, h in enumerate(hits)}
        scored = []
        for loc in units:
            key = (loc.span.start, loc.span.end, loc.chunk.doc_id)
            if key not in self._terms:
                self._terms[key] = self._content(loc.span.text)
            overlap = sum(self.lexical.idf(t) for t in q_terms & self._terms[key]) / q_weight
            text = squash(loc.span.text)
            bonus = PHRASE_BONUS if any(p in text for p in phrases) else 0.0
            if u.fields and any(squash(s) in text for f in u.fields for s in self.vocab.surfaces(f)):
                bonus += PHRASE_BONUS / 2  # the field asked about
            rank = chunk_rank.get(loc.chunk.chunk_id)
            prior = RANK_PRIOR / (1 + rank) if rank is not None else 0.0
            scored.append(Scored(loc, overlap + bonus + prior, overlap + bonus))
        scored.sort(key=lambda s: (-s.score, s.located.span.start))
        return scored[:k] if k else scored

    def subject(self, u: Understanding, passage: Scored) -> str:
        """The longest stretch of the question that the chosen passage repeats (as the passage writes it)."""
        for phrase in sorted((*u.quoted, *u.phrases), key=len, reverse=True):
            if squash(phrase) in squash(passage.located.span.text):
                return phrase
        text = passage.located.span.text
        norm = normalize(text)
        q = u.normalized
        best = ""
        for i in range(len(q)):
            for j in range(len(q), i + max(len(best), 1), -1):
                if q[i:j] in norm:
                    best = q[i:j]
                    break
        best = best.strip("「」 、。の")
        if len(best) < 2 or best in GENERIC:
            return ""
        pos = norm.find(best)
        return text[pos : pos + len(best)] if len(norm) == len(text) else best
