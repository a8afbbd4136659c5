"""What reading a set of files gives: the documents, and one Japanese reason per file left out."""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus.model import Document


@dataclass(frozen=True)
class FileError:
    path: str
    reason: str  # Japanese, names the file


@dataclass
class LoadReport:
    documents: list[Document] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors
