"""The assistant's general vocabulary, as data: question cues, information kinds, word lists, field
aliases, the English glossary and Japanese geography (`assistant/lexicon/*.toml`).

Nothing here is knowledge of a particular document: units, items and headings come from the documents.
`Lexicon.load()` reads the files once per process (they are immutable data).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corpus.text import normalize
from assistant.types import StrengthLabel

HERE = Path(__file__).resolve().parent


def _read(name: str) -> dict:
    with (HERE / name).open("rb") as f:
        return tomllib.load(f)


def _words(value: str | list[str]) -> tuple[str, ...]:
    return tuple(value.split()) if isinstance(value, str) else tuple(value)


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(words)) if words else re.compile(r"(?!)")


@dataclass(frozen=True)
class InfoKind:
    """A kind of information a question may ask for (an amount, a date, a person …)."""

    name: str
    label: str  # Japanese, for 「資料には…の記載がありません」
    cue: re.Pattern[str]
    evidence: re.Pattern[str]
    pos: tuple[str, ...]  # Sudachi "tags[1]/tags[2]" that count as evidence (固有名詞/人名 …)
    words: frozenset[str]  # words that count as evidence (time words …)
    decline_anywhere: bool  # its absence declines a question about any document, not only about a plan's units
    weak_cue: re.Pattern[str] = re.compile(r"(?!)")  # interrogatives another kind's word overrides (いくら of 割合)


@dataclass(frozen=True)
class Region:
    name: str
    lat: float
    prefectures: tuple[str, ...]
    readings: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    cues: dict[str, re.Pattern[str]]
    kinds: dict[str, InfoKind]
    generic: frozenset[str]
    time_words: frozenset[str]
    unit_nouns: tuple[str, ...]
    place_unit_noun: str
    item_nouns: tuple[str, ...]
    legend_words: tuple[str, ...]
    summary_headings: tuple[str, ...]
    background_words: tuple[str, ...]
    part_nouns: tuple[str, ...]
    structure_words: tuple[str, ...]
    planned_cues: tuple[str, ...]
    potential_cues: tuple[str, ...]
    forward: re.Pattern[str]
    anaphora: re.Pattern[str]  # matched at a sentence's start
    aliases: dict[str, tuple[str, ...]]  # field → other names
    glossary: dict[str, str]  # English (lower case) → Japanese
    glossary_re: re.Pattern[str]
    region_words: tuple[str, ...]
    example_question: str
    regions: dict[str, Region]
    region_aliases: dict[str, tuple[str, ...]]
    cities: dict[str, str]  # city → prefecture
    strength_labels: dict[str, StrengthLabel]  # Strength value → how answers and the map say it

    def cue(self, name: str, text: str) -> bool:
        return bool(self.cues[name].search(text))

    def is_legend(self, name: str) -> bool:
        return any(w in name for w in self.legend_words)

    @staticmethod
    @lru_cache(maxsize=1)
    def load() -> "Lexicon":
        cues = _read("cues.toml")["cues"]
        words = _read("words.toml")
        lists = {"time_words": frozenset(_words(words["time_words"])), "role_words": frozenset(_words(words["role_words"]))}
        kinds = {}
        for name, spec in _read("asks.toml").items():
            kinds[name] = InfoKind(
                name=name,
                label=spec["label"],
                cue=_pattern(tuple(spec["cues"])),
                evidence=_pattern(tuple(spec.get("evidence", ()))),
                pos=tuple(spec.get("pos", ())),
                words=frozenset(w for key in spec.get("words", ()) for w in lists[key]),
                decline_anywhere=bool(spec.get("decline_anywhere", False)),
                weak_cue=_pattern(tuple(spec.get("weak_cues", ()))),
            )
        places = _read("places.toml")
        glossary = {normalize(k): v for k, v in _read("glossary.toml")["glossary"].items()}
        return Lexicon(
            cues={k: _pattern(tuple(v)) for k, v in cues.items()},
            kinds=kinds,
            generic=frozenset(_words(words["generic"])),
            time_words=lists["time_words"],
            unit_nouns=_words(words["unit_nouns"]),
            place_unit_noun=words["place_unit_noun"],
            item_nouns=_words(words["item_nouns"]),
            legend_words=_words(words["legend_words"]),
            summary_headings=_words(words["summary_headings"]),
            background_words=_words(words["background_words"]),
            part_nouns=_words(words["part_nouns"]),
            structure_words=_words(words["structure_words"]),
            planned_cues=_words(words["planned_cues"]),
            potential_cues=_words(words["potential_cues"]),
            forward=_pattern(_words(words["forward_cues"])),
            anaphora=_pattern(tuple(re.escape(w) for w in _words(words["anaphora"]))),
            aliases={k: tuple(v) for k, v in _read("fields.toml")["aliases"].items()},
            glossary=glossary,
            glossary_re=_pattern(tuple(re.escape(k) for k in sorted(glossary, key=len, reverse=True))),
            region_words=_words(words["region_words"]),
            example_question=words["example_question"],
            regions={
                name: Region(name, float(r["lat"]), tuple(r["prefectures"]), tuple(r.get("readings", ())))
                for name, r in places["regions"].items()
            },
            region_aliases={k: tuple(v) for k, v in places["aliases"].items()},
            cities=dict(places["cities"]),
            strength_labels={k: StrengthLabel(**v) for k, v in words["strength"].items()},
        )
