"""A matrix for any set of documents: parts × what recurs across them, each cell cited.

Two cases, one shape (`assistant.types.Matrix`):

- a plan of units (its profile found them: ■ ＜地域＞, ＜名＞＋unit noun …): units × the fields their items name, ●/○
  by how firmly each item is stated, rows grouped under the legend (`assistant.legend`), units north → south
  where they are places (`unit_grid`, the bundled plans' block × field map);
- anything else (`part_grid`): the parts of the documents chosen (a sibling group of a document's chapters
  or sections, or the documents themselves when several are chosen: a collection's chapter files) × the
  child headings and listed items that recur in at least two of them (a step × theme grid).

Children are compared by their normalised text (numbering and Markdown dropped) and by meaning: two labels
are one row when the embedder puts them at least `SAME_MEANING` apart (cosine of query vectors), chosen on
`evals/datasets/matrix_pairs.tsv` (`python -m evals.matrix`). Among the candidate groups of parts the one
whose recurring rows fill the most cells wins (the higher level on a tie).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from corpus.model import Chunk
from corpus.structure.display import shown
from corpus.text import squash
from assistant.answers.draft import Draft
from assistant.legend import Placement, groups
from assistant.plan import Located, Part, display_name
from assistant.profile import MAX_LABEL_CHARS, Role
from assistant.types import MapCell, Matrix, MatrixGap, MatrixKind, Strength

# Cosine at or above which two child labels mean the same (e.g. 現状認識・課題意識 / 現状認識・課題認識).
SAME_MEANING = 0.98
# A child label longer than this, or with a full stop, is a sentence, not a heading or a name.
MAX_CHILD_CHARS = MAX_LABEL_CHARS

Vectors = Callable[[list[str]], np.ndarray]


# --- a plan's units × fields ------------------------------------------------------------------------------


def unit_grid(kb, docs: Sequence[str], placed: Mapping[str, Placement]) -> Matrix:
    """Units × fields of the plan documents `docs` (those with units), units north → south."""
    units = kb.plan.units(docs)
    places = kb.places
    order = sorted(range(len(units)), key=lambda i: (-(places.latitude(units[i].name) or -90.0), i))
    units = [units[i] for i in order]
    cells: dict[tuple[str, str], MapCell] = {}
    for f in kb.vocab.atoms:
        for m in kb.vocab.matches(f, docs):
            d = Draft()
            d.cite_item(m.item)
            old = cells.get((m.unit.name, f))
            cites = (*(old.citations if old else ()), *d.citations)
            planned = m.strength is Strength.PLANNED or (old is not None and old.strength is Strength.PLANNED)
            cells[(m.unit.name, f)] = MapCell(tuple(cites), Strength.PLANNED if planned else Strength.POTENTIAL)
    used = [f for f in kb.vocab.atoms if any((u.name, f) in cells for u in units)]
    profiles = [kb.profile(d) for d in docs]
    nouns = [p.unit_noun for p in profiles if p.unit_noun]
    item_nouns = [p.item_noun for p in profiles if p.item_noun]
    # rows are grouped by a legend only when one of these plans has one (another plan's legend sorts other fields)
    placed = placed if any(p.legend for p in profiles) else {}
    return Matrix(
        doc_ids=tuple(docs),
        unit_noun=nouns[0] if nouns else "",
        units=tuple(u.name for u in units),
        fields=tuple(used),
        categories=tuple((c, tuple(fs)) for c, fs in groups(used, kb.vocab.legend_order, placed)),
        cells=cells,
        kind=MatrixKind.UNITS,
        item_noun=item_nouns[0] if item_nouns else "",
        placed_by={f: placed[f].how.value for f in used if f in placed},
        part_docs={u.name: u.doc_id for u in units},
    )


# --- parts × recurring children ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    """A heading directly below a part, or an entry it lists: what a matrix row is made of."""

    label: str  # as the user reads it (numbering and Markdown dropped)
    key: str  # compared as this (normalised, without spaces)
    chunk: Chunk
    start: int  # the span cited for it
    end: int
    item: Located | None = None  # an item (cited with the sentence that holds it)


@dataclass(frozen=True)
class Column:
    name: str
    doc_id: str
    children: tuple[Child, ...]


_MARKER = re.compile(r"^\s*(?:[-*+・•]|[(（][0-9０-９]{1,3}[)）]|[0-9０-９]{1,3}[.．)）]|[①-⑳])\s*")


def label_key(label: str) -> str:
    """How two labels are compared by text: normalised, without numbering, markers and spaces."""
    return squash(_MARKER.sub("", display_name(label)))


def _is_label(text: str) -> bool:
    return 0 < len(text) <= MAX_CHILD_CHARS and "。" not in text


def _heads(view) -> dict[tuple[str, ...], tuple[Chunk, int, int]]:
    """Every heading line of a document: section path → (chunk, start, end)."""
    out: dict[tuple[str, ...], tuple[Chunk, int, int]] = {}
    for c in view.chunks.values():
        for path, s, e in c.heads:
            out.setdefault(tuple(path), (c, s, e))
    return out


def _heading_child(path: tuple[str, ...], heads, fmt: str) -> Child | None:
    found = heads.get(path)
    if found is None:
        return None
    chunk, s, e = found
    label = shown(display_name(path[-1]), fmt)
    return Child(label, label_key(label), chunk, s, e) if _is_label(label) and label_key(label) else None


def _item_child(loc: Located) -> Child | None:
    label = shown(loc.span.label, loc.chunk.format)
    if not _is_label(label) or not label_key(label):
        return None
    return Child(label, label_key(label), loc.chunk, loc.span.start, loc.span.end, loc)


def _own_items(part: Part, inner: Sequence[Part]) -> list[Located]:
    """The part's top-level entries written in its own body (not inside one of its sub-sections)."""
    out = []
    for loc in part.items:
        if loc.span.depth > 1:
            continue
        if any(s.start <= loc.span.start < s.end for s in inner):
            continue
        out.append(loc)
    return out


