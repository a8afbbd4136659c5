"""Per-document profiles, derived from each document's own structure.

A profile says what kind of document it is and what plan semantics apply to it:
- its *units*: sibling parts that list items and are named as places (■ 九州, ■ 北海道), or share a unit
  noun as their suffix (臨海地区, 中央地区), or (failing both) number their items with ①②…;
- its unit noun, from the title's 「〜別」 or the units' common suffix;
- its item noun (分野, 施策 …), the one its units' text uses most;
- its legend (凡例), if any.
Documents without units (a strategy overview, an article) get no plan semantics at all.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from enum import Enum
from typing import TYPE_CHECKING, Mapping, Sequence

from corpus.text import CIRCLED
from assistant.lexicon import Lexicon
from assistant.places import Gazetteer

if TYPE_CHECKING:
    from assistant.plan import Part

# An item label longer than this, or one with a full stop, is a sentence, not a name.
MAX_LABEL_CHARS = 40


class Role(str, Enum):
    UNIT = "unit"
    LEGEND = "legend"
    PART = "part"


class DocKind(str, Enum):
    REGIONAL_PLAN = "regional_plan"  # units are places
    PLAN = "plan"  # units of another kind (districts, measures)
    OVERVIEW = "overview"  # headed sections, no units (a strategy outline)
    PROSE = "prose"  # running text (an article, a report without units)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class DocumentProfile:
    doc_id: str
    title: str
    kind: DocKind
    unit_noun: str  # what the units are called ("" when there are none)
    item_noun: str  # what the units list (分野, 施策 …)
    unit_paths: tuple[tuple[str, ...], ...]  # the units' part paths, in document order
    legend: tuple[str, ...] | None  # the legend's part path
    item_markers: tuple[str, ...]  # markers the units number their items with (①, (1) …)

    @property
    def has_units(self) -> bool:
        return bool(self.unit_paths)

    @property
    def units_are_places(self) -> bool:
        return self.kind is DocKind.REGIONAL_PLAN

    def role_of(self, path: tuple[str, ...]) -> Role:
        if path in self.unit_paths:
            return Role.UNIT
        if path == self.legend:
            return Role.LEGEND
        return Role.PART

    def unit_label(self, name: str) -> str:
        """九州 → 九州ブロック; 臨海地区 stays; 架空ブロック stays (never 架空ブロックブロック)."""
        if not self.unit_noun or name.endswith(self.unit_noun):
            return name
        return name + self.unit_noun

    def to_dict(self) -> dict:
        return {**asdict(self), "kind": self.kind.value}


def _is_label(text: str) -> bool:
    return len(text) <= MAX_LABEL_CHARS and "。" not in text


def _lists(part: Part) -> bool:
    return any(_is_label(loc.span.label) for loc in part.items)


def _numbered(part: Part) -> int:
    return sum(1 for loc in part.items if loc.span.marker and loc.span.marker in CIRCLED and _is_label(loc.span.label))


def _unit_group(group: Sequence[Part], lexicon: Lexicon, places: Gazetteer) -> tuple[list[Part], str]:
    """The members of one sibling group that are units, and how they were recognised
    ("place", a unit noun, "numbered" or "" for none)."""
    listing = [p for p in group if _lists(p) and not lexicon.is_legend(p.name)]
    named = [p for p in listing if places.is_place(p.name)]
    if len(named) >= 2:
        return named, "place"
    for noun in lexicon.unit_nouns:
        suffixed = [p for p in listing if p.name.endswith(noun) and len(p.name) > len(noun)]
        if len(suffixed) >= 2:
            return suffixed, noun
    # Units are a sibling group: one part numbering a few points (①人口 ②資源) is not a plan of units.
    numbered = [p for p in listing if _numbered(p) >= 2]
    if len(numbered) >= 2:
        return numbered, "numbered"
    return [], ""


def _noun_from_title(title: str, lexicon: Lexicon) -> str:
    """「各地方ブロック別の…」 → ブロック."""
    for m in re.finditer(r"([^\s、。の（）()]+?)別", title):
        for noun in lexicon.unit_nouns:
            if m.group(1).endswith(noun):
                return noun
    return ""


def _item_noun(units: Sequence[Part], lexicon: Lexicon) -> str:
    text = "".join(c.text for u in units for c in u.chunks)
    counts = {n: text.count(n) for n in lexicon.item_nouns}
    best = max(counts, key=lambda n: counts[n]) if counts else ""
    return best if counts.get(best) else (lexicon.item_nouns[-1] if lexicon.item_nouns else "")


def derive_profile(
    doc_id: str, blocks: Sequence[Part], sections: Sequence[Part], lexicon: Lexicon, places: Gazetteer
) -> DocumentProfile:
    title = blocks[0].title if blocks else doc_id
    groups: list[list[Part]] = [list(blocks)]
    by_parent: dict[tuple[str, ...], list[Part]] = {}
    for s in sections:
        by_parent.setdefault(s.path[:-1], []).append(s)
    groups += list(by_parent.values())
    best: tuple[list[Part], str] = ([], "")
    for group in groups:  # the top level wins ties: it comes first
        found = _unit_group(group, lexicon, places)
        if len(found[0]) > len(best[0]):
            best = found
    units, how = best
    legend = next((b.path for b in blocks if lexicon.is_legend(b.name) and b.items), None)
    if not units:
        kind = DocKind.OVERVIEW if len(blocks) > 1 or sections else DocKind.PROSE
        return DocumentProfile(doc_id, title, kind, "", "", (), legend, ())
    noun = _noun_from_title(title, lexicon)
    if not noun and how not in ("place", "numbered"):
        noun = how
    if not noun and how == "place":
        noun = lexicon.place_unit_noun
    markers = tuple(dict.fromkeys(loc.span.marker for u in units for loc in u.items if loc.span.marker))
    return DocumentProfile(
        doc_id=doc_id,
        title=title,
        kind=DocKind.REGIONAL_PLAN if how == "place" else DocKind.PLAN,
        unit_noun=noun,
        item_noun=_item_noun(units, lexicon),
        unit_paths=tuple(u.path for u in units),
        legend=legend,
        item_markers=markers,
    )


def derive_profiles(
    docs: Mapping[str, tuple[Sequence[Part], Sequence[Part]]], lexicon: Lexicon, places: Gazetteer
) -> dict[str, DocumentProfile]:
    return {doc_id: derive_profile(doc_id, b, s, lexicon, places) for doc_id, (b, s) in docs.items()}
