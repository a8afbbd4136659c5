"""Place names → regions, from the geography in `assistant/lexicon/places.toml` (docs/places.md).

A place counts only where the question's own words begin and end with it: 東京 inside 東京大学 and
九州 inside 北九州市 are parts of other names, not places (checked against Sudachi's word boundaries).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from corpus.text import katakana, normalize
from assistant.lexicon import Lexicon
from assistant.matcher import PhraseMatcher

_ROMAJI = str.maketrans({"ū": "u", "ō": "o", "ā": "a", "ī": "i", "ē": "e"})


@dataclass(frozen=True)
class PlaceMatch:
    surface: str  # as written in the question (normalised)
    regions: tuple[str, ...]
    via: str  # region | prefecture | city | alias | reading
    start: int
    end: int


class Gazetteer:
    def __init__(self, lexicon: Lexicon) -> None:
        entries: dict[str, tuple[tuple[str, ...], str]] = {}
        for name, region in lexicon.regions.items():
            entries[name] = ((name,), "region")
            for pref in region.prefectures:
                entries[pref] = ((name,), "prefecture")
                short = re.sub(r"[都府県]$", "", pref)
                if len(short) >= 2:
                    entries.setdefault(short, ((name,), "prefecture"))
            for reading in region.readings:
                entries[reading] = ((name,), "reading")
                if not reading.isascii():
                    entries[katakana(reading)] = ((name,), "reading")
        for alias, regions in lexicon.region_aliases.items():
            entries[alias] = (regions, "alias")
        for city, pref in lexicon.cities.items():
            region = next(r.name for r in lexicon.regions.values() if pref in r.prefectures)
            entries.setdefault(city, ((region,), "city"))
        self._entries = {normalize(k): v for k, v in entries.items()}
        self._matcher = PhraseMatcher(self._entries.items())
        self._lat = {name: r.lat for name, r in lexicon.regions.items()}
        self._prefectures = {name: r.prefectures for name, r in lexicon.regions.items()}

    def find(self, text: str, bounds: frozenset[int] | None = None) -> list[PlaceMatch]:
        """Non-overlapping place names in `text` (normalised), longest first (東京都 is not 京都).
        `bounds`: the word boundaries of `text`; a match must start and end on one."""
        norm = normalize(text).translate(_ROMAJI)
        out = []
        for m in self._matcher.find(norm):
            regions, via = m.value[0]
            # Kana readings are split oddly by the tokenizer (とうほく → とう/ほく): they need no boundary.
            if bounds is not None and via != "reading" and not m.key.isascii() and not (m.start in bounds and m.end in bounds):
                continue
            out.append(PlaceMatch(m.key, regions, via, m.start, m.end))
        return out

    def is_place(self, name: str) -> bool:
        return normalize(name) in self._entries

    def regions_of(self, name: str) -> tuple[str, ...]:
        entry = self._entries.get(normalize(name))
        return entry[0] if entry else ()

    def latitude(self, name: str) -> float | None:
        """North → south order of units that are places (a unit named after a region or a prefecture)."""
        regions = self.regions_of(name)
        return max((self._lat[r] for r in regions), default=None) if regions else None

    def prefectures(self, region: str) -> tuple[str, ...]:
        """Prefectures of a region, as japanmap spells them (福岡県, 東京都, 北海道 …)."""
        return self._prefectures.get(region, ())


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer(Lexicon.load())


def prefectures_of(region: str) -> list[str]:
    """Prefectures of a region (for the map)."""
    return list(gazetteer().prefectures(region))
