"""Finding and reading plan documents on disk.

A document is a text file (.txt, .md) with an optional sidecar `<stem>.json` holding
`title`, `short_name`, `kind`, `publisher` and `date`. Other formats (PDF, Word, HTML) go through `corpus.loaders`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from corpus.model import Document

BUNDLED_DIR = Path(__file__).parent / "documents"
TEXT_SUFFIXES = {".txt", ".md"}


class DocumentError(ValueError):
    """A file that cannot be read as a document; the message is for the user (Japanese)."""


def doc_id_for(path: Path) -> str:
    """A stable ASCII id from the file name (Chroma ids and metadata stay ASCII-safe)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", path.stem).strip("_")
    if not stem or stem != path.stem:
        import hashlib

        stem = (stem + "_" if stem else "doc_") + hashlib.sha1(path.name.encode("utf-8")).hexdigest()[:8]
    return stem


def read_metadata(path: Path) -> dict:
    sidecar = path.with_suffix(".json")
    if not sidecar.exists():
        return {}
    try:
        return json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DocumentError(f"{sidecar.name}: メタデータ（JSON）を読み込めません: {exc}") from exc


def load_text_document(path: Path) -> Document:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path.name}: UTF-8 のテキストとして読み込めません") from exc
    meta = read_metadata(path)
    return Document(
        doc_id=doc_id_for(path),
        title=meta.get("title") or path.stem,
        untitled=not meta.get("title"),
        short_name=meta.get("short_name") or path.stem,
        kind=meta.get("kind") or "document",
        text=text,
        source_path=str(path),
        publisher=str(meta.get("publisher") or ""),
        date=str(meta.get("date") or ""),
        format="markdown" if path.suffix.lower() == ".md" else "text",
    )


def document_paths(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)


def load_bundled_documents() -> list[Document]:
    return [load_text_document(p) for p in document_paths(BUNDLED_DIR)]
