"""Field vocabulary: the fields the plans' units list, and how people name them.

Fields are the atoms of the units' items (「Ａ・Ｂ・Ｃ」 → Ａ, Ｂ, Ｃ) and the legend's
categories (「Ｃ（Ａ・Ｂ 等）」 → Ｃ = Ａ + Ｂ). A field counts for an item when the field,
or one of its aliases (`assistant/lexicon/fields.toml`, general vocabulary), occurs inside the item:
Ａ ⊂ 「Ｘ・Ａ」, Ａ ⊂ 「ＢＡ」. A whole item named in a question (「Ａ・Ｂ」) is
a field of its own, so an exact compound stays exact.

How firmly a unit states an item (`Strength`) comes from the sentence holding it: a sentence that only
speaks of a potential (ポテンシャルを有している) and never of planning (検討) marks its items POTENTIAL.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import ahocorasick
import numpy as np

from corpus.text import normalize, squash
from index.substrings import SubstringIndex
from assistant.lexicon import Lexicon
from assistant.matcher import Match, PhraseMatcher
from assistant.plan import Located, Part, PlanView
from assistant.profile import MAX_LABEL_CHARS
from assistant.types import Strength

_SPLIT = re.compile(r"[・、,，（）()「」\s]+|等|関連$")
# Around a one-character field (食, 光) in an item: it must be a whole atom there (光 is not in 観光).
_EDGE = "・、,，（）()「」等\x00"


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
        inside = _automaton([a for a in atoms if len(a) >= 2])
        self.atoms = [a for a in atoms if not (len(inside) and any(b != a for _, (_, b) in inside.iter(a)))]
        # The legend's categories: 「Ｃ（Ａ・Ｂ 等）」 → Ｃ = (Ａ, Ｂ); 「Ａ・Ｂ」 = (Ａ, Ｂ).
        self.categories: dict[str, tuple[str, ...]] = {}
        self.legend_order: list[str] = []  # the legend's category names, in order
        self.legend_labels: dict[str, str] = {}  # category name → its entry as written (Ｃ（Ａ・Ｂ 等）)
        for doc_id in plan.profiles:
            legend = plan.legend(doc_id)
            for loc in legend.items if legend else ():
                label = loc.span.label
                m = re.match(r"^(.+?)[（(](.+)[）)]$", label)
                name, members = (m.group(1).strip(), tuple(atoms_of(m.group(2)))) if m else (label, tuple(atoms_of(label)))
                self.categories.setdefault(name, members)
                self.legend_labels.setdefault(name, label)
                self.legend_order.append(name)
        atom_set = set(self.atoms)
        self.compounds = [c for c in labels if c not in atom_set]
        self.fields = self.atoms + [c for c in self.categories if c not in atom_set] + self.compounds
        surfaces: list[tuple[str, str]] = []
        for f in self.fields:
            for s in (f, *lexicon.aliases.get(f, ())):
                surfaces.append((normalize(s), f))
        self._matcher = PhraseMatcher(surfaces)
        # Every unit item by number, as (document, unit, item) positions: the parts themselves stay with
        # their document's view (read on demand at 100k units), not copied here.
        self._unit_docs = list(plan.unit_docs)
        refs, potential, labels = [], [], []
        for n, d in enumerate(self._unit_docs):
            for k, unit in enumerate(plan.doc(d).units):
                for j, loc in enumerate(unit.listed):
                    refs.append((n, k, j))
                    potential.append(self._strength_of(loc) is Strength.POTENTIAL)
                    labels.append(squash(loc.span.label))
        self._refs = np.asarray(refs, dtype=np.int32).reshape(len(refs), 3)
        self._potential = np.asarray(potential, dtype=bool)
        self._index_items(labels)
        self._matches: dict[str, dict[str, list[ItemMatch]]] = {}
        self._counts: dict[str, dict[str, int]] = {}

    def _index_items(self, labels: list[str]) -> None:
        """Where field names occur among the unit items, found once for the whole plan (one Aho–Corasick
        pass), so a question never scans a 100k-unit plan: per name (squashed), the items it occurs in
        (a Latin name not inside a longer Latin word). A free substring is looked up in `_labels`."""
        needles: dict[str, set[str]] = {}  # squashed surface → the fields it names
        for f in self.fields:
            for surface in (*self.surfaces(f), f):
                if squash(surface):
                    needles.setdefault(squash(surface), set()).add(f)
        self._name_fields = {n: frozenset(fs) for n, fs in needles.items()}
        self._names = _automaton(list(needles))
        self._labels = SubstringIndex([(str(i), "", label + "\x00") for i, label in enumerate(labels)])
        starts = [0]
        for label in labels:
            starts.append(starts[-1] + len(label) + 1)
        haystack = "\x00".join(labels)
        occurs: dict[str, set[int]] = {}
        for last, (_, name) in self._names.iter(haystack) if len(self._names) else ():
            pos, end = last - len(name) + 1, last + 1
            if name.isascii() and (
                (pos > 0 and haystack[pos - 1].isascii() and haystack[pos - 1].isalpha())
                or (end < len(haystack) and haystack[end].isascii() and haystack[end].isalpha())
            ):
                continue
            if len(name) == 1 and not name.isascii() and not _whole(haystack, pos, end):
                continue
            occurs.setdefault(name, set()).add(bisect.bisect_right(starts, pos) - 1)
        self._name_items = {n: np.asarray(sorted(items), dtype=np.int32) for n, items in occurs.items()}

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
        return "\x00" not in key and self._labels.contains(key)

    def mentions(self, label: str, field: str) -> bool:
        text = squash(label)
        return any(s and _occurs(s, text) for s in map(squash, self.surfaces(field)))

    # --- over the plan -----------------------------------------------------------------------------

    def fields_of(self, unit: Part) -> list[str]:
        """The fields a unit's items name, without compounds whose parts are also named
        (航空宇宙 when 航空 and 宇宙 are there), without categories and whole-item compounds."""
        candidates = {f for loc in unit.listed for f in self._candidates(loc.span.label)}
        named = [f for f in self.atoms if f in candidates and any(self.mentions(i.span.label, f) for i in unit.listed)]
        return [f for f in named if not any(g != f and g in f for g in named)]

    def _candidates(self, label: str) -> set[str]:
        """Fields one of whose names occurs in `label` (a superset of those it `mentions`)."""
        if not len(self._names):
            return set()
        return {f for _, (_, name) in self._names.iter(squash(label)) for f in self._name_fields[name]}

    def matches(self, field: str, doc_ids=None) -> list[ItemMatch]:
        """Every unit item across the plans that mentions `field` (no top-k), in plan order."""
        if field not in self._matches:
            by_doc: dict[str, list[ItemMatch]] = {}
            for m in self._match(self._hits(field), field):
                by_doc.setdefault(m.unit.doc_id, []).append(m)
            self._matches[field] = by_doc  # by document (in plan order), so a scope reads only its plans
        by_doc = self._matches[field]
        return [m for d, ms in by_doc.items() if doc_ids is None or d in doc_ids for m in ms]

    def documents(self, field: str) -> set[str]:
        """The plans whose units list `field` (without building its matches)."""
        return set(self.unit_counts(field))

    def unit_counts(self, field: str) -> dict[str, int]:
        """How many units of each document list `field` (what `matches` would give, counted by unit)."""
        if field not in self._counts:
            pairs = np.unique(self._refs[self._hits(field), :2], axis=0)
            docs, counts = np.unique(pairs[:, 0], return_counts=True) if len(pairs) else ([], [])
            self._counts[field] = {self._unit_docs[int(n)]: int(c) for n, c in zip(docs, counts)}
        return self._counts[field]

    def _hits(self, field: str) -> np.ndarray:
        """Numbers of the unit items that mention `field`, in plan order."""
        needles = [field] if field in self.compounds else self.surfaces(field)
        found = [self._name_items.get(squash(s), _NONE) for s in needles]
        return np.unique(np.concatenate(found)) if found else _NONE

    def _match(self, hits: np.ndarray, field: str) -> list[ItemMatch]:
        out = []
        for (n, k, j), potential in zip(self._refs[hits].tolist(), self._potential[hits].tolist()):
            unit = self.plan.doc(self._unit_docs[n]).units[k]
            out.append(ItemMatch(unit, unit.listed[j], field, Strength.POTENTIAL if potential else Strength.PLANNED))
        return out

    def strength(self, loc: Located) -> Strength:
        return self._strength_of(loc)

    def category_of(self, field: str) -> str | None:
        """The legend category whose own words name the field (by its members and their aliases), if any.
        `assistant.legend.place` also finds categories by listing and by meaning."""
        if field in self.categories:
            return field
        for name, members in self.categories.items():
            if any(self.named_by(field, m) for m in members):
                return name
        return None

    def named_by(self, field: str, member: str) -> bool:
        """Whether a legend member's word names the field: the same word, inside it (航空 ⊂ 航空宇宙), or
        one of the member's aliases inside it."""
        return field == member or (len(member) >= 2 and member in field) or self.mentions(field, member)

    def _strength_of(self, loc: Located) -> Strength:
        sentence = _sentence_of(loc)
        potential = any(c in sentence for c in self.lexicon.potential_cues)
        planned = any(c in sentence for c in self.lexicon.planned_cues)
        return Strength.POTENTIAL if potential and not planned else Strength.PLANNED



_NONE = np.zeros(0, dtype=np.int32)


def _whole(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] stands as a whole atom (at an edge or between separators)."""
    return (start == 0 or text[start - 1] in _EDGE) and (end == len(text) or text[end] in _EDGE)


def _occurs(surface: str, text: str) -> bool:
    """A field's surface inside an item: a Latin word on word boundaries, one character as a whole atom,
    anything longer as a substring (宇宙 ⊂ 航空宇宙)."""
    if surface.isascii():
        return re.search(rf"(?<![a-z]){re.escape(surface)}(?![a-z])", text) is not None
    if len(surface) == 1:
        return any(_whole(text, m.start(), m.end()) for m in re.finditer(re.escape(surface), text))
    return surface in text


def _automaton(words: list[str]) -> ahocorasick.Automaton:
    """An Aho–Corasick automaton over `words`; each match gives (index, word)."""
    automaton = ahocorasick.Automaton()
    for k, w in enumerate(words):
        automaton.add_word(w, (k, w))
    if words:
        automaton.make_automaton()
    return automaton
