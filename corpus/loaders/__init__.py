"""Reading user documents of several formats into `Document`s with exact page offsets.

One module per job: `checks` (the file checks and messages every way in shares), `paths` (which files of
a folder are documents; safe names for stored copies), `text` (.txt/.md and encoding detection), `pdf`,
`docx`, `html`. Every format module returns an `Extracted`: plain text with "\\n" line endings that *is*
the document text (all later offsets index into it), plus what the format knows of title, publisher and
date. Failures raise `DocumentError` with a Japanese message that names the file; `load_paths` collects
them per file in a `LoadReport`, so one bad file never stops the others.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from corpus.limits import check_text
from corpus.loaders import docx, html, pdf, text
from corpus.loaders.checks import (
    DEFAULT_MAX_BYTES,
    HTML_SUFFIXES,
    MARKDOWN_SUFFIXES,
    SUPPORTED_SUFFIXES,
    TEXT_SUFFIXES,
    check_file,
    check_size,
    check_suffix,
    size_text,
)
from corpus.loaders.extracted import Extracted
from corpus.loaders.paths import (
    MAX_UPLOAD_NAME_BYTES,
    has_document_sibling,
    is_hidden,
    sanitize_upload_name,
    walk_documents,
)
from corpus.loaders.pdf import PAGE_SEPARATOR, clean_pdf_text
from corpus.loaders.report import FileError, LoadReport
from corpus.loaders.text import decode_bytes, normalize_newlines
from corpus.model import Document
from corpus.store import DocumentError, doc_id_for, read_metadata

__all__ = [
    "DEFAULT_MAX_BYTES", "HTML_SUFFIXES", "MAX_UPLOAD_NAME_BYTES", "PAGE_SEPARATOR", "SUPPORTED_SUFFIXES",
    "TEXT_SUFFIXES", "DocumentError", "Extracted", "FileError", "LoadReport", "clean_pdf_text", "decode_bytes",
    "load_file", "load_paths", "normalize_newlines", "sanitize_upload_name", "size_text", "walk_documents",
]

_READERS = {**dict.fromkeys(TEXT_SUFFIXES, text.read), ".pdf": pdf.read, ".docx": docx.read,
            **dict.fromkeys(HTML_SUFFIXES, html.read)}


def load_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, collection: str = "") -> Document:
    """Read one file into a `Document`; raises `DocumentError` (Japanese message naming the file).

    The size is checked with stat() before anything is read, the text's length once it is read
    (`corpus.limits`). Title, publisher and date: the sidecar
    `<stem>.json` first, else what the format records (PDF information dictionary, DOCX core properties,
    HTML <title> and <meta>); without either, the file stem, which the parser replaces with the document's
    own H1 if it has one (`Document.untitled`). `collection`: the folder the file was added with (see `load_paths`).
    """
    path = Path(path)
    name = path.name
    suffix = check_suffix(name)
    check_file(path, max_bytes)
    meta = read_metadata(path)
    if not isinstance(meta, dict):
        raise DocumentError(f"{path.with_suffix('.json').name}: メタデータ（JSON）の形式が正しくありません")
    try:
        data = _read_bytes(path)
    except OSError as exc:
        raise DocumentError(f"{name}: ファイルを読み込めません（{exc.strerror or exc}）") from exc
    check_size(name, len(data) if len(data) <= max_bytes else None, max_bytes)  # it may have grown since stat()
    found = _READERS[suffix](data, name)
    if not found.text.strip():
        raise DocumentError(f"{name}: 本文がありません（空の文書です）")
    check_text(name, found.text)
    return Document(
        doc_id=doc_id_for(path),
        title=str(meta.get("title") or found.title or path.stem),
        untitled=not (meta.get("title") or found.title),
        short_name=str(meta.get("short_name") or path.stem),
        kind=str(meta.get("kind") or "document"),
        text=found.text,
        source_path=str(path),
        page_starts=found.page_starts,
        publisher=str(meta.get("publisher") or found.publisher or ""),
        date=str(meta.get("date") or found.date or ""),
        format="markdown" if suffix in MARKDOWN_SUFFIXES else "text",
        collection=collection,
        layout=found.layout,
    )


def load_paths(paths: Iterable[Path], max_bytes: int = DEFAULT_MAX_BYTES) -> LoadReport:
    """Load files and folders (recursively, in sorted order); every failure becomes a `FileError`.

    In folders only supported suffixes are taken (see `walk_documents`: hidden files, Word lock files and
    links out of the folder are not documents). A file named explicitly is always tried (an unsupported or
    hidden one is reported), except a `.json` that is the sidecar of a document next to it. The same file
    reached twice is loaded once. A file found in a sub-folder of a folder given belongs to that sub-folder's
    collection (its path relative to the folder): documents added together as a folder. Two different files whose `doc_id_for` collide (same name in two folders)
    keep the first id; the later one gets a suffix from a hash of its path.
    """
    report = LoadReport()
    files: list[tuple[Path, str]] = []  # (path, key for disambiguating ids)
    seen: set[str] = set()

    def add(p: Path, key: str) -> None:
        real = os.path.realpath(p)
        if real not in seen:
            seen.add(real)
            files.append((p, key))

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = walk_documents(p)
            report.errors.extend(found.skipped)
            for f in found.files:
                add(f, f.relative_to(p).as_posix())
        elif p.exists() or p.is_symlink():
            if p.suffix.lower() == ".json" and has_document_sibling(p):
                continue
            if is_hidden(p.name):
                report.errors.append(FileError(str(p), f"{p.name}: 隠しファイルは文書として読み込みません"))
                continue
            add(p, os.path.realpath(p))
        else:
            report.errors.append(FileError(str(p), f"{p.name or p}: ファイルまたはフォルダが見つかりません"))

    ids: set[str] = set()
    for f, key in files:
        folder = str(PurePosixPath(key).parent) if not os.path.isabs(key) else ""
        try:
            doc = load_file(f, max_bytes, collection="" if folder == "." else folder)
        except DocumentError as exc:
            report.errors.append(FileError(str(f), str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - one bad file must never stop the others
            report.errors.append(
                FileError(str(f), f"{f.name}: 読み込み中に予期しないエラーが発生しました（{type(exc).__name__}）")
            )
            continue
        if doc.doc_id in ids:
            digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
            doc = dataclasses.replace(doc, doc_id=f"{doc.doc_id}_{digest}")
        ids.add(doc.doc_id)
        report.documents.append(doc)
    return report


def _read_bytes(path: Path) -> bytes:
    """The only place a document's bytes are read (tests replace it to prove the size check comes first)."""
    return path.read_bytes()
