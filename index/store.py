"""Chunks in Chroma, written through llama-index, with a completion record per document.

A full build writes a new collection and only then moves the `active` pointer (kept in a small registry
collection, so processes sharing a Chroma server agree on it); a failed build leaves the previous collection
answering. An incremental update writes into the active collection, so each document also has a completion
record, in the companion collection `<collection>.docs`, written only after all of its chunks: its content
hash and its number of chunks. A document counts as indexed only when its record exists and exactly that
many chunks with that hash are stored. Readers get complete documents only (a document being rewritten is
hidden until its new record lands, never shown half), and after `kill -9`, a full disk or any crash the next
update finds the incomplete documents and redoes them, reusing the chunks already written.

Writers are serialised by `index.lock.writer_lock` (taken in `assistant.indexing`). Embeddings are always
passed: Chroma's default embedding function would try to download a model.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from corpus.model import Chunk, Document
from index.chroma import connect
from index.codec import from_record, to_metadata
from index.embedders import Embedder
from index.errors import IndexCorruptError, IndexMismatchError, IndexMissingError, storage_errors

__all__ = ["ChunkStore", "DocumentEntry", "IndexInfo", "UpdateReport", "connect", "document_hash", "fingerprint_of"]

# Bump when what a chunk record holds changes; an index of another version is rebuilt from the documents.
SCHEMA_VERSION = 7
REGISTRY = "plan_assistant_registry"
RECORDS = ".docs"  # suffix of a chunk collection's companion holding the per-document completion records
_PAGE = 1000  # Chroma get() / update() page size

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DocumentEntry:
    """One document in the collection, as its completion record and its chunks say."""

    doc_id: str
    title: str
    chunks: int  # chunks stored (for an incomplete document: those of the version being written)
    doc_hash: str
    indexed_at: str
    complete: bool = True  # False: a write was interrupted; the next `assistant index` redoes it
    expected: int | None = None  # chunks the document has in all (None: unknown)


@dataclass(frozen=True)
class UpdateReport:
    added: list[str]
    changed: list[str]
    removed: list[str]
    unchanged: list[str]
    resumed: list[str] = field(default_factory=list)  # in `added`: documents an interrupted write left incomplete


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


@dataclass
class _Scan:
    """What one pass over a collection finds: chunk ids and hashes per document, and the records."""

    chunks: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # doc -> [(chunk id, doc hash)]
    meta: dict[str, dict] = field(default_factory=dict)  # doc -> metadata of its newest chunk
    records: dict[str, dict] = field(default_factory=dict)  # doc -> completion record

    def stored(self, doc: str, doc_hash: str) -> int:
        return sum(1 for _, h in self.chunks.get(doc, ()) if h == doc_hash)

    def complete(self, doc: str) -> bool:
        record = self.records.get(doc)
        return record is not None and self.stored(doc, record["doc_hash"]) == int(record["chunks"])

    def documents(self) -> list[str]:
        return sorted(set(self.chunks) | set(self.records))


class ChunkStore:
    def __init__(self, client, where: str, folder: Path | None = None) -> None:
        self._client = client
        self.where = where
        self.folder = folder  # the local index folder (None with a Chroma server)

    def _errors(self):
        """Storage failures raised as the `IndexError_` that names their fix (corrupt, read-only, disk full,
        server down or silent)."""
        return storage_errors(self.where, self.folder)

    # --- the active collection -------------------------------------------------------------------

    def _registry(self):
        return self._client.get_or_create_collection(REGISTRY, embedding_function=None)

    def _pointers(self) -> dict:
        return dict(self._registry().metadata or {})

    def active(self) -> IndexInfo | None:
        with self._errors():
            try:
                name = self._pointers().get("active")
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
            except Exception as exc:  # noqa: BLE001 - chromadb raises NotFoundError for a dropped collection
                if "does not exist" in str(exc) or "NotFound" in type(exc).__name__:
                    return None
                if isinstance(exc, (KeyError, ValueError)):
                    raise IndexCorruptError(self.where, f"コレクションの情報が不完全です（{exc}）") from exc
                raise

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
        with self._errors():
            self._drop_unused(self._live())  # what a crashed build left behind
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
                _write(col, chunks, embedder, _extra(chunks, doc_hashes, built_at), progress, batch)
                if col.count() != len({c.chunk_id for c in chunks}):
                    raise IndexCorruptError(name, "書き込んだ件数が一致しません")
                self._record(name, chunks, doc_hashes, built_at)
            except BaseException:
                self._drop(name)
                raise
            previous = self._live().get("active")
            self._registry().modify(metadata={"active": name, "previous": previous or ""})
            # The previous collection stays until the next build: other app processes may still read it.
            self._drop_unused({"active": name, "previous": previous})
            return IndexInfo(name, embedder.name, embedder.dim, col.count(), built_at, fingerprint)

    def update(
        self,
        info: IndexInfo,
        chunks: list[Chunk],
        embedder: Embedder,
        doc_hashes: dict[str, str],
        progress: Progress | None = None,
    ) -> UpdateReport:
        """Incremental, by content hash: embed new and changed documents, redo incomplete ones, delete removed
        ones, skip unchanged ones. Order: removed documents' records go first (they vanish for readers), then
        chunks are written, then the records of the documents now complete, then stale chunks are deleted; a
        crash at any point leaves documents complete or visibly incomplete, never wrong."""
        with self._errors():
            self._drop_unused(self._live())
            col = self.collection(info)
            records = self._records(info.collection)
            scan = self._scan(col, records)
            complete = {d for d in scan.records if scan.complete(d)}
            unchanged = [d for d in doc_hashes if d in complete and scan.records[d]["doc_hash"] == doc_hashes[d]]
            changed = [d for d in doc_hashes if d in complete and d not in unchanged]
            added = [d for d in doc_hashes if d not in complete]
            resumed = [d for d in added if d in scan.chunks or d in scan.records]
            removed = [d for d in scan.documents() if d not in doc_hashes]
            todo_docs = set(changed) | set(added)
            todo = [c for c in chunks if c.doc_id in todo_docs]
            now = _now()
            extra = _extra(todo, {d: doc_hashes[d] for d in todo_docs}, now)
            old_ids = {i for d in todo_docs for i, _ in scan.chunks.get(d, ())}
            # A chunk whose id is already stored has the same text and offsets (the id hashes them): its
            # vector is kept, whether it comes from the previous version or from an interrupted write.
            kept = [c.chunk_id for c in todo if c.chunk_id in old_ids]
            fresh = [c for c in todo if c.chunk_id not in old_ids]
            if removed:
                _pages(removed, lambda ids: records.delete(ids=ids))
            _write(col, fresh, embedder, extra, progress)
            for k in range(0, len(kept), _PAGE):
                got = col.get(ids=kept[k : k + _PAGE], include=["metadatas"])
                col.update(ids=got["ids"], metadatas=[{**m, **extra[m["document"]]} for m in got["metadatas"]])
            self._record(info.collection, todo, {d: doc_hashes[d] for d in todo_docs}, now)
            wanted = {c.chunk_id for c in chunks if c.doc_id in todo_docs}
            stale = [i for d in todo_docs for i, _ in scan.chunks.get(d, ()) if i not in wanted]
            stale += [i for d in removed for i, _ in scan.chunks.get(d, ())]
            # left by a crash after a record was written and before the old version's chunks were deleted
            stale += [i for d in unchanged for i, h in scan.chunks.get(d, ()) if h != doc_hashes[d]]
            if stale:
                _pages(sorted(set(stale)), lambda ids: col.delete(ids=ids))
            meta = {k: v for k, v in (col.metadata or {}).items() if not k.startswith("hnsw:")}
            col.modify(metadata={**meta, "fingerprint": fingerprint_of(doc_hashes), "built_at": now})
            return UpdateReport(added, changed, removed, unchanged, resumed)

    def _record(self, collection: str, chunks: list[Chunk], doc_hashes: dict[str, str], now: str) -> None:
        """Write the completion records of these documents, each only if all its chunks are stored."""
        col = self._client.get_collection(collection, embedding_function=None)
        by_doc: dict[str, list[str]] = {d: [] for d in doc_hashes}
        titles: dict[str, str] = {}
        for c in chunks:
            by_doc[c.doc_id].append(c.chunk_id)
            titles.setdefault(c.doc_id, c.title)
        stored: set[str] = set()
        ids = [i for d in by_doc for i in by_doc[d]]
        for k in range(0, len(ids), _PAGE):
            stored.update(col.get(ids=ids[k : k + _PAGE], include=[])["ids"])
        missing = [d for d, d_ids in by_doc.items() if any(i not in stored for i in d_ids)]
        if missing:
            raise IndexCorruptError(collection, f"書き込んだはずのチャンクが見つかりません（{', '.join(missing[:3])}）")
        docs = sorted(by_doc)
        records = self._records(collection)
        for k in range(0, len(docs), _PAGE):
            part = docs[k : k + _PAGE]
            records.upsert(
                ids=part,
                embeddings=[[1.0]] * len(part),  # Chroma wants a vector; the records are never searched
                metadatas=[
                    {"doc_hash": doc_hashes[d], "chunks": len(by_doc[d]), "indexed_at": now, "title": titles.get(d, "")}
                    for d in part
                ],
            )

    def _records(self, collection: str):
        return self._client.get_or_create_collection(collection + RECORDS, embedding_function=None)

    def _scan(self, col, records) -> _Scan:
        scan = _Scan()
        for meta in _all(col, include=["metadatas"]):
            doc = meta["document"]
            scan.chunks.setdefault(doc, []).append((meta["_id"], str(meta.get("doc_hash", ""))))
            if str(meta.get("indexed_at", "")) >= str(scan.meta.get(doc, {}).get("indexed_at", "")):
                scan.meta[doc] = meta
        for meta in _all(records, include=["metadatas"]):
            scan.records[meta["_id"]] = meta
        return scan

    def documents(self, info: IndexInfo) -> list[DocumentEntry]:
        """Every document the collection holds, complete or not (Chroma is the source of truth)."""
        with self._errors():
            scan = self._scan(self.collection(info), self._records(info.collection))
        entries = []
        for d in scan.documents():
            record = scan.records.get(d)
            if scan.complete(d):
                n = int(record["chunks"])
                entries.append(DocumentEntry(d, str(record.get("title", "")), n, str(record["doc_hash"]),
                                             str(record.get("indexed_at", "")), True, n))
                continue
            newest = scan.meta.get(d) or {}
            doc_hash = str(newest.get("doc_hash") or (record or {}).get("doc_hash", ""))
            expected = newest.get("doc_chunks") if newest else (record or {}).get("chunks")
            entries.append(DocumentEntry(
                d, str(newest.get("title") or (record or {}).get("title", "")), scan.stored(d, doc_hash), doc_hash,
                str(newest.get("indexed_at") or (record or {}).get("indexed_at", "")), False,
                None if expected is None else int(expected),
            ))
        return entries

    def _live(self) -> dict:
        """The collections readers may use: the active one and the one before it (another process may still
        read that)."""
        pointers = self._pointers()
        return {k: pointers[k] for k in ("active", "previous") if pointers.get(k)}

    def _drop_unused(self, keep: dict) -> None:
        names = set(keep.values())
        for col in self._client.list_collections():
            col_name = col if isinstance(col, str) else col.name
            base = col_name.removesuffix(RECORDS)
            if col_name.startswith("chunks-") and base not in names:
                self._client.delete_collection(col_name)

    def _drop(self, name: str) -> None:
        """Delete a half-built collection; if even that fails (a full disk), the next build drops it."""
        for col_name in (name, name + RECORDS):
            try:
                self._client.delete_collection(col_name)
            except Exception:  # noqa: BLE001 - the original failure is the one to report
                pass

    # --- reading -------------------------------------------------------------------------------------

    def collection(self, info: IndexInfo):
        with self._errors():
            return self._client.get_collection(info.collection, embedding_function=None)

    def load_chunks(self, info: IndexInfo) -> list[Chunk]:
        """The chunks of complete documents (a document being written or left incomplete is left out)."""
        with self._errors():
            col = self.collection(info)
            records = {m["_id"]: m for m in _all(self._records(info.collection), include=["metadatas"])}
            by_doc: dict[str, list[Chunk]] = {}
            for meta, text in _all(col, include=["documents", "metadatas"], with_documents=True):
                record = records.get(meta["document"])
                if record is not None and meta.get("doc_hash") == record["doc_hash"]:
                    by_doc.setdefault(meta["document"], []).append(from_record(meta["_id"], text, _without_id(meta)))
        chunks = [c for d, cs in by_doc.items() if len(cs) == int(records[d]["chunks"]) for c in cs]
        chunks.sort(key=lambda c: (c.doc_id, c.start))
        return chunks


def _all(col, include: list[str], with_documents: bool = False):
    """Every record's metadata (with its id under "_id"), page by page; with its text if asked."""
    offset = 0
    while True:
        page = col.get(include=include, limit=_PAGE, offset=offset)
        for k, (cid, meta) in enumerate(zip(page["ids"], page["metadatas"])):
            meta = {**(meta or {}), "_id": cid}
            yield (meta, page["documents"][k]) if with_documents else meta
        if len(page["ids"]) < _PAGE:
            return
        offset += _PAGE


