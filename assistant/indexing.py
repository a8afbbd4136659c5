"""Documents → parsed → chunks → the Chroma index (with a progress callback)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from corpus.chunk import chunk_document
from corpus.model import Chunk, Document, ParsedDocument
from corpus.parse import parse_document
from corpus.store import load_bundled_documents
from index.embedders import Embedder, make_embedder
from index.store import ChunkStore, IndexInfo, Progress, UpdateReport, connect, document_hash, fingerprint_of
from assistant.config import Settings


@dataclass
class Corpus:
    documents: list[ParsedDocument]
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file, Japanese reason)

    @cached_property
    def chunks(self) -> list[Chunk]:
        return [c for p in self.documents for c in chunk_document(p)]

    @property
    def doc_hashes(self) -> dict[str, str]:
        return {p.document.doc_id: document_hash(p.document) for p in self.documents}

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.doc_hashes)


def read_corpus(settings: Settings) -> Corpus:
    """The bundled plan documents plus the user's documents in the data folder."""
    docs: list[Document] = load_bundled_documents()
    errors: list[tuple[str, str]] = []
    if settings.documents_dir.exists():
        from corpus.loaders import load_paths

        report = load_paths([settings.documents_dir])
        docs.extend(report.documents)
        errors.extend((e.path, e.reason) for e in report.errors)
    seen: set[str] = set()
    unique = []
    for d in docs:
        if d.doc_id in seen:
            errors.append((d.source_path, f"文書ID「{d.doc_id}」が重複しているため読み飛ばしました"))
            continue
        seen.add(d.doc_id)
        unique.append(d)
    return Corpus([parse_document(d) for d in unique], errors)


def open_store(settings: Settings) -> ChunkStore:
    return ChunkStore(connect(settings.index_dir, settings.chroma_url), settings.where)


def build_index(
    settings: Settings,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    corpus: Corpus | None = None,
) -> tuple[IndexInfo, Corpus]:
    """A full build into a new collection (the previous one answers until this one is complete)."""
    corpus = corpus or read_corpus(settings)
    embedder = embedder or make_embedder(settings.embedder)
    info = open_store(settings).build(corpus.chunks, embedder, corpus.doc_hashes, progress=progress)
    return info, corpus


def update_index(
    settings: Settings, embedder: Embedder | None = None, progress: Progress | None = None, corpus: Corpus | None = None
) -> tuple[IndexInfo, UpdateReport | None, Corpus]:
    """Bring the index up to date: incremental when one exists for this embedder, else a full build."""
    corpus = corpus or read_corpus(settings)
    embedder = embedder or make_embedder(settings.embedder)
    store = open_store(settings)
    info = store.active()
    if info is None or not info.current:
        info, _ = build_index(settings, embedder, progress, corpus)
        return info, None, corpus
    store.require(embedder)  # a different embedder needs --rebuild, never a mixed collection
    report = store.update(info, corpus.chunks, embedder, corpus.doc_hashes, progress)
    return store.require(embedder), report, corpus


def copy_into_library(paths: list[Path], settings: Settings):
    """Keep the user's documents inside the data folder (checked, sanitised names), so a rebuild finds
    them again. Folders are searched for supported files. Returns one Accepted/Refused per file."""
    from corpus.loaders import SUPPORTED_SUFFIXES
    from assistant.library import stage_uploads

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*")
                if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
        else:
            files.append(path)
    return stage_uploads(files, settings.documents_dir, max_files=None)
