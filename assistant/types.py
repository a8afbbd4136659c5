"""The public shapes of an answer. Other tools (UI, evals, scripts) depend on them: keep them stable."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Citation:
    n: int  # the marker [n] in Answer.text
    chunk_id: str
    doc_id: str
    title: str  # document title
    block: str
    section: str  # section path joined with " > "
    text: str  # verbatim: the document's text[start:end]
    start: int
    end: int
    score: float
    page: int | None = None  # 1-based page for paged documents (PDF)
    reference: bool = False  # a 参考 passage shown with a "not in the documents" answer

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Answer:
    text: str  # Japanese, with inline markers [1], [2] …
    citations: list[Citation]
    answerable: bool
    intent: str = "general"
    trace: dict[str, Any] = field(default_factory=dict)  # debug trace (`assistant ask --explain`)

    def to_dict(self, with_trace: bool = False) -> dict[str, Any]:
        out = {
            "text": self.text,
            "answerable": self.answerable,
            "intent": self.intent,
            "citations": [c.to_dict() for c in self.citations],
        }
        if with_trace:
            out["trace"] = self.trace
        return out
