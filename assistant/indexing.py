"""Documents → parsed → chunks → the Chroma index (with a progress callback).

Every write to the index happens under the writer lock (`index.lock`, a file next to the index), and the
documents are read under it too: a second `assistant index` waits for the first and then indexes what the
library holds by then, so a `--rebuild` running meanwhile can never drop documents added by another process.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal, TypeVar

from corpus.chunk import chunk_document
from corpus.limits import check_chunks
from corpus.model import Chunk, Document, ParsedDocument
from corpus.parse import parse_document
from corpus.store import DocumentError, load_bundled_documents
from index import reserve
from index.chroma import connect, forget
from index.embedders import Embedder, make_embedder
from index.errors import IndexCorruptError, IndexDiskFullError, storage_errors
from index.lock import writer_lock
from index.store import ChunkStore, IndexInfo, Progress, UpdateReport, document_hash, fingerprint_of
from assistant.config import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class CorpusIssue:
    path: str
    reason: str  # Japanese, names the file
    # unreadable / duplicate: left out; replaced: used, with characters that could not be read shown as U+FFFD
    kind: Literal["unreadable", "duplicate", "replaced"] = "unreadable"


@dataclass
class Corpus:
    documents: list[ParsedDocument]
    issues: list[CorpusIssue] = field(default_factory=list)
    snapshot: tuple = ()  # the documents folder when it was read: (path, size, mtime) of every file
    chunked: dict[str, list[Chunk]] = field(default_factory=dict, repr=False)  # by doc_id, as `prepare` made them

    @property
    def errors(self) -> list[tuple[str, str]]:
        """(file, Japanese reason) of every document left out, for whatever reason."""
        return [(i.path, i.reason) for i in self.issues if i.kind != "replaced"]

    @property
    def notices(self) -> list[tuple[str, str]]:
        """(file, Japanese note) of documents used although some of their characters could not be read."""
        return [(i.path, i.reason) for i in self.issues if i.kind == "replaced"]

    @cached_property
    def chunks(self) -> list[Chunk]:
        return [c for p in self.documents for c in self.chunked.get(p.document.doc_id) or chunk_document(p)]

    @property
    def doc_hashes(self) -> dict[str, str]:
        return {p.document.doc_id: document_hash(p.document) for p in self.documents}

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.doc_hashes)


# What a text decoder puts where bytes could not be read (see corpus.loaders.text).
UNREADABLE = "\ufffd"


def read_corpus(settings: Settings) -> Corpus:
    """The bundled plan documents plus the user's documents in the data folder. A document whose content
    is already there under another name (same content hash) is left out and reported."""
    snapshot = folder_snapshot(settings.documents_dir)
    docs: list[Document] = load_bundled_documents()
    issues: list[CorpusIssue] = []
    if settings.documents_dir.exists():
        from corpus.loaders import load_paths

        report = load_paths([settings.documents_dir])
        docs.extend(report.documents)
        issues.extend(CorpusIssue(e.path, e.reason) for e in report.errors)
    ids: set[str] = set()
    by_hash: dict[str, Document] = {}
    unique = []
    for d in docs:
        name = Path(d.source_path).name or d.doc_id
        if d.doc_id in ids:
            issues.append(CorpusIssue(d.source_path, f"{name}: 文書ID「{d.doc_id}」が重複しているため読み飛ばしました"))
            continue
        first = by_hash.setdefault(document_hash(d), d)
        if first is not d:
            kept = Path(first.source_path).name or first.doc_id
            issues.append(CorpusIssue(
                d.source_path, f"{name}: 「{kept}」と同じ内容のため、質問には「{kept}」だけを使います", "duplicate"
            ))
            continue
        ids.add(d.doc_id)
        unique.append(d)
    parsed, chunked = [], {}
    for d in unique:
        try:
            p, chunks = prepare(d)
        except DocumentError as exc:
            issues.append(CorpusIssue(d.source_path, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - one bad document must never stop the others
            log.exception("reading %s failed", d.source_path)
            name = Path(d.source_path).name or d.doc_id
            issues.append(CorpusIssue(d.source_path, f"{name}: 読み込み中に予期しないエラーが発生しました（{type(exc).__name__}）"))
            continue
        parsed.append(p)
        chunked[d.doc_id] = chunks
        if broken := d.text.count(UNREADABLE):
            name = Path(d.source_path).name or d.doc_id
            issues.append(CorpusIssue(d.source_path, f"{name}: 読み取れない文字が {broken} か所あり、「{UNREADABLE}」に置き換えて"
                                      "取り込みました（元のファイルが壊れていないか確かめてください）", "replaced"))
    return Corpus(parsed, issues, snapshot, chunked)


def prepare(document: Document) -> tuple[ParsedDocument, list[Chunk]]:
    """One document's tree and chunks, within the limits of `corpus.limits` (raises `DocumentError` with the
    reason past one): what indexing embeds, and what an upload is checked against before it is kept."""
    parsed = parse_document(document)
    chunks = chunk_document(parsed)
    check_chunks(Path(document.source_path).name or document.doc_id, len(chunks))
    return parsed, chunks


def folder_snapshot(folder: Path) -> tuple:
    """What the folder holds, cheaply (names, sizes, modification times), to notice a change."""
    entries = []
    for root, _dirs, names in os.walk(folder):
        for n in names:
            try:
                st = os.stat(os.path.join(root, n))
            except OSError:
                continue
            entries.append((os.path.join(root, n), st.st_size, st.st_mtime_ns))
    return tuple(sorted(entries))


def open_store(settings: Settings) -> ChunkStore:
    folder = None if settings.chroma_url else Path(settings.index_dir)
    return ChunkStore(connect(settings.index_dir, settings.chroma_url), settings.where, folder)


def lock_path(settings: Settings) -> Path:
    """The writer lock: next to the local index folder, or in the data folder with a Chroma server (the
    processes sharing a server share the data folder)."""
    if settings.chroma_url:
        return Path(settings.data_dir) / ".index.lock"
    index_dir = Path(settings.index_dir)
    return index_dir.parent / f".{index_dir.name}.lock"


@contextmanager
def writing(settings: Settings, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the index's writer lock (re-entrant); `on_wait` is called if another process holds it. A writer
    keeps the room readers need on a full disk (`index.reserve`), made before it writes and after."""
    with writer_lock(lock_path(settings), on_wait=on_wait):
        if not settings.chroma_url:
            reserve.keep(Path(settings.index_dir))
        try:
            yield
        finally:
            if not settings.chroma_url:
                reserve.keep(Path(settings.index_dir))