def _children(part: Part, parts: Sequence[Part], heads, fmt: str) -> list[Child]:
    """The headings directly below `part` and the entries of its own body, in document order."""
    depth = len(part.path)
    below = [p for p in parts if len(p.path) > depth and p.path[:depth] == part.path]
    direct = [p for p in below if len(p.path) == depth + 1]
    out = [c for p in direct if (c := _heading_child(p.path, heads, fmt))]
    out += [c for loc in _own_items(part, below) if (c := _item_child(loc))]
    return sorted(out, key=lambda c: c.start)


def _document_children(parts: Sequence[Part], heads, fmt: str) -> list[Child]:
    """A document as one part of a collection: its top-level headings and their entries."""
    out: list[Child] = []
    for p in parts:
        if len(p.path) == 1 and p.role is not Role.LEGEND:
            if (c := _heading_child(p.path, heads, fmt)) is not None:
                out.append(c)
            out += _children(p, parts, heads, fmt)
    return out


def candidate_groups(plan, docs: Sequence[str]) -> list[list[Column]]:
    """Groups of parts that may stand side by side: the documents (when several), each document's
    top-level parts, and each set of sibling sections, highest level first."""
    out: list[list[Column]] = []
    views = {d: plan.doc(d) for d in docs}
    heads = {d: _heads(v) for d, v in views.items()}
    fmt = {d: next(iter(v.chunks.values())).format if v.chunks else "text" for d, v in views.items()}
    if len(docs) > 1:
        out.append([Column(plan.titles.get(d, d), d, tuple(_document_children(views[d].parts, heads[d], fmt[d])))
                    for d in docs])
    for d in docs:
        parts = [p for p in views[d].parts if p.role is not Role.LEGEND]
        siblings: dict[tuple[str, ...], list[Part]] = {}
        for p in parts:
            siblings.setdefault(p.path[:-1], []).append(p)
        for _, group in sorted(siblings.items(), key=lambda kv: len(kv[0])):
            if len(group) >= 2:
                out.append([Column(p.name, d, tuple(_children(p, parts, heads[d], fmt[d]))) for p in group])
    return out


