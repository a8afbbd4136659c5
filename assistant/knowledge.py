"""Everything the assistant derives from the index, in one immutable snapshot.

`Assistant.refresh()` builds a new `Knowledge` and swaps it in whole, so a question that started
on the old snapshot finishes on it: no lock is needed around answering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from corpus.analysis import AnalysisTable
from corpus.text import Tokenizer, katakana, normalize, squash
from index.lexical import LexicalIndex
from index.substrings import SubstringIndex
from assistant.fields import FieldVocabulary
from assistant.lexicon import Lexicon
from assistant.meaning import MeaningIndex
from assistant.places import Gazetteer
from assistant.plan import PlanView
from assistant.profile import DocumentProfile
from assistant.readings import ReadingIndex


@dataclass(frozen=True)
class NameReadings:
    """Readings of the names a question may mistype (unit names, field names): a homophone slip
    (九洲, 北海堂, 蓄電地) has the reading of the name it means."""

    by_reading: dict[str, str] = field(default_factory=dict)
    # names of three or more characters by length and first character, for one-character slips
    by_length: dict[int, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    @classmethod
    def build(cls, names, tokenizer: Tokenizer, fields=()) -> "NameReadings":
        out: dict[str, str] = {}
        for name in names:
            if len(name) < 2 or name.isascii():
                continue
            reading = "".join(t.reading for t in tokenizer.tokens(normalize(name)))
            if len(reading) >= 3:
                out.setdefault(katakana(reading), name)
        by_length: dict[int, dict[str, list[str]]] = {}
        for name in {normalize(f) for f in fields if len(f) >= 3 and not f.isascii()}:
            by_length.setdefault(len(name), {}).setdefault(name[0], []).append(name)
        return cls(out, {n: {c: tuple(v) for c, v in d.items()} for n, d in by_length.items()})

    def get(self, reading: str) -> str | None:
        return self.by_reading.get(reading)


@dataclass(frozen=True)
class Knowledge:
    plan: PlanView
    vocab: FieldVocabulary
    lexicon: Lexicon
    places: Gazetteer
    lexical: LexicalIndex
    readings: ReadingIndex
    names: NameReadings
    meaning: MeaningIndex
    tokenizer: Tokenizer
    analyses: AnalysisTable  # each chunk's words, from indexing
    text: SubstringIndex  # is a word in the documents at all, or in one of them?

    @property
    def profiles(self) -> dict[str, DocumentProfile]:
        return self.plan.profiles

    def profile(self, doc_id: str) -> DocumentProfile:
        return self.plan.profiles[doc_id]

    @cached_property
    def title_words(self) -> tuple[tuple[str, str, bool], ...]:
        """(word, doc_id, whether the documents' text uses it) for each title word of at least two
        characters that only one document's title has: how a question may name a document."""
        parts: dict[str, set[str]] = {}
        for doc_id, title in self.plan.titles.items():
            for part in re.split(r"[のとや（）()「」、・\s]+", title):
                if len(part) >= 2 and part not in self.lexicon.generic:
                    parts.setdefault(squash(part), set()).add(doc_id)
        return tuple((key, next(iter(docs)), self.in_documents(key)) for key, docs in parts.items() if len(docs) == 1)

    def in_documents(self, text: str) -> bool:
        return self.text.contains(squash(text))

    def in_document(self, doc_id: str, text: str) -> bool:
        return self.text.contains(squash(text), doc_id)

    def chunks_with(self, text: str) -> frozenset[str]:
        """Ids of the chunks that may hold `text` (squashed): all that do, and a few more to check."""
        return self.text.chunks_containing(squash(text))
