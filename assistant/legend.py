"""Which of the legend's categories each field belongs to (the 分野マップ's row groups).

A plan's legend (凡例) names categories, some with their members: 「Ｃ（Ａ・Ｂ 等）」 is category Ｃ = Ａ +
Ｂ. A field is placed under a category by, in this order:

1. the legend's words: the field is a category or a member, contains one or names one by an alias
   (a field ＡＢ contains member Ａ); this is the field vocabulary's own test (`FieldVocabulary.named_by`);
2. listing: every item of the plan that lists the field lists it with fields of that one category
   (「Ａ・Ｘ」 with Ａ a member); inside 「Ａ（Ｘ、Ｙ…）」 the parenthesised fields belong to the head;
3. meaning (fields of two characters or more): the embedder finds the field clearly closer to one category's words than to any other
   (a new kind of vehicle → the category of vehicles). Field and words are embedded in the plan's own frame, 「…の分野」
   with the item noun its profile found, which reads a short word as the kind of thing the legend sorts;
4. listing again, now with the fields placed by meaning (Ｘ → Ｙ's category, from 「Ｘ・Ｙ」).

Everything else stays outside the categories (the map shows it under その他). A wrong category is worse than
none, so the meaning step needs a clear score and margin, chosen on `evals/datasets/legend_dev.tsv` and
checked on fields no one looked at while choosing (`evals/datasets/legend_check.tsv`; `python -m evals.legend`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Mapping, Sequence

import numpy as np

# Cosine (query vectors) of the field to its nearest category word, and its lead over the next category.
MIN_SCORE = 0.922
MIN_MARGIN = 0.005
# A one-character field (食, 光) gives the embedder too little to go on: placed by the legend's words or listing only.
MIN_CHARS = 2

_HEAD = re.compile(r"^(.+?)[（(](.+)[）)]$")


class How(str, Enum):
    LEGEND = "legend"  # the legend's own words name it
    LISTED = "listed"  # listed only with fields of the category
    MEANING = "meaning"  # the embedder: close to the category's words

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Category:
    name: str  # 乗り物
    label: str  # the legend's entry as written: Ｃ（Ａ・Ｂ 等）
    members: tuple[str, ...]  # 宇宙, 航空

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.name, self.label, *self.members)))


@dataclass(frozen=True)
class Placement:
    category: str
    how: How


@dataclass(frozen=True)
class Listing:
    """One item's fields: those outside parentheses, and those inside (which belong to the head)."""

    outside: tuple[str, ...]
    inside: tuple[str, ...] = ()


def listing(label: str, atoms: Callable[[str], list[str]], fields: set[str]) -> Listing:
    """The fields of one item label, split at a parenthesis the way the legend's own entries are."""
    m = _HEAD.match(label.strip())
    head, body = (m.group(1), m.group(2)) if m else (label, "")
    keep = lambda text: tuple(a for a in dict.fromkeys(atoms(text)) if a in fields)  # noqa: E731
    return Listing(keep(head), keep(body))


def place(
    fields: Sequence[str],
    categories: Sequence[Category],
    listings: Sequence[Listing],
    named_by: Callable[[str, str], bool],
    vectors: Callable[[list[str]], np.ndarray],
    frame: str = "{}",
) -> dict[str, Placement]:
    """field → its category and how it was found, for the fields that belong to one."""
    placed: dict[str, Placement] = {}
    for f in fields:
        for c in categories:
            if f == c.name or any(named_by(f, m) for m in c.members):
                placed[f] = Placement(c.name, How.LEGEND)
                break
    _by_listing(fields, listings, placed)
    rest = [f for f in fields if f not in placed and len(f) >= MIN_CHARS]
    if rest and len(categories) > 1:
        for f, name in zip(rest, by_meaning(rest, categories, vectors, frame)):
            if name is not None:
                placed[f] = Placement(name, How.MEANING)
    _by_listing(fields, listings, placed)
    return placed


def _by_listing(fields: Sequence[str], listings: Sequence[Listing], placed: dict[str, Placement]) -> None:
    """Place each unplaced field that every item listing it lists with placed fields of one category."""
    mates: dict[str, list[tuple[str, ...]]] = {}  # field → for each item listing it, the fields it goes with
    for item in listings:
        for f in item.outside:
            mates.setdefault(f, []).append(tuple(g for g in item.outside if g != f))
        for f in item.inside:
            mates.setdefault(f, []).append(item.outside)  # the head it belongs to
    found: dict[str, str] = {}
    for f in fields:
        if f in placed or f not in mates:
            continue
        cats = [{placed[g].category for g in group if g in placed} for group in mates[f]]
        if all(cats) and len(set().union(*cats)) == 1:
            found[f] = next(iter(cats[0]))
    for f, name in found.items():
        placed[f] = Placement(name, How.LISTED)


def by_meaning(words: Sequence[str], categories: Sequence[Category], vectors: Callable[[list[str]], np.ndarray],
               frame: str = "{}", min_score: float = MIN_SCORE, min_margin: float = MIN_MARGIN) -> list[str | None]:
    """For each word, the category whose words it is clearly closest to, or None."""
    scores = category_scores(words, categories, vectors, frame)
    out: list[str | None] = []
    for row in scores:
        order = np.argsort(-row)
        best = float(row[order[0]])
        second = float(row[order[1]]) if len(order) > 1 else -1.0
        out.append(categories[int(order[0])].name if best >= min_score and best - second >= min_margin else None)
    return out


def category_scores(words: Sequence[str], categories: Sequence[Category], vectors: Callable[[list[str]], np.ndarray],
                    frame: str = "{}") -> np.ndarray:
    """(word × category) cosine of each word to the nearest of the category's words, both in `frame`."""
    anchors = [(k, w) for k, c in enumerate(categories) for w in c.words]
    texts = [frame.format(w) for w in words] + [frame.format(w) for _, w in anchors]
    v = np.asarray(vectors(texts), dtype=np.float32)
    sims = v[: len(words)] @ v[len(words):].T
    owner = np.asarray([k for k, _ in anchors])
    return np.stack([sims[:, owner == k].max(axis=1) for k in range(len(categories))], axis=1) if len(words) else (
        np.zeros((0, len(categories)), dtype=np.float32))


def frame_of(item_noun: str) -> str:
    """The words are embedded as the plan says them: 「{}の分野」 with its item noun (a bare word otherwise)."""
    return f"{{}}の{item_noun}" if item_noun else "{}"


def groups(fields: Sequence[str], order: Sequence[str], placed: Mapping[str, Placement]) -> list[tuple[str, list[str]]]:
    """(category, its fields) in the legend's order, only categories that have fields."""
    out: dict[str, list[str]] = {c: [] for c in order}
    for f in fields:
        p = placed.get(f)
        if p is not None:
            out.setdefault(p.category, []).append(f)
    return [(c, fs) for c, fs in out.items() if fs]