def rows_of(columns: Sequence[Column], vectors: Vectors | None, same: float = SAME_MEANING) -> list[list[tuple[int, Child]]]:
    """The children that recur: rows of (column number, child), each row in at least two columns.
    Children with the same key are one row; different keys are joined when their vectors are `same` apart."""
    keys: dict[str, list[tuple[int, Child]]] = {}
    for k, col in enumerate(columns):
        for child in col.children:
            keys.setdefault(child.key, []).append((k, child))
    names = list(keys)
    parent = list(range(len(names)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if vectors is not None and len(names) > 1:
        v = np.asarray(vectors([keys[n][0][1].label for n in names]), dtype=np.float32)
        sims = v @ v.T
        # complete linkage: a label joins a row only when it is close to every label already in it
        order = sorted(range(len(names)), key=lambda i: -len(keys[names[i]]))
        members: dict[int, list[int]] = {i: [i] for i in range(len(names))}
        for a in order:
            for b in order:
                ra, rb = root(a), root(b)
                if ra == rb or sims[a, b] < same:
                    continue
                if all(sims[x, y] >= same for x in members[ra] for y in members[rb]):
                    parent[rb] = ra
                    members[ra] += members.pop(rb)
    rows: dict[int, list[tuple[int, Child]]] = {}
    for i, n in enumerate(names):
        rows.setdefault(root(i), []).extend(keys[n])
    out = [sorted(r, key=lambda kc: (kc[0], kc[1].start)) for r in rows.values()]
    return sorted((r for r in out if len({k for k, _ in r}) >= 2), key=lambda r: (r[0][0], r[0][1].start))


def part_grid(plan, docs: Sequence[str], vectors: Vectors | None, same: float = SAME_MEANING) -> Matrix:
    """Parts × recurring children of the documents `docs`: the candidate group whose rows fill the most cells."""
    groups_ = candidate_groups(plan, docs)
    if not groups_:
        return _empty(docs, MatrixGap.NO_PARTS)
    best: tuple[int, list[Column], list] | None = None
    for columns in groups_:
        rows = rows_of(columns, vectors, same)
        filled = sum(len({k for k, _ in r}) for r in rows)
        if best is None or filled > best[0]:
            best = (filled, columns, rows)
    filled, columns, rows = best
    if not filled:
        return _empty(docs, MatrixGap.NOTHING_RECURS)
    names = _column_names(columns)
    cells: dict[tuple[str, str], MapCell] = {}
    fields: list[str] = []
    for row in rows:
        label = _row_label(row)
        fields.append(label)
        for k, child in row:
            d = Draft()
            d.cite_item(child.item) if child.item is not None else d.cite(child.chunk, child.start, child.end)
            old = cells.get((names[k], label))
            cells[(names[k], label)] = MapCell((*(old.citations if old else ()), *d.citations))
    return Matrix(
        doc_ids=tuple(docs),
        unit_noun="",
        units=tuple(names),
        fields=tuple(fields),
        categories=(),
        cells=cells,
        kind=MatrixKind.PARTS,
        part_docs={n: c.doc_id for n, c in zip(names, columns)},
    )


def _row_label(row: Sequence[tuple[int, Child]]) -> str:
    """A row is named by the label most of its parts use (the first one on a tie)."""
    counts: dict[str, int] = {}
    for _, child in row:
        counts[child.label] = counts.get(child.label, 0) + 1
    return max(counts, key=lambda label: counts[label])


def _column_names(columns: Sequence[Column]) -> list[str]:
    """Column names, made distinct (two documents may have parts of the same name)."""
    seen: dict[str, int] = {}
    out = []
    for c in columns:
        seen[c.name] = seen.get(c.name, 0) + 1
        out.append(c.name if seen[c.name] == 1 else f"{c.name}（{seen[c.name]}）")
    return out


def _empty(docs: Iterable[str], gap: MatrixGap) -> Matrix:
    return Matrix(doc_ids=tuple(docs), unit_noun="", units=(), fields=(), categories=(), cells={},
                  kind=MatrixKind.PARTS, gap=gap)


# --- either ------------------------------------------------------------------------------------------------


def build(kb, docs: Sequence[str], placed: Mapping[str, Placement], vectors: Vectors | None) -> Matrix:
    """The matrix of the documents `docs` (ids the index holds): units × fields for the plans among them
    that have units, else parts × recurring children."""
    docs = [d for d in dict.fromkeys(docs) if d in kb.profiles]
    if not docs:
        return _empty((), MatrixGap.NO_DOCUMENTS)
    plans = [d for d in docs if kb.profile(d).has_units]
    if plans:
        return unit_grid(kb, plans, placed)
    return part_grid(kb.plan, docs, vectors)
