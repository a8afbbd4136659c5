"""Chunks in Chroma, written through llama-index.

Each build writes a new collection and only then moves the `active` pointer (kept in a small
registry collection, so a Chroma server shared by several app processes agrees on it). A failed
build leaves the previous collection answering. Embeddings are always passed: Chroma's default
embedding function would try to download a model.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from corpus.model import Chunk, Document
from index.codec import from_record, to_metadata
from index.embedders import Embedder
from index.errors import ChromaUnavailableError, IndexCorruptError, IndexMismatchError, IndexMissingError

# Bump when what a chunk record holds changes; an index of another version is rebuilt from the documents.
SCHEMA_VERSION = 4
REGISTRY = "plan_assistant_registry"
_PAGE = 1000  # Chroma get() page size

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DocumentEntry:
    """One indexed document, as the collection records it."""

    doc_id: str
    title: str
    chunks: int
    doc_hash: str
    indexed_at: str


@dataclass(frozen=True)
class UpdateReport:
    added: list[str]
    changed: list[str]
    removed: list[str]
    unchanged: list[str]


@dataclass(frozen=True)
class IndexInfo:
    collection: str
    embedder: str
    dim: int
    chunks: int
    built_at: str
    fingerprint: str
    schema: int = SCHEMA_VERSION

    @property
    def current(self) -> bool:
        return self.schema == SCHEMA_VERSION


def document_hash(doc: Document) -> str:
    return hashlib.sha1(doc.text.encode("utf-8")).hexdigest()[:16]


def fingerprint_of(hashes: dict[str, str]) -> str:
    h = hashlib.sha1()
    for doc_id in sorted(hashes):
        h.update(f"{doc_id}\x00{hashes[doc_id]}\x00".encode())
    return h.hexdigest()[:16]




def connect(index_dir: Path | None = None, chroma_url: str | None = None):
    """A Chroma client: HTTP when `chroma_url` is set, else persistent in `index_dir`."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        from urllib.parse import urlparse

        url = urlparse(chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=settings,
            )
            client.heartbeat()
        except Exception as exc:  # noqa: BLE001 - connection errors come in many types
            raise ChromaUnavailableError(chroma_url, type(exc).__name__) from exc
        return client
    assert index_dir is not None
    index_dir.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(index_dir), settings=settings)
    except Exception as exc:  # noqa: BLE001 - a damaged sqlite file raises various errors
        raise IndexCorruptError(str(index_dir), f"{type(exc).__name__}: {exc}") from exc


