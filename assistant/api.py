"""The public API: `Assistant.load()` then `ask(question, history, doc_ids)`.

question → read once → entities → earlier turns → search → scope → intent (decided once) →
the answer module for that intent → typed lines → rendered once.
"""

from __future__ import annotations

import gc
import logging
import re
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import numpy as np
from corpus.model import Chunk, ParsedDocument
from corpus.text import default_tokenizer
from index.embedders import Embedder, as_llama_embedding, make_embedder
from index.search import Hit, HybridSearcher
from index.store import IndexInfo
from assistant import derived, legend, matrix
from assistant.answers import Context
from assistant.router import Routed, route
from assistant.config import Settings
from assistant.evidence import Evidence
from assistant.generation import EXTRACTIVE, GENERATIVE, Generator
from assistant.indexing import ensure_index, open_store, read_corpus, reading, update_index, writing
from assistant.knowledge import Knowledge, title_keys
from assistant.lexicon import Lexicon
from assistant.library import (
    WAITING, AddReport, FileProgress, UploadProgress, add_files, finished, remove_file, upload_names,
)
from assistant.fields import atoms_of
from assistant.meaning import MeaningIndex, cached_vectors
from assistant.places import gazetteer
from assistant.plan import PlanView
from assistant.profile import MAX_LABEL_CHARS, DocumentProfile
from assistant.render import answer_text
from assistant.types import Answer, Citation, FieldMap, Intent, Matrix
from assistant.understanding import Understanding, understand
from assistant.understanding.followups import MAX_TURN_CHARS, last_answer
from assistant.validation import check_question
from index.errors import IndexError_

log = logging.getLogger(__name__)

# A list answer names at most this many units; `ask(..., list_limit=None)` names them all.
LIST_LIMIT = 30
# Heading and item labels whose vectors are kept for matrices (then the cache starts over).
LABEL_CACHE = 20_000


@dataclass(frozen=True)
class _State:
    """One consistent snapshot: swapped whole by `refresh()`, read without a lock by `ask()`."""

    info: IndexInfo
    kb: Knowledge
    evidence: Evidence


