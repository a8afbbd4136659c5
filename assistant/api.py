"""The public API: `Assistant.load()` then `ask(question, history)`.

question → normalise → resolve history → classify → retrieve or look up → compose → check.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, replace
from typing import Sequence

from corpus.model import Chunk, ParsedDocument
from corpus.text import default_tokenizer, squash
from index.embedders import Embedder, as_llama_embedding, make_embedder
from index.lexical import LexicalIndex
from index.search import HybridSearcher
from index.store import IndexInfo
from assistant.compose import Composer, Draft
from assistant.config import Settings
from assistant.evidence import Evidence
from assistant.fields import FieldVocabulary
from assistant.history import resolve, resolve_history
from assistant.indexing import ensure_index, open_store, read_corpus
from assistant.plan import PlanView
from assistant.readings import ReadingIndex
from assistant.types import Answer, Citation
from assistant.understand import Understanding, understand
from assistant.validation import check_question
from index.errors import IndexError_

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldMap:
    fields: list[str]
    blocks: list[str]
    cells: dict[tuple[str, str], list[Citation]]  # (block, field) → the items that mention it


class Assistant:
    def __init__(self, settings: Settings, info: IndexInfo, chunks: list[Chunk], embedder: Embedder, store) -> None:
        self.settings = settings
        self.embedder = embedder
        self.tokenizer = default_tokenizer()
        self._store = store
        self._attach(info, chunks)

    def _attach(self, info: IndexInfo, chunks: list[Chunk]) -> None:
        """Derive everything in memory from the collection's chunks: Chroma stays the source of truth."""
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.info = info
        self.plan = PlanView(chunks)
        self.vocab = FieldVocabulary(self.plan)
        lexical = LexicalIndex([c.chunk_id for c in chunks], [f"{c.block}\n{c.text}" for c in chunks], self.tokenizer)
        vector_store = ChromaVectorStore(chroma_collection=self._store.collection(info))
        searcher = HybridSearcher(
            vector_store, lexical, as_llama_embedding(self.embedder), fusion=self.settings.fusion, where=self.settings.where
        )
        self.evidence = Evidence(self.plan, self.vocab, searcher, lexical, self.tokenizer)
        self.composer = Composer(self.plan, self.vocab, self.evidence)
        self._corpus_sq = squash("\n".join(c.text for c in chunks))
        self.readings = ReadingIndex(lexical.vocabulary, self.tokenizer)

    def refresh(self) -> bool:
        """Pick up what another process (or an upload) wrote to the index. True when something changed."""
        info = self._store.require(self.embedder)
        if info == self.info:
            return False
        self._attach(info, self._store.load_chunks(info))
        return True

    @classmethod
    def load(cls, settings: Settings | None = None, progress=None) -> "Assistant":
        """Open the index, building it first if there is none. Raises index.errors.* with a Japanese message."""
        settings = settings or Settings.from_env()
        store = open_store(settings)
        embedder = make_embedder(settings.embedder)
        ensure_index(settings, embedder=embedder, progress=progress)  # missing or of an older format: rebuilt
        info = store.require(embedder)
        return cls(settings, info, store.load_chunks(info), embedder, store)

    # --- asking ---------------------------------------------------------------------------------------

    def understand(self, question: str, history: Sequence[dict] = ()) -> Understanding:
        read = lambda q: understand(q, self.plan, self.vocab, self.tokenizer, self._corpus_sq, self.readings)  # noqa: E731
        previous, recent = resolve_history(history, read, self.vocab) if history else (None, ())
        return resolve(read(question), previous, self.vocab, recent)

    def ask(self, question: str, history: Sequence[dict] | None = None) -> Answer:
        problem = check_question(question)
        if problem:
            return Answer(text=problem.message, citations=[], answerable=False, intent="invalid")
        started = time.perf_counter()
        try:
            u = self.understand(question, history or [])
            hits = self.evidence.search(u.normalized, self.embedder.embed_query(u.normalized), self.settings.top_k)
            draft = self._compose(u, hits)
            answer = _finish(draft, u)
            answer.trace = {
                "intent": u.intent,
                "followup": u.followup,
                "blocks": list(u.blocks),
                "fields": list(u.fields),
                "sections": list(u.sections),
                "headings": list(u.headings),
                "phrases": list(u.phrases),
                "topics": list(u.topics),
                "quoted": list(u.quoted),
                "documents": list(u.documents),
                "place_notes": list(u.place_notes),
                "unknown_terms": list(u.unknown_terms),
                "unknown_names": list(u.unknown_names),
                "asks": u.asks,
                "negated": u.negated,
                "cues": list(u.cues),
                "candidates": [
                    {
                        "chunk_id": h.chunk_id,
                        "start": self.plan.chunks[h.chunk_id].start,
                        "end": self.plan.chunks[h.chunk_id].end,
                        "doc_id": self.plan.chunks[h.chunk_id].doc_id,
                        "block": self.plan.chunks[h.chunk_id].block,
                        "section": " > ".join(self.plan.chunks[h.chunk_id].section_path),
                        "score": round(h.score, 4),
                        "dense": None if h.dense is None else round(h.dense, 4),
                        "bm25": None if h.lexical is None else round(h.lexical, 4),
                    }
                    for h in hits
                ],
                "chosen": [{"n": c.n, "block": c.block, "start": c.start, "end": c.end} for c in answer.citations],
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
            return answer
        except IndexError_ as exc:  # the index cannot be reached (a Chroma server down or silent): say so
            log.info("ask failed: %s", exc)
            return Answer(text=str(exc), citations=[], answerable=False, intent="unavailable")
        except Exception:  # noqa: BLE001 - the user gets a message, the log gets the traceback
            log.exception("ask failed for %r", question[:200])
            return Answer(
                text="申し訳ありません。回答の作成中にエラーが発生しました。質問を言い換えてもう一度お試しください。",
                citations=[],
                answerable=False,
                intent="error",
            )

    def _compose(self, u: Understanding, hits) -> Draft:
        c = self.composer
        if u.asks and u.intent != "compare":
            missing = c.missing_information(u, hits)
            if missing is not None:
                return missing
        if u.unknown_names or (u.unknown_terms and not u.anchored):
            refs = [self.plan.chunks[h.chunk_id] for h in hits[:2]]
            return c.not_stated("「" + "」「".join(u.unknown_names or u.unknown_terms) + "」", refs)
        handler = {
            "block_items": lambda: c.block_items(u),
            "block_field": lambda: c.block_field(u),
            "which_blocks": lambda: c.which_blocks(u),
            "count": lambda: c.count(u),
            "compare": lambda: c.compare(u),
            "section": lambda: c.section(u, hits),
            "detail": lambda: c.detail(u, hits),
        }.get(u.intent, lambda: c.explain(u, hits))
        return handler()

    # --- for the UI and tools -------------------------------------------------------------------

    def passage(self, chunk_id: str) -> Chunk:
        return self.plan.chunks[chunk_id]

    def indexed_documents(self):
        """What the index holds per document (id, title, chunks, content hash, when indexed)."""
        return self._store.documents(self.info)

    def documents(self) -> list[ParsedDocument]:
        return read_corpus(self.settings).documents

    def field_map(self) -> FieldMap:
        regions = self.plan.regions()
        cells: dict[tuple[str, str], list[Citation]] = {}
        for f in self.vocab.fields:
            for m in self.vocab.matches(f):
                d = Draft()
                d.cite(m.item.chunk, m.item.span.start, m.item.span.end)
                cells.setdefault((m.block, f), []).extend(d.citations)
        used = [f for f in self.vocab.fields if any((b.name, f) in cells for b in regions)]
        return FieldMap(fields=used, blocks=[b.name for b in regions], cells=cells)


_MARK = re.compile(r"\[(\d+)\]")


def _finish(draft: Draft, u: Understanding) -> Answer:
    """Keep only citations the text uses, renumbered in order of first use; check every span."""
    text = draft.text
    order = list(dict.fromkeys(int(n) for n in _MARK.findall(text)))
    by_n = {c.n: c for c in draft.citations}
    renumber = {old: new for new, old in enumerate(order, start=1)}
    text = _MARK.sub(lambda m: f"[{renumber[int(m.group(1))]}]", text)
    citations = [replace(by_n[old], n=renumber[old]) for old in order]
    if not text:
        text = "資料からこの質問に答える記載を見つけられませんでした。"
        return Answer(text=text, citations=[], answerable=False, intent=u.intent)
    return Answer(text=text, citations=citations, answerable=draft.answerable, intent=u.intent)