def _without_id(meta: dict) -> dict:
    return {k: v for k, v in meta.items() if k != "_id"}


def _pages(ids: list[str], call) -> None:
    for k in range(0, len(ids), _PAGE):
        call(ids[k : k + _PAGE])


def _extra(chunks: list[Chunk], doc_hashes: dict[str, str], now: str) -> dict[str, dict]:
    """Per-document facts every chunk carries: the content hash, when it was indexed, and how many chunks
    the document has (so an incomplete one can be shown as "4 / 7")."""
    counts = Counter(c.doc_id for c in chunks)
    return {d: {"doc_hash": h, "indexed_at": now, "doc_chunks": counts[d]} for d, h in doc_hashes.items()}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def _write(col, chunks: list[Chunk], embedder: Embedder, extra: dict[str, dict], progress: Progress | None, batch: int = 32) -> None:
    """Embed and add chunks through llama-index's Chroma store, batch by batch. A batch's records (the
    index-time analysis) and its Chroma write run in a second thread while the next batch embeds: the
    embedder does not keep both cores busy all the time, and writing in line cost a fifth of the build."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from llama_index.core.schema import TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    store = ChromaVectorStore(chroma_collection=col)

    def add(part: list[Chunk], vectors) -> None:
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

    def written(pending: tuple[Future, int] | None) -> None:
        if pending is not None:
            pending[0].result()  # a failed write fails the build here, in order
            if progress:
                progress(pending[1], len(chunks))  # from the calling thread, as callers expect

    if progress:
        progress(0, len(chunks))
    pending: tuple[Future, int] | None = None
    # One write in flight at a time: batches land in order and memory stays at two batches.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-write") as writer:
        for k in range(0, len(chunks), batch):
            part = chunks[k : k + batch]
            vectors = embedder.embed_passages([embedding_text(c) for c in part])
            written(pending)
            pending = (writer.submit(add, part, vectors), min(k + batch, len(chunks)))
        written(pending)


def embedding_text(chunk: Chunk) -> str:
    """What the embedder reads: where the chunk sits (title › block › section), so a piece of a section keeps
    its context, then its text as a reader sees it (without Markdown syntax)."""
    from corpus.structure.display import shown

    path = [p for p in (chunk.title, *chunk.section_path) if p]
    crumbs = " › ".join(dict.fromkeys(path))
    body = shown(chunk.text, chunk.format) if chunk.format == "markdown" else chunk.text
    return f"{crumbs}\n{body}"