def reading(settings: Settings, read: Callable[[], T]) -> T:
    """`read()` (opening or reading the index), and on a full disk, once more after releasing the room kept
    for reading (`index.reserve`). If that is not enough, the error says what reading needs."""
    try:
        return read()
    except IndexDiskFullError as exc:
        if settings.chroma_url:
            raise
        first = exc
    freed = reserve.release(Path(settings.index_dir))
    if freed:
        log.warning("the disk of %s is full: released %d bytes kept for reading and reading again", settings.index_dir, freed)
        try:
            return read()
        except IndexDiskFullError as again:
            first = again
    raise IndexDiskFullError(settings.where, first.free, reading=True) from first


def _current(corpus: Corpus | None, settings: Settings) -> Corpus:
    """The corpus to index, read again if the documents folder changed since it was read (under the lock:
    another writer may have added documents meanwhile)."""
    if corpus is None or corpus.snapshot != folder_snapshot(settings.documents_dir):
        return read_corpus(settings)
    return corpus


def build_index(
    settings: Settings,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    corpus: Corpus | None = None,
) -> tuple[IndexInfo, Corpus]:
    """A full build into a new collection (the previous one answers until this one is complete)."""
    with writing(settings):
        corpus = _current(corpus, settings)
        embedder = embedder or make_embedder(settings.embedder)
        info = open_store(settings).build(corpus.chunks, embedder, corpus.doc_hashes, progress=progress)
    return info, corpus


def update_index(
    settings: Settings, embedder: Embedder | None = None, progress: Progress | None = None, corpus: Corpus | None = None
) -> tuple[IndexInfo, UpdateReport | None, Corpus]:
    """Bring the index up to date: incremental when one exists for this embedder (redoing documents an
    interrupted write left incomplete), else a full build."""
    with writing(settings):
        corpus = _current(corpus, settings)
        embedder = embedder or make_embedder(settings.embedder)
        store = open_store(settings)
        info = store.active()
        if info is None or not info.current:
            info, _ = build_index(settings, embedder, progress, corpus)
            return info, None, corpus
        store.require(embedder)  # a different embedder needs --rebuild, never a mixed collection
        report = store.update(info, corpus.chunks, embedder, corpus.doc_hashes, progress)
        return store.require(embedder), report, corpus


def ensure_index(settings: Settings, embedder: Embedder | None = None, progress: Progress | None = None) -> IndexInfo:
    """The active index, built first if there is none or it has an older format. Under the lock, so two
    processes starting on an empty data folder build it once."""
    info = open_store(settings).active()
    if info is not None and info.current:
        return info
    with writing(settings):
        info = open_store(settings).active()
        if info is None or not info.current:
            info, _ = build_index(settings, embedder, progress)
    return info


def set_aside_damaged(settings: Settings) -> Path | None:
    """If the local index cannot be read, move its folder aside (`index.damaged-YYYYmmdd-HHMMSS`, kept for
    inspection) so that a rebuild starts afresh. Returns the new name of the damaged folder, if any."""
    if settings.chroma_url:
        return None
    index_dir = Path(settings.index_dir)
    with writing(settings):
        try:
            open_store(settings).active()
            return None
        except IndexCorruptError:
            pass
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = index_dir.with_name(f"{index_dir.name}.damaged-{stamp}")
        n = 1
        while target.exists():
            target, n = index_dir.with_name(f"{index_dir.name}.damaged-{stamp}-{n}"), n + 1
        with storage_errors(str(index_dir), index_dir):
            os.replace(index_dir, target)
        forget(index_dir)
        return target


def copy_into_library(paths: list[Path], settings: Settings):
    """Keep the user's documents inside the data folder (checked, sanitised names), so a rebuild finds
    them again. Folders are searched for supported files (links out of a folder are skipped) and copied
    into a folder of their own, their collection. Returns one Accepted/Refused per file."""
    from corpus.loaders import walk_documents
    from assistant.library import Refused, stage_uploads

    from corpus.loaders import sanitize_upload_name

    loose: list[Path] = []
    results: list = []
    with storage_errors(str(settings.documents_dir), settings.documents_dir):
        for path in paths:
            if path.is_dir():  # a folder added together is a collection: its files keep it as their folder
                found = walk_documents(path)
                results += [Refused(Path(e.path).name, e.reason) for e in found.skipped]
                folder = settings.documents_dir / sanitize_upload_name(path.resolve().name or "folder")
                results += stage_uploads(found.files, folder, max_files=None)
            else:
                loose.append(path)
        return results + stage_uploads(loose, settings.documents_dir, max_files=None)
