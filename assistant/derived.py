"""The snapshot's expensive parts, derived from the indexed chunks, and kept on disk between starts.

`obtain()` loads them from `<data_dir>/derived/<key>/`, or derives them from the collection's chunks and
saves them there. The key hashes the collection's build (name, when it was built, its content
fingerprint, chunk count, record schema), the embedder, and the source of the code and lexicon that
derive them, so another build or another version of the code never reads a stale copy. Each folder is
written aside and renamed into place whole; `meta.json` lists every file with its size and CRC-32, and
any mismatch, missing or unreadable file means: log one line, derive again. Chroma stays the source of
truth; these files are caches of what its records hold.

Contents: `views.pickle` (the plan view's indexes, field vocabulary, readings), `documents.*` (each
document's chunks and parts, read when a question first reaches that document), `analyses.*` (each
chunk's encoded analysis, decoded when a question reads it), `lexical/` (BM25, bm25s's format),
`substrings/` (the text index). The `.bin` files are memory-mapped.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import mmap
import os
import pickle
import shutil
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from corpus.analysis import AnalysisTable
from corpus.model import Chunk
from corpus.text import Tokenizer, squash
from index.lexical import LexicalIndex
from index.reserve import has_room
from index.store import IndexInfo
from index.substrings import SubstringIndex
from assistant.fields import FieldVocabulary
from assistant.knowledge import NameReadings
from assistant.lexicon import Lexicon
from assistant.places import Gazetteer
from assistant.plan import PlanView
from assistant.readings import ReadingIndex

log = logging.getLogger(__name__)

META = "meta.json"
KEEP = 2  # derived folders kept per data folder (the newest): another process may still read the previous one
_CRC_BLOCK = 1 << 23


@dataclass(frozen=True)
class Derived:
    plan: PlanView
    vocab: FieldVocabulary
    lexical: LexicalIndex
    readings: ReadingIndex
    names: NameReadings
    analyses: AnalysisTable
    text: SubstringIndex


# --- deriving ------------------------------------------------------------------------------------------


def derive(chunks: Sequence[Chunk], lexicon: Lexicon, places: Gazetteer, tokenizer: Tokenizer) -> Derived:
    """Everything from the chunks as read from the index (with their index-time terms and analyses)."""
    chunks = sorted(chunks, key=lambda c: (c.doc_id, c.start))
    # A table of contents is never evidence of what the files it links say: it is not searched.
    searched = [c for c in chunks if not c.navigation]
    lexical = LexicalIndex([c.chunk_id for c in searched], [c.terms for c in searched], tokenizer, [c.doc_id for c in searched])
    analyses = AnalysisTable.of_chunks(chunks)
    chunks = [replace(c, terms=(), analysis="") for c in chunks]  # kept once, in the tables above
    plan = PlanView(chunks, lexicon, places)
    vocab = FieldVocabulary(plan, lexicon)
    names = [*plan.unit_names(), *vocab.fields, *(a for f in vocab.fields for a in lexicon.aliases.get(f, ()))]
    return Derived(
        plan=plan,
        vocab=vocab,
        lexical=lexical,
        readings=ReadingIndex(lexical.vocabulary, tokenizer),
        names=NameReadings.build(names, tokenizer, vocab.fields),
        analyses=analyses,
        text=SubstringIndex([(c.chunk_id, c.doc_id, squash(c.text)) for c in chunks]),
    )


# --- the key -------------------------------------------------------------------------------------------


def _code_version() -> str:
    """Hash of the code and data that derive the views: a change to any of them is another key."""
    import assistant
    import corpus
    import index

    files = [
        *(Path(assistant.__file__).parent / n for n in ("derived.py", "plan.py", "fields.py", "profile.py", "readings.py",
                                                         "knowledge.py", "places.py", "matcher.py")),
        *sorted((Path(assistant.__file__).parent / "lexicon").glob("*.toml")),
        *(Path(corpus.__file__).parent / n for n in ("analysis.py", "model.py", "text.py")),
        *(Path(index.__file__).parent / n for n in ("lexical.py", "substrings.py", "codec.py")),
    ]
    h = hashlib.sha1()
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def cache_key(info: IndexInfo, embedder: str) -> str:
    parts = [info.collection, info.built_at, info.fingerprint, info.chunks, info.schema, embedder, _code_version()]
    return hashlib.sha1(json.dumps(parts).encode()).hexdigest()[:20]


# --- on disk -------------------------------------------------------------------------------------------


class _Pickler(pickle.Pickler):
    """The lexicon and gazetteer are the process's own (loaded from the package): referred to, not copied."""

    def __init__(self, f, shared: dict[str, object]) -> None:
        super().__init__(f, protocol=pickle.HIGHEST_PROTOCOL)
        self._ids = {id(v): k for k, v in shared.items()}

    def persistent_id(self, obj):
        return self._ids.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, f, shared: dict[str, object]) -> None:
        super().__init__(f)
        self._shared = shared

    def persistent_load(self, pid):
        return self._shared[pid]