class ChunkStore:
    def __init__(self, client, where: str) -> None:
        self._client = client
        self.where = where

    # --- the active collection -------------------------------------------------------------------

    def _registry(self):
        return self._client.get_or_create_collection(REGISTRY, embedding_function=None)

    def active(self) -> IndexInfo | None:
        try:
            name = (self._registry().metadata or {}).get("active")
            if not name:
                return None
            col = self._client.get_collection(name, embedding_function=None)
            meta = col.metadata or {}
            return IndexInfo(
                collection=name,
                embedder=str(meta["embedder"]),
                dim=int(meta["dim"]),
                chunks=col.count(),
                built_at=str(meta.get("built_at", "")),
                fingerprint=str(meta.get("fingerprint", "")),
                schema=int(meta.get("schema", 0)),
            )
        except (KeyError, ValueError) as exc:
            raise IndexCorruptError(self.where, f"コレクションの情報が不完全です（{exc}）") from exc
        except Exception as exc:  # noqa: BLE001 - chromadb raises NotFoundError/InternalError/sqlite errors
            if "does not exist" in str(exc) or "NotFound" in type(exc).__name__:
                return None
            raise IndexCorruptError(self.where, f"{type(exc).__name__}: {exc}") from exc

    def require(self, embedder: Embedder | None = None) -> IndexInfo:
        info = self.active()
        if info is None:
            raise IndexMissingError(self.where)
        if embedder is not None and (info.embedder != embedder.name or info.dim != embedder.dim):
            raise IndexMismatchError(info.embedder, info.dim, embedder.name, embedder.dim)
        return info

    # --- building ----------------------------------------------------------------------------------

    def build(
        self,
        chunks: list[Chunk],
        embedder: Embedder,
        doc_hashes: dict[str, str],
        progress: Progress | None = None,
        batch: int = 32,
    ) -> IndexInfo:
        """A full build into a new collection; the active pointer moves only when it is complete."""
        fingerprint = fingerprint_of(doc_hashes)
        built_at = _now()
        name = f"chunks-{time.strftime('%Y%m%d%H%M%S')}-{fingerprint[:8]}-{os.getpid()}"
        col = self._client.create_collection(
            name,
            embedding_function=None,
            metadata={
                "hnsw:space": "cosine",
                "embedder": embedder.name,
                "dim": embedder.dim,
                "schema": SCHEMA_VERSION,
                "built_at": built_at,
                "fingerprint": fingerprint,
            },
        )
        try:
            _write(col, chunks, embedder, {d: {"doc_hash": h, "indexed_at": built_at} for d, h in doc_hashes.items()}, progress, batch)
            if col.count() != len({c.chunk_id for c in chunks}):
                raise IndexCorruptError(name, "書き込んだ件数が一致しません")
        except BaseException:
            self._client.delete_collection(name)
            raise
        previous = self.active()
        self._registry().modify(metadata={"active": name})
        # The previous collection stays until the next build: other app processes may still read it.
        self._drop_unused(keep={name} | ({previous.collection} if previous else set()))
        return IndexInfo(name, embedder.name, embedder.dim, col.count(), built_at, fingerprint)

    def update(
        self,
        info: IndexInfo,
        chunks: list[Chunk],
        embedder: Embedder,
        doc_hashes: dict[str, str],
        progress: Progress | None = None,
    ) -> UpdateReport:
        """Incremental: embed new and changed documents, delete removed ones, skip unchanged ones (by
        content hash). New chunks are written before stale ones are deleted; a failed write is undone."""
        col = self.collection(info)
        indexed = {e.doc_id: e for e in self.documents(info)}
        changed = [d for d in doc_hashes if d in indexed and indexed[d].doc_hash != doc_hashes[d]]
        added = [d for d in doc_hashes if d not in indexed]
        removed = [d for d in indexed if d not in doc_hashes]
        unchanged = [d for d in doc_hashes if d in indexed and d not in changed]
        now = _now()
        extra = {d: {"doc_hash": doc_hashes[d], "indexed_at": now} for d in changed + added}
        old_ids = {i for d in changed + removed for i in self._ids_of(col, d)}
        todo = [c for c in chunks if c.doc_id in extra]
        # A chunk whose id survives a change has the same text and offsets: keep its vector.
        kept = [c.chunk_id for c in todo if c.chunk_id in old_ids]
        fresh = [c for c in todo if c.chunk_id not in old_ids]
        try:
            _write(col, fresh, embedder, extra, progress)
        except BaseException:
            written = col.get(ids=[c.chunk_id for c in fresh], include=[])["ids"] if fresh else []
            if written:
                col.delete(ids=written)
            raise
        if kept:
            got = col.get(ids=kept, include=["metadatas"])
            col.update(ids=got["ids"], metadatas=[{**m, **extra[m["document"]]} for m in got["metadatas"]])
        stale = sorted(old_ids - {c.chunk_id for c in todo})
        if stale:
            col.delete(ids=stale)
        meta = {k: v for k, v in (col.metadata or {}).items() if not k.startswith("hnsw:")}
        col.modify(metadata={**meta, "fingerprint": fingerprint_of(doc_hashes), "built_at": now})
        return UpdateReport(added, changed, removed, unchanged)

    @staticmethod
    def _ids_of(col, doc_id: str) -> list[str]:
        return col.get(where={"document": doc_id}, include=[])["ids"]

    def documents(self, info: IndexInfo) -> list[DocumentEntry]:
        """What the collection holds, per document (from chunk metadata: Chroma is the source of truth)."""
        entries: dict[str, dict] = {}
        for meta in self._metadatas(info):
            e = entries.setdefault(meta["document"], {"title": meta.get("title", ""), "chunks": 0,
                                                      "doc_hash": meta.get("doc_hash", ""), "indexed_at": meta.get("indexed_at", "")})
            e["chunks"] += 1
        return [DocumentEntry(d, **e) for d, e in sorted(entries.items())]

    def _metadatas(self, info: IndexInfo):
        col = self.collection(info)
        offset = 0
        while True:
            page = col.get(include=["metadatas"], limit=_PAGE, offset=offset)
            yield from page["metadatas"]
            if len(page["ids"]) < _PAGE:
                return
            offset += _PAGE

    def _drop_unused(self, keep: set[str]) -> None:
        for col in self._client.list_collections():
            col_name = col if isinstance(col, str) else col.name
            if col_name.startswith("chunks-") and col_name not in keep:
                self._client.delete_collection(col_name)

    # --- reading -------------------------------------------------------------------------------------

    def collection(self, info: IndexInfo):
        return self._client.get_collection(info.collection, embedding_function=None)

    def load_chunks(self, info: IndexInfo) -> list[Chunk]:
        col = self.collection(info)
        chunks: list[Chunk] = []
        offset = 0
        while True:
            page = col.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            for cid, text, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                chunks.append(from_record(cid, text, meta))
            if len(page["ids"]) < _PAGE:
                break
            offset += _PAGE
        chunks.sort(key=lambda c: (c.doc_id, c.start))
        return chunks


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def _write(col, chunks: list[Chunk], embedder: Embedder, extra: dict[str, dict], progress: Progress | None, batch: int = 32) -> None:
    """Embed and add chunks through llama-index's Chroma store, batch by batch."""
    from llama_index.core.schema import TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    store = ChromaVectorStore(chroma_collection=col)
    if progress:
        progress(0, len(chunks))
    for k in range(0, len(chunks), batch):
        part = chunks[k : k + batch]
        vectors = embedder.embed_passages([embedding_text(c) for c in part])
        nodes = []
        for c, v in zip(part, vectors):
            meta = to_metadata(c, extra.get(c.doc_id))
            nodes.append(
                TextNode(
                    id_=c.chunk_id,
                    text=c.text,
                    metadata=meta,
                    embedding=v.tolist(),
                    start_char_idx=c.start,
                    end_char_idx=c.end,
                    excluded_embed_metadata_keys=list(meta),
                    excluded_llm_metadata_keys=list(meta),
                )
            )
        store.add(nodes)
        if progress:
            progress(min(k + batch, len(chunks)), len(chunks))


def embedding_text(chunk: Chunk) -> str:
    """What the embedder reads: the block name first, so split chunks keep their context."""
    return f"{chunk.block}\n{chunk.text}"
