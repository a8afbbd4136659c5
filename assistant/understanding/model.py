"""What understanding produces: the question's entities, then the Understanding with its intent."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from index.search import Hit
from assistant.types import Intent
from assistant.understanding.parts import PartRef
from assistant.understanding.read import Question


class Move(str, Enum):
    """How a follow-up continues the conversation (a fact of resolution; the intent is decided in intent.py)."""

    PAIR = "pair"  # 「その2つを比べて」: the two units talked about last
    VERSUS = "versus"  # 「Bとくらべると？」 after a question about A
    NARROW = "narrow"  # 「それらの中でXも」: the previous answer's units, filtered
    MORE = "more"  # 「もっと詳しく」 about the previous units, fields or parts
    MORE_WORDS = "more_words"  # 「他には？」 after a general answer: its words carry the search
    THEIR_WORDS = "their_words"  # 「それはいつ？」 after a general answer
    THEIR_UNITS = "their_units"  # 「そこでは」: the units of the previous question or its answer
    NEW_UNIT = "new_unit"  # 「ではBは？」: another unit, the same kind of question
    NEW_FIELD = "new_field"  # 「ではYは？」: another field, the same kind of question
    SAME_SUBJECT = "same_subject"  # a bare 「なぜ？」「いくつ？」 keeps the previous subject

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Entities:
    question: Question
    units: tuple[str, ...] = ()  # unit names (of plan documents)
    fields: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()  # other parts whose heading the question names
    headings: tuple[str, ...] = ()  # the heading named (a part's name or one of its sub-headings)
    phrases: tuple[str, ...] = ()  # the documents' own noun phrases the question uses (フィジカルAI)
    topics: tuple[str, ...] = ()  # content words of the question that the documents contain
    unknown_terms: tuple[str, ...] = ()  # content words the documents never mention
    unknown_names: tuple[str, ...] = ()  # decisive ones: proper names, or the topic of the sentence
    unknown_compounds: tuple[str, ...] = ()  # compound nouns the documents lack although their parts occur (量子技術)
    unknown_focus: tuple[str, ...] = ()  # words the documents lack in what the question is about (ラピダスの工場は)
    unknown_subjects: tuple[str, ...] = ()  # terms the documents lack: two words or more (給食費), an asked figure's measure
    quoted: tuple[str, ...] = ()  # 「…」 phrases of the question found in the documents
    documents: tuple[str, ...] = ()  # doc_ids whose title the question names
    readings: tuple[str, ...] = ()  # the documents' words unknown words were read as (wording.py: a spelling, a slip)
    parts: tuple[PartRef, ...] = ()  # parts named loosely (「経済のパート」), each read as a document or a section
    collection: tuple[str, ...] = ()  # the documents of a collection the question names by its title (a folder added together)
    title_words: tuple[str, ...] = ()  # those title words (they scope the question, they are not its topic)
    asks: str | None = None  # a kind of information (see assistant/lexicon/asks.toml)
    kinds: tuple[str, ...] = ()  # every kind asked, in the question's order (asks is the first)
    patterns: tuple[str, ...] = ()  # quoted phrases with placeholders (「〇〇せない」), as regexes
    cues: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()  # how names were read (a prefecture → its unit, a slip → the name, a paraphrase → a field)
    unit_noun_named: bool = False  # the question uses a plan's own unit noun (from its profile)
    unit_surfaces: tuple[str, ...] = ()  # how the question wrote the units it names (a prefecture, a nickname)
    field_surfaces: tuple[str, ...] = ()  # how it wrote the fields found in the vocabulary (a paraphrase of a field)
    # Set by history.merge:
    followup: str | None = None  # ellipsis | reference | continuation | narrow
    carried: tuple[str, ...] = ()  # what was taken from earlier turns (shown as a chip in the UI)
    move: Move | None = None  # how it continues the conversation
    previous_intent: Intent | None = None  # the intent of the turn it continues
    within: tuple[str, ...] = ()  # narrow: the units of the previous answer
    # Set by scope.apply:
    scope: tuple[str, ...] = ()  # documents the answer may use (empty: all)
    plan_context: bool = False  # the question is about a plan with units (its first hit, or its unit noun)
    first_doc: str | None = None  # the document holding the first hit
    absent: tuple[str, ...] = ()  # fields asked of a document named by title whose units do not list them

    @property
    def norm(self) -> str:
        return self.question.norm

    @property
    def has_entities(self) -> bool:
        return bool(self.units or self.fields or self.sections)

    @property
    def anchored(self) -> bool:
        """Something in the question is in the documents, so unknown words are just paraphrase."""
        return bool(self.has_entities or self.phrases or self.topics or self.quoted or self.documents)

    def cue(self, name: str) -> bool:
        return name in self.cues


@dataclass(frozen=True)
class Understanding(Entities):
    intent: Intent = Intent.GENERAL
    negated: bool = False  # 「Xを挙げていない」「X以外」
    wants_all: bool = False  # 「両方」: units that list every field
    list_size: int | None = None  # 「17の戦略分野を全部」: the number the question expects
    rank: str | None = None  # most | fewest
    pair: tuple[str, ...] = field(default=())  # two terms set against each other (difference)
    hits: tuple[Hit, ...] = ()  # the passages the search found for the question (scope and answers read them)

    @property
    def normalized(self) -> str:
        return self.question.norm
