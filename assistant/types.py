"""The public shapes of an answer. Other tools (UI, evals, scripts) depend on them: keep them stable.

An answer is a list of typed lines (`Line`), rendered once into `Answer.text` by `assistant.render`;
the UI and JSON consumers read the lines instead of parsing the text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Intent(str, Enum):
    """What kind of answer a question asks for. One module in `assistant/answers/` answers each."""

    UNIT_ITEMS = "unit_items"  # what a unit (a plan's block, district …) lists → its items
    UNIT_FIELD = "unit_field"  # does unit X list field Y → yes/no with the item
    WHICH_UNITS = "which_units"  # which units list field Y → every matching unit, whole plan
    COUNT = "count"  # how many units / items
    COMPARE = "compare"  # two or more units → common and differing items
    RANK = "rank"  # superlatives: the unit with the most / fewest items, the most common field
    EXPLAIN = "explain"  # why / background / what a unit says about something → its sentences
    DIFFERENCE = "difference"  # how two terms of one document differ → both defined, each cited
    SECTION = "section"  # a section named by its heading → its items or sentences
    DETAIL = "detail"  # continuation (もっと詳しく) → more of the previous subject
    WHERE = "where"  # where a document says something → its breadcrumb (document › part › section), then the passage
    OUTLINE = "outline"  # a part's main points → its summary section's points, or its own headings
    REASONS = "reasons"  # why / background in a document of headed sections → the passage giving it, with its sub-points
    SIDE_BY_SIDE = "side_by_side"  # two documents of a collection on one theme → each one's passages, cited
    MENTIONS = "mentions"  # everything a collection says of a term → every passage that mentions it, over all documents
    ITEMS = "items"  # a complete list (or its count) → the entries of the list that holds the best passage
    LOOKUP = "lookup"  # a fact in a document of headed sections → the passages that say what is asked, each cited
    GENERAL = "general"  # any document: hybrid retrieval, then the sentence that answers
    # Outcomes that no answer module gave.
    INVALID = "invalid"  # empty, too long, undecodable input
    UNAVAILABLE = "unavailable"  # the index cannot be reached (a Chroma server down or silent)
    ERROR = "error"  # an internal error (logged); the user gets a message
    NOT_STATED = "not_stated"  # declined before dispatch: the documents never mention what the question is about

    def __str__(self) -> str:
        return self.value


class LineKind(str, Enum):
    LEAD = "lead"  # the sentence that answers (names the units, the count, the time …)
    UNIT = "unit"  # one unit and its matching items
    ITEM = "item"  # one listed item
    QUOTE = "quote"  # a passage quoted verbatim
    NOTE = "note"  # a side remark: place mapping, typo corrected, potential only, wider matches
    DECLINE = "decline"  # the documents do not answer
    REFERENCE = "reference"  # 参考 passages shown with a decline

    def __str__(self) -> str:
        return self.value


class Strength(str, Enum):
    """How firmly a plan states an item: a cluster under consideration, or only a potential mentioned."""

    PLANNED = "planned"
    POTENTIAL = "potential"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class StrengthLabel:
    """How every answer shape and the field map say a strength (words from assistant/lexicon/words.toml)."""

    mark: str  # ● / ○, as in the field map
    word: str  # 検討 / 言及のみ
    explain: str  # what the word means, for a tooltip or a note

    @property
    def badge(self) -> str:
        return f"{self.mark} {self.word}"


@dataclass(frozen=True)
class Line:
    kind: LineKind
    text: str = ""  # plain Japanese without markers (for UNIT lines: empty, see unit/items)
    cites: tuple[int, ...] = ()  # the citation numbers this line rests on
    unit: str = ""  # UNIT lines: the unit's name
    items: tuple[str, ...] = ()  # UNIT lines: the items named, as the document writes them
    strength: Strength | None = None  # UNIT / ITEM lines of plans: planned or potential only
    strengths: tuple[Strength | None, ...] = ()  # UNIT lines: each item's own strength, in the order of `items`

    def item_strengths(self) -> tuple[Strength | None, ...]:
        """Each named item's strength: its own where known, else the line's."""
        if self.kind is LineKind.ITEM:
            return (self.strength,)
        return self.strengths if len(self.strengths) == len(self.items) else (self.strength,) * len(self.items)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value, "text": self.text, "cites": list(self.cites)}
        if self.unit:
            out["unit"] = self.unit
        if self.items:
            out["items"] = list(self.items)
        if self.strength is not None:
            out["strength"] = self.strength.value
        if self.strengths:
            out["strengths"] = [s.value if s is not None else None for s in self.strengths]
        return out


@dataclass(frozen=True)
class Citation:
    n: int  # the marker [n] in Answer.text
    chunk_id: str
    doc_id: str
    title: str  # document title
    block: str  # the top-level unit of the document holding the passage (a plan's block, a chapter …)
    section: str  # section path joined with " > "
    text: str  # verbatim: the document's text[start:end]
    start: int
    end: int
    score: float
    page: int | None = None  # 1-based page for paged documents (PDF)
    reference: bool = False  # a 参考 passage shown with a "not in the documents" answer
    file: str = ""  # the document's file name (a chapter file's name may say which part it is)
    shown: str = ""  # the span as the user reads it (no Markdown syntax); `text` stays verbatim

    @property
    def breadcrumb(self) -> str:
        """Where the passage sits: document › chapter › section (the file name when the title does not say it)."""
        path = [self.title, *(x for x in (self.block, *self.section.split(" > ")) if x and x != self.title)]
        return " › ".join(dict.fromkeys(path))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["breadcrumb"] = self.breadcrumb
        return out


@dataclass
class Answer:
    text: str  # Japanese, with inline markers [1], [2] … (rendered from `lines`)
    citations: list[Citation]
    answerable: bool
    intent: str = Intent.GENERAL.value
    lines: list[Line] = field(default_factory=list)
    trace: dict[str, Any] = field(default_factory=dict)  # debug trace (`assistant ask --explain`)
    omitted: int = 0  # entries a list answer left out (`ask(list_limit=…)`); list_limit=None names them all
    # The generative mode (`ask(..., mode="generative")`, assistant/generation/): which mode answered, the
    # model asked, each generated sentence's verdict, the note shown, and the extractive answer it rests on.
    mode: str = "extractive"
    model: str = ""
    verdicts: list[dict[str, Any]] = field(default_factory=list)  # text, cites, ok, reason, missing, overlap, why
    note: str = ""
    extractive: "Answer | None" = None  # set when mode == "generative"

    @property
    def generation_requested(self) -> bool:
        return bool(self.model or self.verdicts or self.note)

    def to_dict(self, with_trace: bool = False) -> dict[str, Any]:
        out = {
            "text": self.text,
            "answerable": self.answerable,
            "intent": str(self.intent),
            "mode": self.mode,
            "citations": [c.to_dict() for c in self.citations],
            "lines": [line.to_dict() for line in self.lines],
        }
        if self.omitted:
            out["omitted"] = self.omitted
        if self.generation_requested:
            out.update(model=self.model, note=self.note, verdicts=list(self.verdicts))
        if self.extractive is not None:
            out["extractive"] = self.extractive.to_dict()
        if with_trace:
            out["trace"] = self.trace
        return out


class MatrixKind(str, Enum):
    """What a matrix's columns and rows are."""

    UNITS = "units"  # a plan's units × the fields their items name (●/○ strength, legend groups)
    PARTS = "parts"  # parts (a document's chapters or sections, or the documents of a collection) × the
    #                  headings and items that recur across them

    def __str__(self) -> str:
        return self.value


