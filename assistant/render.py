"""Plain-text forms of an answer shared by the CLI and the UI (copy, export)."""

from __future__ import annotations

from typing import Iterable

from assistant.types import Citation

SNIPPET_CHARS = 80  # a reference quotes the start of its span; the full span is in the sources


def reference_line(c: Citation) -> str:
    """`[n] (参考 )title / section( p.N): 「snippet…」`."""
    mark = "参考 " if c.reference else ""
    page = f" p.{c.page}" if c.page else ""
    snippet = c.text.replace("\n", " ")
    more = "…" if len(snippet) > SNIPPET_CHARS else ""
    return f"[{c.n}] {mark}{c.title} / {c.section}{page}: 「{snippet[:SNIPPET_CHARS]}{more}」"


def reference_list(citations: Iterable[Citation]) -> str:
    """The numbered references of an answer, one per line, as `assistant ask` prints them."""
    return "\n".join(reference_line(c) for c in citations)
