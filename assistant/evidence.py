"""Finding the passages that answer: hybrid chunk search, then sentences and items ranked inside them.

A sentence's score is the IDF-weighted share of the question's content words it contains, plus a bonus
when it repeats a phrase of the question word for word, plus a small prior from its chunk's retrieval
rank. A passage's words come from indexing (`corpus.analysis`): no passage is tokenised per question.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from corpus.analysis import AnalysisTable, Word
from corpus.model import Chunk
from corpus.text import Tokenizer, normalize, squash
from index.lexical import LexicalIndex
from index.search import Hit, HybridSearcher
from assistant.fields import FieldVocabulary
from assistant.lexicon import Lexicon
from assistant.plan import Located
from assistant.understanding import Understanding, noun_phrases

# A passage that repeats a phrase or 「quote」 of the question word for word is very likely the one.
PHRASE_BONUS = 0.25
# Words of the passage's title and block name count this much of a word in the passage itself.
CONTEXT_WEIGHT = 1.0
# A figure answers a plan question only in a passage that holds this share of the question's topic words.
COVER = 0.6
# A word carried from earlier turns counts this much of one the question writes.
CARRIED_WEIGHT = 0.5
# Retrieval rank adds a little: 0.3 for the top chunk, less further down.
RANK_PRIOR = 0.3


@dataclass(frozen=True)
class Scored:
    located: Located
    score: float
    overlap: float  # IDF-weighted share of the question's content terms found in the passage
    own: float = 0.0  # … of them in the passage itself (not only in its headings): breaks ties


class Evidence:
    def __init__(self, searcher: HybridSearcher, lexical: LexicalIndex, vocab: FieldVocabulary, lexicon: Lexicon,
                 tokenizer: Tokenizer, analyses: AnalysisTable) -> None:
        self.searcher = searcher
        self.lexical = lexical
        self.vocab = vocab
        self.lexicon = lexicon
        self.tok = tokenizer
        self.analyses = analyses

    def _content(self, terms) -> frozenset[str]:
        g = self.lexicon.generic
        return frozenset(t for t in terms if len(t) > 1 and (t not in g or t.isalnum()))

    def content_terms(self, text: str) -> frozenset[str]:
        """Content words of a question's text (passages have theirs from indexing)."""
        return self._content(self.tok.search_terms(text))

    def _passage_terms(self, loc: Located) -> frozenset[str]:
        return self._content(self.analyses.span(loc.chunk, loc.span.start, loc.span.end).terms)

    def terms_of(self, loc: Located) -> frozenset[str]:
        """A passage's content words (as indexing read them) with those of its title and headings."""
        return self._passage_terms(loc) | self._context_terms(loc)

    @staticmethod
    def _path(loc: Located) -> tuple[str, ...]:
        return next((p for p, s, e in loc.chunk.sections if s <= loc.span.start < e), (loc.chunk.block,))

    def _context_terms(self, loc: Located) -> frozenset[str]:
        """The words of a passage's document title and its headings: an article's sentences rarely repeat
        the article's subject, a plan's sentences their unit's name or their section's heading."""
        return self._content(self.analyses.of(loc.chunk).context["\x00".join(self._path(loc))])

    def words(self, loc: Located) -> tuple[str, list[Word]]:
        """A sentence's or item's normalised text and its words (as Sudachi cut them at indexing)."""
        norm = normalize(loc.span.text)
        return norm, self.analyses.span(loc.chunk, loc.span.start, loc.span.end).words(norm)

    def opens_with(self, loc: Located) -> str:
        """The part of speech of the passage's first word (as indexing read it)."""
        return self.analyses.span(loc.chunk, loc.span.start, loc.span.end).opens

    def proper_nouns(self, passage: Located | Chunk) -> list[tuple[str, str]]:
        """(surface, kind) of the proper nouns of a passage or a whole chunk."""
        if isinstance(passage, Chunk):
            return list(self.analyses.of(passage).proper)
        return [(w.surface, w.kind) for w in self.words(passage)[1] if w.kind]

    def search(self, query: str, embedding: np.ndarray, k: int, doc_ids: Sequence[str] | None = None) -> list[Hit]:
        # The lexical index holds every searched chunk: what it lacks is a table of contents (assistant.derived),
        # never evidence, which dense retrieval alone would still return.
        return [h for h in self.searcher.search(query, embedding, k, doc_ids) if self.lexical.knows(h.chunk_id)]

    def lexical_hits(self, query: str, k: int, doc_ids: Sequence[str] | None = None) -> list[Hit]:
        """BM25 alone (no embedding): cheap enough for re-reading earlier turns."""
        return [Hit(cid, s, None, s) for cid, s in self.lexical.search(query, k, doc_ids)]

    def question_terms(self, u: Understanding) -> frozenset[str]:
        # the question's words, what earlier turns carried, and the documents' words it was read as (u.readings)
        terms = self.content_terms(" ".join((u.normalized, *u.carried, *u.readings))) | {normalize(f) for f in u.fields}
        return terms - {t for w in u.title_words for t in self.content_terms(w)}  # 「成長戦略で…」 scopes, it is not asked about

    def rank(self, u: Understanding, hits: Sequence[Hit], units: Sequence[Located], k: int = 3) -> list[Scored]:
        """Passages ranked by content-word overlap with the question, phrase matches and chunk rank."""
        q_terms = self.question_terms(u) & self.lexical.known  # a word no passage has cannot tell passages apart
        # in a follow-up the words carried from earlier turns set the context; the question's own words, the focus
        carried = q_terms - self.content_terms(" ".join((u.normalized, *u.readings))) if u.carried else frozenset()
        idf = {t: self.lexical.idf(t) * (CARRIED_WEIGHT if t in carried else 1.0) for t in q_terms}
        # fsum: exact whatever the set's order (a float sum in hash order broke ties differently per process)
        q_weight = math.fsum(idf.values()) or 1.0
        phrases = [squash(p) for p in (*u.phrases, *u.quoted) if len(squash(p)) >= 2]
        patterns = [re.compile(p) for p in u.patterns]  # 「〇〇せない」: a quote with placeholders
        surfaces = [squash(s) for f in u.fields for s in self.vocab.surfaces(f)]
        chunk_rank = {h.chunk_id: r for r, h in enumerate(hits)}
        scored = []
        for loc in units:
            own = q_terms & self._passage_terms(loc)
            implied = (q_terms & self._context_terms(loc)) - own
            overlap = (math.fsum(idf[t] for t in own) + CONTEXT_WEIGHT * math.fsum(idf[t] for t in implied)) / q_weight
            text = squash(loc.span.text)
            bonus = PHRASE_BONUS if any(p in text for p in phrases) or any(p.search(text) for p in patterns) else 0.0
            if surfaces and any(s in text for s in surfaces):
                bonus += PHRASE_BONUS / 2  # the field asked about
            rank = chunk_rank.get(loc.chunk.chunk_id)
            prior = RANK_PRIOR / (1 + rank) if rank is not None else 0.0
            own_share = math.fsum(idf[t] for t in own) / q_weight
            scored.append(Scored(loc, overlap + bonus + prior, overlap + bonus, own_share))
        scored.sort(key=lambda s: (-s.score, -s.own, s.located.chunk.doc_id, s.located.span.start))
        return scored[:k] if k else scored

    def overlap(self, u: Understanding, text: str) -> float:
        """The IDF-weighted share of the question's content words that `text` (a heading) holds; the text is
        tokenised here, so this is for a few short strings per question."""
        q_terms = self.question_terms(u) & self.lexical.known
        idf = {t: self.lexical.idf(t) for t in q_terms}
        return math.fsum(idf[t] for t in q_terms & self.content_terms(text)) / (math.fsum(idf.values()) or 1.0)

    def covers(self, u: Understanding, loc: Located) -> bool:
        """Whether the passage (with its title and headings) holds most of the question's topic words,
        weighted by how rare they are (COVER of their IDF)."""
        words = list(dict.fromkeys(normalize(w) for w in (*u.topics, *u.phrases, *u.fields) if len(w) >= 2))
        if not words:
            return True
        have = self._passage_terms(loc) | self._context_terms(loc)
        # a compound word may be cut into several terms: it is held when the text or a heading spells it
        text = squash(" ".join((loc.span.text, loc.chunk.title, *self._path(loc))))
        weight = {w: self.lexical.idf(w) for w in words}
        held = math.fsum(weight[w] for w in words if squash(w) in text or w in have)
        return held >= COVER * math.fsum(weight.values())

    def subject(self, u: Understanding, passage: Scored) -> str:
        """The longest of the question's own phrases (quotes, noun phrases, words) that the chosen passage
        repeats; "" when it repeats none."""
        raw = passage.located.span.text
        text = squash(raw)
        for phrase in sorted((*u.quoted, *u.phrases, *noun_phrases(u.question, self.lexicon), *u.topics), key=len, reverse=True):
            if len(squash(phrase)) >= 2 and squash(phrase) in text and phrase not in self.lexicon.generic:
                norm = normalize(raw)  # as the passage writes it (ＡＩ, not ai) when normalising kept lengths
                pos = norm.find(normalize(phrase))
                return raw[pos : pos + len(phrase)] if pos >= 0 and len(norm) == len(raw) else phrase
        return ""