class Assistant:
    def __init__(self, settings: Settings, info: IndexInfo, embedder: Embedder, store) -> None:
        self.settings = settings
        self.embedder = embedder
        self.tokenizer = default_tokenizer()
        self.lexicon = Lexicon.load()
        self._store = store
        self._refresh_lock = threading.Lock()
        self._matrix_lock = threading.Lock()  # the two caches below (any thread may draw a matrix)
        self._placed: tuple[_State, dict[str, legend.Placement]] | None = None
        self._labels: dict[str, np.ndarray] = {}
        self._state = self._derive(info)
        self.generator = Generator.from_settings(settings)  # None without an LLM (ASSISTANT_LLM_URL / --llm)

    def _derive(self, info: IndexInfo) -> _State:
        """Everything in memory comes from the collection's chunks (Chroma stays the source of truth), through
        the derived views kept on disk for this build (`assistant.derived`)."""
        from llama_index.vector_stores.chroma import ChromaVectorStore

        places = gazetteer()
        d = derived.obtain(self._derived_dir, info, self.embedder.name, lambda: self._store.load_chunks(info),
                           self.lexicon, places, self.tokenizer)
        vector_store = ChromaVectorStore(chroma_collection=self._store.collection(info))
        searcher = HybridSearcher(
            vector_store, d.lexical, as_llama_embedding(self.embedder), fusion=self.settings.fusion, where=self.settings.where
        )
        kb = Knowledge(
            plan=d.plan,
            vocab=d.vocab,
            lexicon=self.lexicon,
            places=places,
            lexical=d.lexical,
            readings=d.readings,
            names=d.names,
            meaning=MeaningIndex.build([*d.vocab.atoms, *d.vocab.categories], self.embedder, self._derived_dir),
            tokenizer=self.tokenizer,
            analyses=d.analyses,
            text=d.text,
            titles=title_keys(d.plan.titles, self.tokenizer, self.lexicon.generic,
                              {hub: d.plan.collections[name] for name, hub in d.plan.hubs.items()}),
        )
        # The snapshot lives as long as the process (or until a refresh): the cyclic collector need not scan it.
        gc.freeze()
        return _State(info, kb, Evidence(searcher, d.lexical, d.vocab, self.lexicon, self.tokenizer, d.analyses))

    @property
    def _derived_dir(self) -> Path:
        return Path(self.settings.data_dir) / "derived"

    @property
    def info(self) -> IndexInfo:
        return self._state.info

    @property
    def plan(self) -> PlanView:
        return self._state.kb.plan

    def refresh(self) -> bool:
        """Pick up what another process (or an upload) wrote to the index. True when something changed.
        The new snapshot is built aside and swapped in whole; questions in flight finish on the old one."""
        with self._refresh_lock:
            info = self._store.require(self.embedder)
            if info == self._state.info:
                return False
            self._state = self._derive(info)
            return True

    @classmethod
    def load(cls, settings: Settings | None = None, progress=None) -> "Assistant":
        """Open the index, building it first if there is none. Raises index.errors.* with a Japanese message."""
        settings = settings or Settings.from_env()
        embedder = make_embedder(settings.embedder)
        from index.threads import bulk

        def read() -> "Assistant":
            store = open_store(settings)
            with bulk(background=False):  # missing or of an older format: rebuilt while the user waits, on every core
                ensure_index(settings, embedder=embedder, progress=progress)
            return cls(settings, store.require(embedder), embedder, store)

        return reading(settings, read)  # on a full disk too (index.reserve)

    # --- understanding ---------------------------------------------------------------------------------

    def understand(self, question: str, history: Sequence[dict] = (), doc_ids: Sequence[str] | None = None,
                   state: _State | None = None) -> Understanding:
        state = state or self._state

        def search(query: str, within: Sequence[str] | None, earlier: bool) -> list[Hit]:
            if earlier:  # an earlier turn is scoped with BM25 alone: no embedding
                return state.evidence.lexical_hits(query, self.settings.top_k, within)
            return state.evidence.search(query, self.embedder.embed_query(query), self.settings.top_k, within)

        return understand(question, history, state.kb, search, doc_ids)

    # --- asking --------------------------------------------------------------------------------------

    def ask(self, question: str, history: Sequence[dict] | None = None, doc_ids: Sequence[str] | None = None,
            list_limit: int | None = LIST_LIMIT, *, mode: str = EXTRACTIVE, on_text=None) -> Answer:
        """`mode="generative"` (with an LLM configured): the extractive answer first, then the LLM's answer from
        its evidence, every sentence verified (assistant.generation); `on_text(text)` sees the verified
        sentences as they arrive. The whole generation ends within `Settings.llm_timeout`."""
        problem = check_question(question)
        if problem:
            return Answer(text=problem.message, citations=[], answerable=False, intent=Intent.INVALID.value)
        started = time.perf_counter()
        if mode == GENERATIVE and self.generator is not None:
            deadline = time.monotonic() + self.settings.llm_timeout
            answer = self.ask(question, history, doc_ids, list_limit)
            return self.generator.answer(answer, question, history or [], self._state.kb, on_text, deadline)
        state = self._state
        try:
            u = self.understand(question, history or [], doc_ids or None, state)
            hits = u.hits
            said = last_answer(history or [])
            ctx = Context(u, hits, state.kb, state.evidence, list_limit, said[: MAX_TURN_CHARS * 10])
            answer = _finish(route(ctx))
            answer.trace = _trace(u, hits, state.kb, answer, started)
            return answer
        except IndexError_ as exc:  # the index cannot be reached (a Chroma server down or silent): say so
            log.info("ask failed: %s", exc)
            return Answer(text=str(exc), citations=[], answerable=False, intent=Intent.UNAVAILABLE.value)
        except Exception:  # noqa: BLE001 - the user gets a message, the log gets the traceback
            log.exception("ask failed for %r", question[:200])
            return Answer(
                text="申し訳ありません。回答の作成中にエラーが発生しました。質問を言い換えてもう一度お試しください。",
                citations=[],
                answerable=False,
                intent=Intent.ERROR.value,
            )

    # --- for the UI and tools --------------------------------------------------------------------------

    def search(self, query: str, k: int = 5, doc_ids: Sequence[str] | None = None) -> list[Hit]:
        """Hybrid retrieval alone (dense + BM25, fused): the chunks `ask` starts from."""
        return self._state.evidence.search(query, self.embedder.embed_query(query), k, doc_ids)

    def passage(self, chunk_id: str) -> Chunk:
        return self._state.kb.plan.chunks[chunk_id]

    def profiles(self) -> dict[str, DocumentProfile]:
        return dict(self._state.kb.profiles)

    def indexed_documents(self):
        """What the index holds per document (id, title, chunks, content hash, when indexed)."""
        return self._store.documents(self._state.info)

    def documents(self) -> list[ParsedDocument]:
        return read_corpus(self.settings).documents

    def add_documents(self, files, progress=None) -> AddReport:
        """Copy files into the library and index them (see assistant.library.add_files); questions go on
        meanwhile. `progress(UploadProgress)` is told every file's state and, while its passages are made
        ready, how many of them are.

        The whole change happens under the index's writer lock (`writing`, also across processes and
        threads), taken first: nothing that holds the refresh lock ever waits for it, so the order is
        always writer lock, then refresh lock."""
        files = list(files or [])
        last: list[UploadProgress] = []

        def tell(p: UploadProgress) -> None:
            last[:] = [p]
            if progress is not None:
                progress(p)

        waiting = UploadProgress(WAITING, tuple(FileProgress(n, WAITING) for n in upload_names(files)))
        with writing(self.settings, on_wait=lambda: tell(waiting)):  # one library change at a time
            indexed = {e.doc_id: e.doc_hash for e in self.indexed_documents()}
            report = add_files(self.settings, self.embedder, indexed, files, tell)
            if not report.failed and any(f.ok for f in report.files):
                self.refresh()
        done = finished(last[0] if last else None)
        if done is not None and progress is not None:
            progress(done)
        return report

    def remove_document(self, doc_id: str, progress=None) -> bool:
        """Delete a user document (its file, its sidecar, its passages in the index). False for the bundled
        plans and for unknown ids. Under the writer lock, like `add_documents`."""
        step = progress or (lambda *_: None)
        with writing(self.settings, on_wait=lambda: step(WAITING, 0, 0)):
            doc = next((p.document for p in self.documents() if p.document.doc_id == doc_id), None)
            if doc is None or not remove_file(self.settings.documents_dir, doc.source_path):
                return False
            update_index(self.settings, embedder=self.embedder)
            self.refresh()
        return True

    def field_map(self, doc_ids: Sequence[str] | None = None) -> Matrix:
        """Units × fields of the chosen plan documents (default: the bundled plans), units north → south,
        fields grouped under the legend's categories. Documents without units are left out."""
        state = self._state
        docs = self._chosen(doc_ids)
        return matrix.unit_grid(state.kb, [d for d in docs if d in state.kb.profiles and state.kb.profile(d).has_units],
                                self._placement(state))

    def matrix(self, doc_ids: Sequence[str] | None = None) -> Matrix:
        """The matrix of the chosen documents (default: the bundled plans): units × fields for plans of
        units, else their parts × the headings and items that recur across them, each cell cited; when
        nothing recurs, `gap` says why (see `assistant.matrix`)."""
        state = self._state
        return matrix.build(state.kb, self._chosen(doc_ids), self._placement(state), self._label_vectors)

    @staticmethod
    def _chosen(doc_ids: Sequence[str] | None) -> list[str]:
        if doc_ids:
            return list(doc_ids)
        from corpus.store import load_bundled_documents

        return [d.doc_id for d in load_bundled_documents()]

    def _placement(self, state: _State) -> dict[str, legend.Placement]:
        """Every field's legend category (by the legend's words, listing and meaning), once per snapshot."""
        with self._matrix_lock:
            if self._placed is not None and self._placed[0] is state:
                return self._placed[1]
        kb = state.kb
        vocab = kb.vocab
        categories = [legend.Category(n, vocab.legend_labels.get(n, n), vocab.categories[n])
                      for n in dict.fromkeys(vocab.legend_order)]
        # only the plans with a legend have their rows grouped (see matrix.unit_grid): their fields alone
        with_legend = {d for d, p in kb.profiles.items() if p.legend and p.has_units}
        fields = [f for f in vocab.atoms if with_legend & vocab.documents(f)]
        listings = [legend.listing(loc.span.label, atoms_of, set(fields)) for u in kb.plan.units(with_legend)
                    for loc in u.listed if len(loc.span.label) <= MAX_LABEL_CHARS]
        nouns = [kb.profile(d).item_noun for d in with_legend if kb.profile(d).item_noun]
        frame = legend.frame_of(max(set(nouns), key=nouns.count) if nouns else "")
        placed = legend.place(fields, categories, listings, vocab.named_by,
                              lambda texts: cached_vectors(texts, self.embedder, self._derived_dir, "legend"), frame)
        with self._matrix_lock:
            self._placed = (state, placed)
        return placed

    def _label_vectors(self, labels: list[str]) -> np.ndarray:
        """Query vectors of headings and item labels (for matrices), kept in memory while the process lives."""
        with self._matrix_lock:
            missing = [t for t in dict.fromkeys(labels) if t not in self._labels]
        fresh = {t: self.embedder.embed_query(t) for t in missing}
        with self._matrix_lock:
            if len(self._labels) + len(fresh) > LABEL_CACHE:
                self._labels.clear()
            self._labels.update(fresh)
            known = {**self._labels, **fresh}
        return np.asarray([known[t] for t in labels], dtype=np.float32).reshape(len(labels), self.embedder.dim)


