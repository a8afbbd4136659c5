"""An answer under construction: typed lines and the passages they cite."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from corpus.model import Chunk
from corpus.structure.display import shown
from assistant.plan import Located
from assistant.types import Citation, Line, LineKind, Strength


@dataclass
class Draft:
    lines: list[Line] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    answerable: bool = True
    omitted: int = 0  # list entries left out because of the context's list_limit
    _numbers: dict[tuple[str, int, int], int] = field(default_factory=dict)
    _formats: dict[int, str] = field(default_factory=dict)  # citation n → its document's format

    def cite(self, chunk: Chunk, start: int, end: int, score: float = 1.0, reference: bool = False) -> int:
        key = (chunk.doc_id, start, end)
        if key in self._numbers:
            return self._numbers[key]
        n = len(self.citations) + 1
        section = next((p for p, s, e in chunk.sections if s <= start < e), chunk.section_path)
        text = chunk.span_text(start, end)
        self.citations.append(Citation(
            n=n, chunk_id=chunk.chunk_id, doc_id=chunk.doc_id, title=chunk.title, block=chunk.block,
            section=" > ".join(section), text=text, start=start, end=end,
            score=round(float(score), 4), page=chunk.page, reference=reference, file=chunk.file,
            shown=shown(text, chunk.format),
        ))
        self._numbers[key] = n
        self._formats[n] = chunk.format
        return n

    def shown(self, text: str, *cites: int) -> str:
        """A span of the cited passage's document as the user reads it (Markdown syntax removed)."""
        return shown(text, self._formats.get(cites[0], "text") if cites else "text")

    def cite_item(self, loc: Located) -> int:
        """One named item: the sentence that holds it (it carries the predicate), or, when that sentence
        lists several items, the item's own span with its marker, so that [n] marks that item alone."""
        return self.cite(loc.chunk, *item_span(loc))

    def cite_sentence(self, loc: Located) -> int:
        """A unit's whole list: the sentence that holds the item (one citation for the list it is in)."""
        return self.cite(loc.chunk, *context_span(loc))

    def cite_span(self, loc: Located, score: float = 1.0) -> int:
        return self.cite(loc.chunk, loc.span.start, loc.span.end, score)

    # --- lines -------------------------------------------------------------------------------------

    def lead(self, text: str, *cites: int) -> None:
        self.lines.append(Line(LineKind.LEAD, text, tuple(cites)))

    def note(self, text: str, *cites: int) -> None:
        self.lines.append(Line(LineKind.NOTE, text, tuple(cites)))

    def unit(self, name: str, items: list[str], cites: list[int], strength: Strength | None = None,
             strengths: list[Strength] | None = None) -> None:
        """A unit and the items named; `strengths`, when known, gives each item's own."""
        self.lines.append(Line(LineKind.UNIT, "", tuple(dict.fromkeys(cites)), unit=name, items=tuple(items),
                               strength=strength, strengths=tuple(strengths or ())))

    def item(self, text: str, cites: list[int], strength: Strength | None = None) -> None:
        self.lines.append(Line(LineKind.ITEM, self.shown(text, *cites), tuple(dict.fromkeys(cites)), strength=strength))

    def quote(self, text: str, *cites: int) -> None:
        self.lines.append(Line(LineKind.QUOTE, self.shown(text, *cites), tuple(cites)))

    def decline(self, text: str) -> None:
        self.answerable = False
        self.lines.append(Line(LineKind.DECLINE, text))

    def reference(self, cites: list[int]) -> None:
        if cites:
            self.lines.append(Line(LineKind.REFERENCE, "", tuple(cites)))


def context_span(loc: Located) -> tuple[int, int]:
    """The sentence that holds an item, else the item itself."""
    item = loc.span
    for s in loc.chunk.sentences:
        if s.start <= item.start and item.end <= s.end:
            return s.start, s.end
    return item.start, item.end


def item_span(loc: Located) -> tuple[int, int]:
    """The item's citation span: its sentence when the sentence names no other item, else the item
    itself with its marker (①半導体 of 「①半導体 ②GX … を検討している」)."""
    start, end = context_span(loc)
    item = loc.span
    others = [i for i in loc.chunk.items if start <= i.start and i.end <= end and i.start != item.start]
    if not others:
        return start, end
    marked = item.start - len(item.marker)
    if item.marker and marked >= loc.chunk.start and loc.chunk.span_text(marked, item.start) == item.marker:
        return marked, item.end
    return item.start, item.end


def item_name(loc: Located) -> str:
    item = loc.span
    return f"{item.marker if item.number else ''}{item.label}"


def one_line(text: str) -> str:
    """A passage as quoted in an answer: one line, without Markdown emphasis."""
    return re.sub(r"\s*\n\s*", "", text.replace("**", "")).strip()


def count_of(n: int) -> str:
    """A count in words: 「5つ」, but 「15個」 (つ counts to nine)."""
    return f"{n}つ" if n < 10 else f"{n}個"


def count_before(n: int) -> str:
    """A count before a noun: 「5つの」, 「15の」."""
    return f"{n}つの" if n < 10 else f"{n}の"
