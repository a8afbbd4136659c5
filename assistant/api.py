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

from corpus.model import Chunk, ParsedDocument
from corpus.text import default_tokenizer
from index.embedders import Embedder, as_llama_embedding, make_embedder
from index.search import Hit, HybridSearcher
from index.store import IndexInfo
from assistant import derived
from assistant import history as H
from assistant import scope
from assistant.answers import ANSWERS, Context, Draft
from assistant.answers.decline import missing_for_units, unknown_words
from assistant.config import Settings
from assistant.evidence import Evidence
from assistant.indexing import ensure_index, open_store, read_corpus, reading, update_index, writing
from assistant.knowledge import Knowledge, title_keys
from assistant.lexicon import Lexicon
from assistant.library import WAITING, AddReport, add_files, remove_file
from assistant.meaning import MeaningIndex
from assistant.places import gazetteer
from assistant.plan import PlanView
from assistant.profile import DocumentProfile
from assistant.question import read_question
from assistant.render import answer_text
from assistant.types import Answer, Citation, FieldMap, Intent, MapCell, Strength
from assistant.understand import Understanding, classify, extract
from assistant.validation import check_question
from index.errors import IndexError_

log = logging.getLogger(__name__)

# A list answer names at most this many units; `ask(..., list_limit=None)` names them all.
LIST_LIMIT = 30


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
        self._state = self._derive(info)

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
            titles=title_keys(d.plan.titles, self.tokenizer, self.lexicon.generic),
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

    def _read_turn(self, state: _State, text: str, previous: Understanding | None, recent: tuple[str, ...],
                   doc_ids: Sequence[str] | None) -> Understanding:
        """An earlier turn: read, completed from the turns before it, scoped with BM25 alone (no embedding)."""
        kb = state.kb
        e = H.merge(extract(read_question(text, kb.tokenizer, kb.lexicon, kb.readings), kb), previous, kb.vocab, recent)
        hits = state.evidence.lexical_hits(e.norm, self.settings.top_k, doc_ids)
        return classify(scope.apply(e, hits, kb, doc_ids), kb)

    def understand(self, question: str, history: Sequence[dict] = (), doc_ids: Sequence[str] | None = None,
                   state: _State | None = None) -> tuple[Understanding, list[Hit]]:
        state = state or self._state
        kb = state.kb
        previous, recent = H.resolve_history(
            H.earlier_questions(history), lambda t, p, r: self._read_turn(state, t, p, r, doc_ids), kb.vocab
        )
        said = H.last_answer(history)
        picked = H.pick_listed(question, said, kb.lexicon.cues["ordinal"]) if said else None
        e = extract(read_question(picked[0] if picked else question, kb.tokenizer, kb.lexicon, kb.readings), kb)
        if picked:  # one entry of the previous answer's list, named in the question's place
            e = replace(e, notes=(*e.notes, picked[1]))
        e = H.merge(e, previous, kb.vocab, recent)
        # Names the question reached indirectly (a reading, a place, a slip) are searched as written in the documents.
        query = " ".join((e.norm, *e.carried, *(n for n in (*e.units, *e.fields) if n not in e.norm)))
        within = doc_ids or e.documents or (e.scope if e.followup else None)
        hits = state.evidence.search(query, self.embedder.embed_query(query), self.settings.top_k, within)
        return classify(scope.apply(e, hits, kb, doc_ids), kb), hits

    # --- asking --------------------------------------------------------------------------------------

    def ask(self, question: str, history: Sequence[dict] | None = None, doc_ids: Sequence[str] | None = None,
            list_limit: int | None = LIST_LIMIT) -> Answer:
        problem = check_question(question)
        if problem:
            return Answer(text=problem.message, citations=[], answerable=False, intent=Intent.INVALID.value)
        started = time.perf_counter()
        state = self._state
        try:
            u, hits = self.understand(question, history or [], doc_ids or None, state)
            said = H.last_answer(history or [])
            ctx = Context(u, hits, state.kb, state.evidence, list_limit, said[: H.MAX_TURN_CHARS * 10])
            answer = _finish(_compose(ctx), u)
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
        meanwhile. `progress(step, done, total)` is told what happens.

        The whole change happens under the index's writer lock (`writing`, also across processes and
        threads), taken first: nothing that holds the refresh lock ever waits for it, so the order is
        always writer lock, then refresh lock."""
        step = progress or (lambda *_: None)
        with writing(self.settings, on_wait=lambda: step(WAITING, 0, 0)):  # one library change at a time
            indexed = {e.doc_id: e.doc_hash for e in self.indexed_documents()}
            report = add_files(self.settings, self.embedder, indexed, files, progress)
            if not report.failed and any(f.ok for f in report.files):
                self.refresh()
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

    def field_map(self, doc_ids: Sequence[str] | None = None) -> FieldMap:
        """Units × fields of the chosen plan documents (default: the bundled plans), units north → south."""
        kb = self._state.kb
        if doc_ids is None:
            from corpus.store import load_bundled_documents

            doc_ids = [d.doc_id for d in load_bundled_documents()]
        docs = [d for d in doc_ids if d in kb.profiles and kb.profile(d).has_units]
        units = kb.plan.units(docs)
        places = kb.places
        order = sorted(range(len(units)), key=lambda i: (-(places.latitude(units[i].name) or -90.0), i))
        units = [units[i] for i in order]
        cells: dict[tuple[str, str], MapCell] = {}
        for f in kb.vocab.atoms:
            for m in kb.vocab.matches(f, docs):
                d = Draft()
                d.cite_item(m.item)
                old = cells.get((m.unit.name, f))
                cites = (*(old.citations if old else ()), *d.citations)
                planned = m.strength is Strength.PLANNED or (old is not None and old.strength is Strength.PLANNED)
                cells[(m.unit.name, f)] = MapCell(tuple(cites), Strength.PLANNED if planned else Strength.POTENTIAL)
        used = [f for f in kb.vocab.atoms if any((u.name, f) in cells for u in units)]
        groups: dict[str, list[str]] = {c: [] for c in kb.vocab.legend_order}
        for f in used:
            cat = kb.vocab.category_of(f)
            if cat is not None:
                groups.setdefault(cat, []).append(f)
        nouns = [kb.profile(d).unit_noun for d in docs if kb.profile(d).unit_noun]
        return FieldMap(
            doc_ids=tuple(docs),
            unit_noun=nouns[0] if nouns else "",
            units=tuple(u.name for u in units),
            fields=tuple(used),
            categories=tuple((c, tuple(fs)) for c, fs in groups.items() if fs),
            cells=cells,
        )


def _compose(ctx: Context) -> Draft:
    u = ctx.u
    if u.intent is Intent.OUTLINE:  # a part's main points: the part is found by name, a word's absence is no answer
        return ANSWERS[u.intent](ctx)
    declined = unknown_words(ctx)
    if declined is not None:
        return declined
    if u.intent not in (Intent.GENERAL, Intent.COMPARE, Intent.DIFFERENCE, Intent.WHERE, Intent.OUTLINE, Intent.ITEMS, Intent.REASONS, Intent.SIDE_BY_SIDE):
        missing = missing_for_units(ctx)
        if missing is not None:
            return missing
    return ANSWERS[u.intent](ctx)


_MARK = re.compile(r"\[(\d+)\]")


def _finish(draft: Draft, u: Understanding) -> Answer:
    """Keep only citations the lines use, renumbered in order of first use; render the text once."""
    order = list(dict.fromkeys(n for line in draft.lines for n in line.cites))
    renumber = {old: new for new, old in enumerate(order, start=1)}
    lines = [replace(line, cites=tuple(renumber[n] for n in line.cites)) for line in draft.lines]
    by_n = {c.n: c for c in draft.citations}
    citations = [replace(by_n[old], n=renumber[old]) for old in order]
    if not lines:
        text = "資料からこの質問に答える記載を見つけられませんでした。"
        return Answer(text=text, citations=[], answerable=False, intent=u.intent.value)
    return Answer(text=answer_text(lines), citations=citations, answerable=draft.answerable, intent=u.intent.value,
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
        "intent": u.intent.value,
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


__all__ = ["Assistant", "Answer", "Citation", "FieldMap"]
