"""Field vocabulary: the fields the plans' units list, and how people name them.

Fields are the atoms of the units' items (「造船・防衛・航空宇宙」 → 造船, 防衛, 航空宇宙) and the legend's
categories (「乗り物（宇宙・航空 等）」 → 乗り物 = 宇宙 + 航空). A field counts for an item when the field,
or one of its aliases (`assistant/lexicon/fields.toml`, general vocabulary), occurs inside the item:
半導体 ⊂ 「AI・半導体」, 宇宙 ⊂ 「航空宇宙」. A whole item named in a question (「水素・アンモニア」) is
a field of its own, so an exact compound stays exact.

How firmly a unit states an item (`Strength`) comes from the sentence holding it: a sentence that only
speaks of a potential (ポテンシャルを有している) and never of planning (検討) marks its items POTENTIAL.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from corpus.text import normalize, squash
from assistant.lexicon import Lexicon
from assistant.matcher import Match, PhraseMatcher
from assistant.plan import Located, Part, PlanView
from assistant.profile import MAX_LABEL_CHARS
from assistant.types import Strength

_SPLIT = re.compile(r"[・、,，（）()「」\s]+|等|関連$")


@dataclass(frozen=True)
class ItemMatch:
    unit: Part
    item: Located
    field: str
    strength: Strength


def atoms_of(label: str) -> list[str]:
    return [a for a in _SPLIT.split(label) if a and not a.isdigit()]


def _sentence_of(loc: Located) -> str:
    for s in loc.chunk.sentences:
        if s.start <= loc.span.start and loc.span.end <= s.end:
            return s.text
    return loc.span.text


class FieldVocabulary:
    def __init__(self, plan: PlanView, lexicon: Lexicon) -> None:
        self.plan = plan
        self.lexicon = lexicon
        atoms: dict[str, None] = {}
        labels: dict[str, None] = {}
        for unit in plan.units():
            for loc in unit.listed:
                if len(loc.span.label) > MAX_LABEL_CHARS:
                    continue
                parts = atoms_of(loc.span.label)
                atoms.update(dict.fromkeys(parts))
                if len(parts) > 1 and "（" not in loc.span.label and "(" not in loc.span.label:
                    labels[loc.span.label.strip()] = None
        # An atom that only adds a word to another (造船産業 = 造船 + 産業, 航空宇宙 = 航空 + 宇宙) is no field of its own.
        self.atoms = [a for a in atoms if not any(b != a and len(b) >= 2 and b in a for b in atoms)]
        # The legend's categories: 「乗り物（宇宙・航空 等）」 → 乗り物 = (宇宙, 航空); 「AI・半導体」 = (AI, 半導体).
        self.categories: dict[str, tuple[str, ...]] = {}
        self.legend_order: list[str] = []  # the legend's entries as written, in order
        for doc_id in plan.profiles:
            legend = plan.legend(doc_id)
            for loc in legend.items if legend else ():
                label = loc.span.label
                m = re.match(r"^(.+?)[（(](.+)[）)]$", label)
                name, members = (m.group(1).strip(), tuple(atoms_of(m.group(2)))) if m else (label, tuple(atoms_of(label)))
                self.categories.setdefault(name, members)
                self.legend_order.append(name)
        self.compounds = [c for c in labels if c not in self.atoms]
        self.fields = self.atoms + [c for c in self.categories if c not in self.atoms] + self.compounds
        surfaces: list[tuple[str, str]] = []
        for f in self.fields:
            for s in (f, *lexicon.aliases.get(f, ())):
                surfaces.append((normalize(s), f))
        self._matcher = PhraseMatcher(surfaces)
        self._surface_list = surfaces
        # Every unit item's label in one string, so a field is matched against the whole plan with a few
        # str.find calls instead of a Python loop over items (100k-unit plans stay fast).
        self._items = [(u, loc) for u in plan.units() for loc in u.listed]
        squashed = [squash(loc.span.label) for _, loc in self._items]
        self._starts = [0]
        for label in squashed:
            self._starts.append(self._starts[-1] + len(label) + 1)
        self._haystack = "\x00".join(squashed)
        self._strength = [self._strength_of(loc) for _, loc in self._items]
        self._matches: dict[str, list[ItemMatch]] = {}

    # --- naming ------------------------------------------------------------------------------------

    def find(self, norm: str, bounds: frozenset[int] | None = None) -> list[Match[tuple[str, ...]]]:
        """Fields named in the normalised text: longest surfaces first, no overlaps. A surface of two or
        more Japanese characters must align with the question's word boundaries (`bounds`) at least at
        one end, so 食 in 食料安全保障 is no field while 半導体 in 半導体産業 is."""
        out = []
        for m in self._matcher.find(norm):
            if bounds is not None and not m.key.isascii() and not (m.start in bounds or m.end in bounds):
                continue
            if bounds is not None and len(m.key) == 1 and not (m.start in bounds and m.end in bounds):
                continue
            out.append(m)
        return out

    def surfaces(self, field: str) -> tuple[str, ...]:
        """The field, its category members and all their aliases."""
        return tuple(x for m in (field, *self.members(field)) for x in (m, *self.lexicon.aliases.get(m, ())))

    def members(self, field: str) -> tuple[str, ...]:
        return self.categories.get(field, (field,))

    def is_item_text(self, key: str) -> bool:
        """Whether `key` (squashed) occurs inside some unit item: then it names a field, not a phrase."""
        return key in self._haystack

    def mentions(self, label: str, field: str) -> bool:
        text = squash(label)
        for s in map(squash, self.surfaces(field)):
            if s and (s in text if not s.isascii() else re.search(rf"(?<![a-z]){re.escape(s)}(?![a-z])", text)):
                return True
        return False

    # --- over the plan -----------------------------------------------------------------------------

    def fields_of(self, unit: Part) -> list[str]:
        """The fields a unit's items name, without compounds whose parts are also named
        (航空宇宙 when 航空 and 宇宙 are there), without categories and whole-item compounds."""
        named = [f for f in self.atoms if any(self.mentions(i.span.label, f) for i in unit.listed)]
        return [f for f in named if not any(g != f and g in f for g in named)]

    def matches(self, field: str, doc_ids=None) -> list[ItemMatch]:
        """Every unit item across the plans that mentions `field` (no top-k), in plan order."""
        if field not in self._matches:
            hits: set[int] = set()
            needles = [field] if field in self.compounds else self.surfaces(field)
            for surface in needles:
                hits |= self._find(squash(surface))
            self._matches[field] = [
                ItemMatch(self._items[i][0], self._items[i][1], field, self._strength[i]) for i in sorted(hits)
            ]
        found = self._matches[field]
        return found if doc_ids is None else [m for m in found if m.unit.doc_id in doc_ids]

    def strength(self, loc: Located) -> Strength:
        return self._strength_of(loc)

    def category_of(self, field: str) -> str | None:
        """The legend category a field belongs to (by its members and their aliases), if any."""
        if field in self.categories:
            return field
        for name, members in self.categories.items():
            for member in members:
                if field == member or (len(member) >= 2 and member in field) or self.mentions(field, member):
                    return name
        return None

    def _strength_of(self, loc: Located) -> Strength:
        sentence = _sentence_of(loc)
        potential = any(c in sentence for c in self.lexicon.potential_cues)
        planned = any(c in sentence for c in self.lexicon.planned_cues)
        return Strength.POTENTIAL if potential and not planned else Strength.PLANNED

    def _find(self, needle: str) -> set[int]:
        found: set[int] = set()
        if not needle:
            return found
        start = 0
        while (pos := self._haystack.find(needle, start)) >= 0:
            start = pos + 1
            end = pos + len(needle)
            if needle.isascii() and (
                (pos > 0 and self._haystack[pos - 1].isascii() and self._haystack[pos - 1].isalpha())
                or (end < len(self._haystack) and self._haystack[end].isascii() and self._haystack[end].isalpha())
            ):
                continue
            found.add(bisect.bisect_right(self._starts, pos) - 1)
        return found
