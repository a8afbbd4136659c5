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
from typing import Callable, Iterable

from corpus.model import Chunk, Document
from index.codec import from_record, to_metadata
from index.embedders import Embedder
from index.errors import ChromaUnavailableError, IndexCorruptError, IndexMismatchError, IndexMissingError

SCHEMA_VERSION = 1
REGISTRY = "plan_assistant_registry"
_PAGE = 1000  # Chroma get() page size

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IndexInfo:
    collection: str
    embedder: str
    dim: int
    chunks: int
    built_at: str
    fingerprint: str


def corpus_fingerprint(documents: Iterable[Document]) -> str:
    h = hashlib.sha1()
    for doc in sorted(documents, key=lambda d: d.doc_id):
        h.update(doc.doc_id.encode())
        h.update(hashlib.sha1(doc.text.encode("utf-8")).digest())
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
        fingerprint: str,
        progress: Progress | None = None,
        batch: int = 32,
    ) -> IndexInfo:
        from llama_index.core.schema import TextNode
        from llama_index.vector_stores.chroma import ChromaVectorStore

        built_at = time.strftime("%Y-%m-%dT%H:%M:%S")
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
            store = ChromaVectorStore(chroma_collection=col)
            if progress:
                progress(0, len(chunks))
            for k in range(0, len(chunks), batch):
                part = chunks[k : k + batch]
                vectors = embedder.embed_passages([embedding_text(c) for c in part])
                nodes = [
                    TextNode(
                        id_=c.chunk_id,
                        text=c.text,
                        metadata=to_metadata(c),
                        embedding=v.tolist(),
                        start_char_idx=c.start,
                        end_char_idx=c.end,
                        excluded_embed_metadata_keys=list(to_metadata(c)),
                        excluded_llm_metadata_keys=list(to_metadata(c)),
                    )
                    for c, v in zip(part, vectors)
                ]
                store.add(nodes)
                if progress:
                    progress(min(k + batch, len(chunks)), len(chunks))
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


def embedding_text(chunk: Chunk) -> str:
    """What the embedder reads: the block name first, so split chunks keep their context."""
    return f"{chunk.block}\n{chunk.text}"