def _crc(path: Path) -> int:
    crc = 0
    with path.open("rb") as f:
        while block := f.read(_CRC_BLOCK):
            crc = zlib.crc32(block, crc)
    return crc


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != META)


def _rows(data, offsets: np.ndarray):
    return (bytes(data[offsets[i] : offsets[i + 1]]) for i in range(len(offsets) - 1))


def _save_rows(folder: Path, name: str, rows: dict[str, bytes]) -> None:
    """Byte strings one after another in `<name>.bin`, their offsets in `.npy`, their keys in `.json`."""
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in rows.values()], out=offsets[1:])
    with (folder / f"{name}.bin").open("wb") as f:
        for b in rows.values():
            f.write(b)
    np.save(folder / f"{name}.npy", offsets)
    (folder / f"{name}.json").write_text(json.dumps(list(rows), ensure_ascii=False), encoding="utf-8")


def _open_rows(folder: Path, name: str) -> tuple[list[str], object, np.ndarray]:
    """Keys, the memory-mapped bytes (read only when a row is asked for) and the offsets of `_save_rows`."""
    keys = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    offsets = np.load(folder / f"{name}.npy")
    path = folder / f"{name}.bin"
    with path.open("rb") as f:
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if path.stat().st_size else b""
    if len(offsets) != len(keys) + 1 or int(offsets[-1]) != len(data):
        raise ValueError(f"{name}: offsets do not match the data")
    return keys, data, offsets


def _reader(keys: list[str], data, offsets: np.ndarray):
    """Reads one document's view from the saved rows (and keeps the collector off the new objects)."""
    row = {k: i for i, k in enumerate(keys)}

    def read(doc_id: str):
        i = row[doc_id]
        view = pickle.loads(data[offsets[i] : offsets[i + 1]])
        gc.freeze()  # long-lived from now on: the cyclic collector need not scan them again
        return view

    return read