class MatrixGap(str, Enum):
    """Why a matrix has no rows (the UI says it in words)."""

    NONE = ""
    NO_DOCUMENTS = "no_documents"  # nothing chosen that the index holds
    NO_PARTS = "no_parts"  # not two parts side by side to compare (a single block of prose)
    NOTHING_RECURS = "nothing_recurs"  # parts, but no heading or item appears in two of them

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class MapCell:
    """One (unit, field) cell: the passages behind it, and for a plan's fields how firmly they are stated
    (None in a matrix of recurring headings, which says only that the part has the heading or item)."""

    citations: tuple[Citation, ...]
    strength: Strength | None = None


@dataclass(frozen=True)
class Matrix:
    """Parts × what recurs across them, for the documents chosen (`Assistant.matrix`). A plan of units
    gives units × fields (`kind` UNITS, the bundled plans' block × field map); any other documents give
    their parts × recurring headings and items (`kind` PARTS). Columns are `units`, rows `fields`."""

    doc_ids: tuple[str, ...]
    unit_noun: str  # what the columns are called (read from the documents; "" when they do not say)
    units: tuple[str, ...]  # columns: north → south where the units are places, else document order
    fields: tuple[str, ...]  # rows: every field (or recurring heading) with at least one cell
    categories: tuple[tuple[str, tuple[str, ...]], ...]  # the legend's (category, its fields); may be empty
    cells: dict[tuple[str, str], MapCell]
    kind: MatrixKind = MatrixKind.UNITS
    item_noun: str = ""  # what the rows are called (分野, 施策 …), from the documents' profiles
    placed_by: dict[str, str] = field(default_factory=dict)  # field → how it joined its category (assistant.legend.How)
    gap: MatrixGap = MatrixGap.NONE  # why there are no rows
    part_docs: dict[str, str] = field(default_factory=dict)  # column → the document it belongs to

    def units_with(self, field: str, strength: Strength | None = None) -> list[str]:
        return [u for u in self.units if (c := self.cells.get((u, field))) and (strength is None or c.strength == strength)]


# The name the field map had before it covered any set of documents.
FieldMap = Matrix