_MARK = re.compile(r"\[(\d+)\]")


def _finish(routed: Routed) -> Answer:
    """Keep only citations the lines use, renumbered in order of first use; render the text once."""
    draft, intent = routed.draft, routed.intent
    order = list(dict.fromkeys(n for line in draft.lines for n in line.cites))
    renumber = {old: new for new, old in enumerate(order, start=1)}
    lines = [replace(line, cites=tuple(renumber[n] for n in line.cites)) for line in draft.lines]
    by_n = {c.n: c for c in draft.citations}
    citations = [replace(by_n[old], n=renumber[old]) for old in order]
    if not lines:
        text = "資料からこの質問に答える記載を見つけられませんでした。"
        return Answer(text=text, citations=[], answerable=False, intent=intent.value)
    return Answer(text=answer_text(lines), citations=citations, answerable=draft.answerable, intent=intent.value,
                  lines=lines, omitted=draft.omitted)


def _trace(u: Understanding, hits: Sequence[Hit], kb: Knowledge, answer: Answer, started: float) -> dict:
    def where(h: Hit) -> dict:
        c = kb.plan.chunks[h.chunk_id]
        return {
            "chunk_id": h.chunk_id, "start": c.start, "end": c.end, "doc_id": c.doc_id, "block": c.block,
            "section": " > ".join(c.section_path), "score": round(h.score, 4),
            "dense": None if h.dense is None else round(h.dense, 4), "bm25": None if h.lexical is None else round(h.lexical, 4),
        }

    return {
        "intent": answer.intent,  # the module that answered
        "asked": u.intent.value,  # the intent understanding decided (a fallback may have answered)
        "followup": u.followup,
        "carried": list(u.carried),
        "scope": list(u.scope),
        "units": list(u.units),
        "fields": list(u.fields),
        "sections": list(u.sections),
        "headings": list(u.headings),
        "phrases": list(u.phrases),
        "topics": list(u.topics),
        "quoted": list(u.quoted),
        "documents": list(u.documents),
        "notes": list(u.notes),
        "unknown_terms": list(u.unknown_terms),
        "unknown_names": list(u.unknown_names),
        "asks": u.asks,
        "negated": u.negated,
        "cues": sorted(u.cues),
        "candidates": [where(h) for h in hits if h.chunk_id in kb.plan.chunks],
        "chosen": [{"n": c.n, "block": c.block, "start": c.start, "end": c.end} for c in answer.citations],
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }


__all__ = ["Assistant", "Answer", "Citation", "FieldMap", "Matrix"]
