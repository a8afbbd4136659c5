"""Plain-text forms of an answer shared by the CLI and the UI (copy, export)."""

from __future__ import annotations

from typing import Any, Iterable

SNIPPET_CHARS = 80  # a reference quotes the start of its span; the full span is in the sources


def _get(c: Any, name: str, default: Any = None) -> Any:
    return c.get(name, default) if isinstance(c, dict) else getattr(c, name, default)


def reference_line(c: Any) -> str:
    """`[n] (参考 )title / section( p.N): 「snippet…」` for a Citation (or its to_dict())."""
    mark = "参考 " if _get(c, "reference") else ""
    page = f" p.{_get(c, 'page')}" if _get(c, "page") else ""
    snippet = str(_get(c, "text", "")).replace("\n", " ")
    more = "…" if len(snippet) > SNIPPET_CHARS else ""
    return f"[{_get(c, 'n')}] {mark}{_get(c, 'title', '')} / {_get(c, 'section', '')}{page}: 「{snippet[:SNIPPET_CHARS]}{more}」"


def reference_list(citations: Iterable[Any]) -> str:
    """The numbered references of an answer, one per line, as `assistant ask` prints them."""
    return "\n".join(reference_line(c) for c in citations)
