"""The checks every way in shares (a folder, `assistant index PATH`, the UI's upload box), and their
Japanese messages: a supported suffix, a regular file, a size within the limit (from stat(), before any
byte is read), not empty. Each failure raises `DocumentError` naming the file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from corpus.store import DocumentError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
MARKDOWN_SUFFIXES = (".md",)
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, ".pdf", ".docx", *HTML_SUFFIXES)


class MissingFileError(DocumentError):
    """The file is not there (the upload box words this differently)."""


def size_text(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n:,} バイト"


def check_suffix(name: str) -> str:
    """The lower-case suffix of a supported file name; raises for any other."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            f"{name}: 対応していない形式です（{suffix or '拡張子なし'}）。対応形式: {' '.join(SUPPORTED_SUFFIXES)}"
        )
    return suffix


def check_file(path: Path, max_bytes: int, name: str | None = None) -> os.stat_result:
    """stat() the file and refuse what cannot be a document, before anything is read.
    `name` is how the user knows the file (an upload's original name), default the file name."""
    name = name or Path(path).name
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise MissingFileError(f"{name}: ファイルが見つかりません") from exc
    except OSError as exc:
        raise DocumentError(f"{name}: ファイルを開けません（{exc.strerror or exc}）") from exc
    if not stat.S_ISREG(st.st_mode):
        raise DocumentError(f"{name}: 通常のファイルではありません")
    check_size(name, st.st_size, max_bytes)
    if st.st_size == 0:
        raise DocumentError(f"{name}: ファイルが空です")
    return st


def check_size(name: str, size: int | None, max_bytes: int) -> None:
    """`size` None: the file grew past the limit while it was read or copied."""
    if size is None:
        raise DocumentError(f"{name}: ファイルが大きすぎます。上限は {size_text(max_bytes)} です")
    if size > max_bytes:
        raise DocumentError(f"{name}: ファイルが大きすぎます（{size_text(size)}）。上限は {size_text(max_bytes)} です")
