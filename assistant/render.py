"""Typed answer lines → the answer text with [n] markers, and the numbered reference list.
The one place that decides how an answer reads as text (CLI, JSON `text`, copy in the UI)."""

from __future__ import annotations

from typing import Iterable, Sequence

from assistant.types import Citation, Line, LineKind, Strength

POTENTIAL_NOTE = "（検討ではなく可能性への言及）"
SNIPPET_CHARS = 80


def marks(cites: Iterable[int]) -> str:
    return "".join(f"[{n}]" for n in dict.fromkeys(cites))


def _before_stop(text: str, m: str) -> str:
    """「…挙げられています[1]。」: markers go before a closing 。"""
    return f"{text[:-1]}{m}。" if text.endswith("。") and m else f"{text}{m}"


def line_text(line: Line) -> str:
    m = marks(line.cites)
    if line.kind is LineKind.LEAD:
        return _before_stop(line.text, m)
    if line.kind is LineKind.NOTE:
        return f"（{line.text}）{m}"
    if line.kind is LineKind.UNIT:
        potential = POTENTIAL_NOTE if line.strength is Strength.POTENTIAL else ""
        items = "、".join(line.items)
        return f"- {line.unit}：{items}{potential} {m}".rstrip() if items else f"- {line.unit} {m}".rstrip()
    if line.kind is LineKind.ITEM:
        potential = POTENTIAL_NOTE if line.strength is Strength.POTENTIAL else ""
        return f"- {line.text}{potential} {m}".rstrip()
    if line.kind is LineKind.QUOTE:
        return f"- 「{line.text}」{m}"
    if line.kind is LineKind.REFERENCE:
        return f"参考：関連する記載 {m}".rstrip()
    return _before_stop(line.text, m)  # DECLINE


def answer_text(lines: Sequence[Line]) -> str:
    return "\n".join(line_text(line) for line in lines).strip()


def reference_line(c: Citation) -> str:
    """「[1] 文書 / 節 p.2: 「…」」 (参考 for passages shown with a decline)."""
    mark = "参考 " if c.reference else ""
    page = f" p.{c.page}" if c.page else ""
    snippet = c.text.replace("\n", " ")
    more = "…" if len(snippet) > SNIPPET_CHARS else ""
    return f"[{c.n}] {mark}{c.title} / {c.section}{page}: 「{snippet[:SNIPPET_CHARS]}{more}」"


def reference_list(citations: Sequence[Citation]) -> str:
    return "\n".join(reference_line(c) for c in citations)
