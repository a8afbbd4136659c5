"""File names and folders: which files of a folder are documents, and safe names for stored copies."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from corpus.loaders.checks import SUPPORTED_SUFFIXES
from corpus.loaders.report import FileError

MAX_UPLOAD_NAME_BYTES = 200
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def is_hidden(name: str) -> bool:
    """Hidden files and folders (".name") and Word's lock files ("~$name.docx") are not documents."""
    return name.startswith(".") or name.startswith("~$")


def has_document_sibling(sidecar: Path) -> bool:
    return any(sidecar.with_suffix(s).exists() for s in SUPPORTED_SUFFIXES)


@dataclass
class FolderFiles:
    files: list[Path] = field(default_factory=list)  # supported, not hidden, inside the folder; sorted
    skipped: list[FileError] = field(default_factory=list)  # links that lead out of the folder


def walk_documents(folder: Path) -> FolderFiles:
    """The document files under `folder`, recursively, in sorted order.

    Symbolic links are followed only while they stay inside the folder: a link (to a file or a folder)
    whose target lies outside is skipped with a reason, so adding a folder never copies `/etc/...` into
    the library. Linked folders are not descended (no loops); their files inside the folder are reached
    through their real place anyway."""
    folder = Path(folder)
    root = Path(os.path.realpath(folder))
    found = FolderFiles()
    for current, dirs, names in os.walk(folder):  # does not follow symlinked folders
        here = Path(current)
        kept = []
        for d in sorted(dirs):
            if is_hidden(d):
                continue
            if (here / d).is_symlink():
                if not _inside(here / d, root):
                    found.skipped.append(_outside(here / d, folder))
                continue
            kept.append(d)
        dirs[:] = kept
        for n in names:
            path = here / n
            if is_hidden(n) or Path(n).suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            if path.is_symlink() and not _inside(path, root):
                found.skipped.append(_outside(path, folder))
                continue
            found.files.append(path)
    found.files.sort(key=lambda p: p.relative_to(folder).parts)
    found.skipped.sort(key=lambda e: e.path)
    return found


def _inside(path: Path, root: Path) -> bool:
    real = Path(os.path.realpath(path))
    return real == root or root in real.parents


def _outside(path: Path, folder: Path) -> FileError:
    shown = path.relative_to(folder).as_posix()
    return FileError(str(path), f"{shown}: リンク先が追加するフォルダの外にあるため読み込みません")


def sanitize_upload_name(name: str) -> str:
    """A safe base name for an uploaded file: no directories, no leading dot, no control characters.

    Keeps Japanese characters (NFC-normalised, as macOS sends decomposed kana) and the suffix; replaces
    characters Windows forbids; limits the name to `MAX_UPLOAD_NAME_BYTES` UTF-8 bytes by shortening the
    stem. Never returns an empty name, "." or "..": a name with nothing left becomes "upload".
    """
    text = unicodedata.normalize("NFC", str(name))
    # Cc (NUL, controls), Cf (bidi overrides that disguise a suffix), Cs (lone surrogates), Co, Cn.
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    base = re.split(r"[/\\]", text)[-1]
    base = re.sub(r"^[\s.]+|[\s.]+$", "", re.sub(r'[<>:"|?*]', "_", base))  # leading dots/spaces, trailing too
    stem, dot, ext = base.rpartition(".")
    suffix = "." + ext if dot and re.fullmatch(r"[A-Za-z0-9]{1,10}", ext) else ""
    if not suffix:
        stem = base
    stem = re.sub(r"[\s.]+$", "", stem)
    if not stem:
        stem = "upload"
    elif stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    budget = MAX_UPLOAD_NAME_BYTES - len(suffix.encode("utf-8"))
    while len(stem.encode("utf-8")) > budget:
        stem = stem[:-1]
    stem = re.sub(r"[\s.]+$", "", stem)
    return (stem or "upload") + suffix
