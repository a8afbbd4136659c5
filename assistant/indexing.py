"""Documents → parsed → chunks → the Chroma index (with a progress callback)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from corpus.chunk import chunk_document
from corpus.model import Chunk, Document, ParsedDocument
from corpus.parse import parse_document
from corpus.store import load_bundled_documents
from index.embedders import Embedder, make_embedder
from index.store import ChunkStore, IndexInfo, Progress, connect, corpus_fingerprint
from assistant.config import Settings


@dataclass
class Corpus:
    documents: list[ParsedDocument]
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file, Japanese reason)

    @property
    def chunks(self) -> list[Chunk]:
        return [c for p in self.documents for c in chunk_document(p)]

    @property
    def fingerprint(self) -> str:
        return corpus_fingerprint(p.document for p in self.documents)


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
    corpus = corpus or read_corpus(settings)
    embedder = embedder or make_embedder(settings.embedder)
    info = open_store(settings).build(corpus.chunks, embedder, corpus.fingerprint, progress=progress)
    return info, corpus


def copy_into_library(paths: list[Path], settings: Settings) -> list[Path]:
    """Keep the user's documents inside the data folder, so a rebuild finds them again."""
    import shutil

    from corpus.loaders import sanitize_upload_name

    settings.documents_dir.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            target = settings.documents_dir / sanitize_upload_name(f.name)
            if f.resolve() != target.resolve():
                shutil.copy2(f, target)
            copied.append(target)
    return copied