def save(folder: Path, key: str, d: Derived, lexicon: Lexicon, places: Gazetteer) -> None:
    """Write the folder aside, then rename it into place (a concurrent writer of the same key wins or loses whole)."""
    root = folder.parent
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
    os.chmod(tmp, 0o755)
    try:
        with (tmp / "views.pickle").open("wb") as f:
            _Pickler(f, {"lexicon": lexicon, "places": places}).dump(
                {"plan": d.plan, "vocab": d.vocab, "readings": d.readings, "names": d.names})
        _save_rows(tmp, "documents", {doc_id: pickle.dumps(view, protocol=pickle.HIGHEST_PROTOCOL)
                                       for doc_id, view in d.plan.documents().items()})
        d.lexical.save(tmp / "lexical")
        d.text.save(tmp / "substrings")
        _save_rows(tmp, "analyses", dict(zip(d.analyses.ids, _rows(d.analyses.data, d.analyses.offsets))))
        files = {str(p.relative_to(tmp)): [p.stat().st_size, _crc(p)] for p in _files(tmp)}
        (tmp / META).write_text(json.dumps({"key": key, "files": files}, ensure_ascii=False), encoding="utf-8")
        try:
            os.rename(tmp, folder)
        except OSError:
            if not (folder / META).exists():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # another process saved the same key first
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for old in sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and p != folder),
                      key=lambda p: p.stat().st_mtime, reverse=True)[KEEP - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


class Stale(Exception):
    """The folder is missing (`damaged` False), or of another key, incomplete or damaged."""

    def __init__(self, why: str, damaged: bool = True) -> None:
        super().__init__(why)
        self.damaged = damaged


def load(folder: Path, key: str, lexicon: Lexicon, places: Gazetteer, tokenizer: Tokenizer) -> Derived:
    meta_path = folder / META
    if not meta_path.exists():
        raise Stale("none for this build yet", damaged=folder.exists())
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Stale(f"{META} unreadable ({exc})") from exc
    if meta.get("key") != key:
        raise Stale("written for another build")
    listed = meta.get("files") or {}
    present = {str(p.relative_to(folder)) for p in _files(folder)}
    if set(listed) != present:
        raise Stale(f"files missing or unexpected: {sorted(set(listed) ^ present)[:3]}")
    for name, (size, _) in listed.items():
        if (folder / name).stat().st_size != size:
            raise Stale(f"{name} is damaged (its size differs)")
    # The checksums (half a gigabyte at 100k chunks) are read in a second thread while the views load:
    # zlib and file reads release the GIL. Nothing loaded is used before they all match.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="derived-check") as pool:
        checked = pool.submit(_damaged, folder, listed)
        try:
            d = _read(folder, lexicon, places, tokenizer)
        except Exception as exc:  # noqa: BLE001 - any failure to read means: derive again
            if (name := checked.result()) is not None:
                raise Stale(f"{name} is damaged (checksum differs)") from exc
            raise Stale(f"unreadable ({type(exc).__name__}: {exc})") from exc
        if (name := checked.result()) is not None:
            raise Stale(f"{name} is damaged (checksum differs)")
    return d


def _damaged(folder: Path, listed: dict) -> str | None:
    """The first listed file whose checksum differs or that cannot be read, if any."""
    for name, (_, crc) in listed.items():
        try:
            if _crc(folder / name) != crc:
                return name
        except OSError:
            return name
    return None


def _read(folder: Path, lexicon: Lexicon, places: Gazetteer, tokenizer: Tokenizer) -> Derived:
    enabled = gc.isenabled()
    gc.disable()  # a large object graph loads several times faster without collections in between
    try:
        with (folder / "views.pickle").open("rb") as f:
            views = _Unpickler(f, {"lexicon": lexicon, "places": places}).load()
    finally:
        if enabled:
            gc.enable()
    plan: PlanView = views["plan"]
    plan.attach(_reader(*_open_rows(folder, "documents")))
    lexical = LexicalIndex.load(folder / "lexical", tokenizer)
    text = SubstringIndex.load(folder / "substrings")
    ids, data, offsets = _open_rows(folder, "analyses")
    analyses = AnalysisTable(ids, data, offsets)
    return Derived(plan, views["vocab"], lexical, views["readings"], views["names"], analyses, text)


def obtain(root: Path, info: IndexInfo, embedder: str, chunks: Callable[[], list[Chunk]], lexicon: Lexicon,
           places: Gazetteer, tokenizer: Tokenizer) -> Derived:
    """The derived views of this build: from `root/<key>` when valid, else derived from `chunks()` and saved."""
    key = cache_key(info, embedder)
    folder = root / key
    try:
        started = time.perf_counter()
        d = load(folder, key, lexicon, places, tokenizer)
        log.info("derived views loaded from %s in %.2f s", folder, time.perf_counter() - started)
        return d
    except Stale as why:
        if why.damaged:
            log.warning("derived views in %s not used (%s): deriving them from the index again", folder, why)
        else:
            log.info("derived views: %s", why)
    started = time.perf_counter()
    d = derive(chunks(), lexicon, places, tokenizer)
    log.info("derived views built in %.2f s", time.perf_counter() - started)
    if not has_room(root):
        log.warning("the disk of %s is nearly full: derived views not kept (they are derived again at the next start)", root)
        return d
    try:
        shutil.rmtree(folder, ignore_errors=True)
        save(folder, key, d, lexicon, places)
    except OSError as exc:
        log.warning("could not keep derived views in %s (%s): they are derived again at the next start", folder, exc)
    return d
