"""Typed answer lines → the answer text with [n] markers, and the numbered reference list.
The one place that decides how an answer reads as text (CLI, JSON `text`, copy in the UI)."""

from __future__ import annotations

from typing import Iterable, Sequence

from assistant.lexicon import Lexicon
from assistant.types import Citation, Line, LineKind, Strength, StrengthLabel

SNIPPET_CHARS = 80


def strength_label(strength: Strength | str) -> StrengthLabel:
    """How answers (text and HTML) and the field map say a strength: ● 検討 / ○ 言及のみ (lexicon data)."""
    return Lexicon.load().strength_labels[Strength(strength).value]


def labelled(item: str, strength: Strength | None) -> str:
    """An item with its strength: 「②GX（○ 言及のみ）」 (as the document writes it when the strength is unknown)."""
    return f"{item}（{strength_label(strength).badge}）" if strength is not None else item


def strength_counts(strengths: Iterable[Strength | None]) -> str:
    """「● 検討 1、○ 言及のみ 3」 for a list whose items differ in strength ("" when they do not)."""
    counts = {s: 0 for s in Strength}
    for s in strengths:
        if s is not None:
            counts[s] += 1
    if counts[Strength.POTENTIAL] == 0:
        return ""
    return "、".join(f"{strength_label(s).badge} {n}" for s, n in counts.items() if n)


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
        items = "、".join(labelled(i, s) for i, s in zip(line.items, line.item_strengths()))
        return f"- {line.unit}：{items} {m}".rstrip() if items else f"- {line.unit} {m}".rstrip()
    if line.kind is LineKind.ITEM:
        return f"- {labelled(line.text, line.strength)} {m}".rstrip()
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
