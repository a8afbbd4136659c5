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


def title_keys(titles: dict[str, str], tokenizer: Tokenizer, generic: frozenset[str],
               collections: dict[str, tuple[str, ...]] | None = None) -> dict[str, frozenset[str]]:
    """Words that name a document: each title's compound nouns and proper names (A市X計画,
    A市), squashed → the documents whose title has them. A collection's hub (`collections`: hub → the
    collection's documents) names every document of its collection by its title."""
    keys: dict[str, set[str]] = {}
    named = collections or {}
    for doc_id, title in titles.items():
        docs = named.get(doc_id, (doc_id,))
        norm = normalize(title)
        run: list = []
        for t in [*tokenizer.tokens(norm), None]:
            noun = t is not None and (t.pos in ("名詞", "接頭辞", "接尾辞") or t.surface == "・") and t.surface.strip()
            if noun:
                run.append(t)
                whole = doc_id in named and t.pos == "名詞" and not t.surface.isdigit()  # a collection's title word
                if (t.kind or whole) and len(t.surface) >= 2 and t.surface not in generic:
                    keys.setdefault(squash(t.surface), set()).update(docs)
                continue
            if run:
                # the compound and its shorter endings of two words or more: 「クラスター計画」 names
                # 「戦略産業クラスター計画」 as users shorten it
                for i in range(max(len(run) - 1, 1)):
                    if i and (run[i].pos != "名詞" or run[i].surface.isdigit()):
                        continue  # an ending starts with a noun of its own (not 年度, not 8)
                    text = norm[run[i].begin : run[-1].end].strip("・")
                    for key in {text, re.sub(r"[\d年度版]+$", "", text)}:  # 「政策集2030」 is named 「政策集」 too
                        if len(key) >= 2 and key not in generic and not key[0].isdigit():
                            keys.setdefault(squash(key), set()).update(docs)
                run = []
    return {k: frozenset(v) for k, v in keys.items()}


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
    titles: dict[str, frozenset[str]]  # words that name a document (see title_keys)

    @property
    def profiles(self) -> dict[str, DocumentProfile]:
        return self.plan.profiles

    def profile(self, doc_id: str) -> DocumentProfile:
        return self.plan.profiles[doc_id]

    @cached_property
    def title_words(self) -> tuple[tuple[str, frozenset[str], bool, bool], ...]:
        """`titles` with whether another document's text uses each word (then it is an ordinary word there,
        not the name of this document) and whether the document's own text does (then it may also be
        what is asked about): looked up once per snapshot."""
        out = []
        chunks = self.plan.chunks
        for key, docs in self.titles.items():
            users = {chunks[c].doc_id for c in self.chunks_with(key) if c in chunks and key in squash(chunks[c].text)}
            # a compound of several words (戦略産業クラスター計画) names its document even where another
            # document mentions it; a single word used elsewhere is an ordinary word there
            compound = len(self.tokenizer.tokens(key)) >= 2
            out.append((key, docs, bool(users - docs) and not compound, bool(users & docs)))
        return tuple(out)

    def in_documents(self, text: str) -> bool:
        return self.text.contains(squash(text))

    def in_document(self, doc_id: str, text: str) -> bool:
        return self.text.contains(squash(text), doc_id)

    def documents_with(self, text: str) -> frozenset[str]:
        return self.text.documents_containing(squash(text))

    def chunks_with(self, text: str) -> frozenset[str]:
        """Ids of the chunks that may hold `text` (squashed): all that do, and a few more to check."""
        return self.text.chunks_containing(squash(text))
