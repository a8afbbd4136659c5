"""「Xは〜のパートと〜のところでそれぞれどう書かれている？」: two parts of a collection side by side on the
question's theme. A side is a part the question names (a document by its title or file name, a section by
its heading, or the document the name finds: `Understanding.parts`), else a document whose title holds a
word of the question. Each side quotes what it says of the theme: its passages that name the question's most
specific word, first those of a section headed with it (with the section's first points), else the side's
best passages for the question; each cited under its place."""

from __future__ import annotations

from dataclasses import dataclass, replace

from corpus.text import CIRCLED, squash
from assistant.answers._decline import not_stated
from assistant.answers._passages import address_only, retrieved
from assistant.answers._tree import place, ranked, specific_term, titled
from assistant.answers.context import Context
from assistant.answers.draft import Draft
from assistant.evidence import Scored
from assistant.plan import Located
from assistant.types import Intent

INTENT = Intent.SIDE_BY_SIDE

# Passages of a side without the theme word are searched among this many BM25 hits within it.
SIDE_HITS = 5
MIN_OVERLAP = 0.15
# Each side quotes up to this many passages, within this many characters.
PER_SIDE = 2
SIDE_CHARS = 150


@dataclass(frozen=True)
class _Side:
    doc_id: str
    path: tuple[str, ...]  # a section of it, or () for the whole document


def answer(ctx: Context) -> Draft | None:
    sides = [_Side(p.doc_id, p.path) for p in ctx.u.parts][:2]
    if len(sides) < 2:
        sides = [_Side(d, ()) for d in titled(ctx)[:2]]
    if len(sides) < 2:
        return None
    names = [squash(p.name) for p in ctx.u.parts]
    theme = specific_term(ctx, exclude=names)
    lines = [(side, chosen) for side in sides if (chosen := _side(ctx, side, theme))]
    if not lines:
        return not_stated("この質問に答える内容", [ctx.kb.plan.chunks[h.chunk_id] for h in ctx.hits[:2]])
    d = Draft()
    d.lead(f"「{theme}」について、それぞれ次のように書かれています。" if theme else "それぞれ次のように書かれています。")
    for side, chosen in lines:
        d.note(f"「{place(ctx, chosen[0].located)}」")  # each side's place: file › title › section
        for s in chosen:
            d.quote(s.located.span.text, d.cite_span(s.located, s.score))
    missing = [s for s in sides if s not in [x for x, _ in lines]]
    if missing:
        d.note("「" + "」「".join(ctx.kb.plan.titles[s.doc_id] for s in missing) + "」には、この質問に当たる記載が見つかりませんでした。")
    return d


def _side(ctx: Context, side: _Side, theme: str) -> list[Scored]:
    """What one side says of the theme: in its section first, else in its document."""
    for path in ((side.path, ()) if side.path else ((),)):
        found = _mentions(ctx, side.doc_id, path, theme) if theme else []
        if found:
            return _fit(found)
    hits = ctx.evidence.lexical_hits(ctx.u.norm, SIDE_HITS, [side.doc_id])
    here = replace(ctx, hits=hits)
    good = [s for s in ranked(here, retrieved(here)) if s.overlap >= MIN_OVERLAP and _inside(s.located, side.path)]
    return _fit(good)


def _mentions(ctx: Context, doc_id: str, path: tuple[str, ...], theme: str) -> list[Scored]:
    """What a document (or one section and those below it) says of the theme: the points of its section most
    about it (headed with it; the theme named most often, a numbered heading first), those that name the theme
    first; else every passage that names it, ranked."""
    key = squash(theme)
    plan = ctx.kb.plan
    parts = [p for p in plan.parts_of(doc_id) if not path or p.path[: len(path)] == path]

    def passages(p) -> list[Located]:
        # a list entry is also a sentence of its section: one passage per place
        one = {x.span.start: x for x in (*p.items, *p.sentences) if not address_only(x)}
        return [one[s] for s in sorted(one)]

    def mentions(p) -> int:
        return sum(key in squash(x.span.text) for x in passages(p)) + 1 + (p.path[-1][:1] in CIRCLED)

    headed = [p for p in parts if key in squash(p.name)]
    if headed:
        central = max(headed, key=lambda p: (mentions(p), -p.start))
        points = passages(central)
        order = [x for x in points if key in squash(x.span.text)] + [x for x in points if key not in squash(x.span.text)]
        scored = {s.located.span.start: s for s in ranked(ctx, points)}
        return [scored[x.span.start] for x in order if x.span.start in scored]
    named = [x for p in parts for x in passages(p) if key in squash(x.span.text)]
    return ranked(ctx, named) if named else []


def _fit(ranked_passages: list[Scored]) -> list[Scored]:
    """The first passages that fit a side, quoted in document order."""
    chosen, size = [], 0
    for s in ranked_passages:
        if len(chosen) == PER_SIDE:
            break
        if chosen and size + len(s.located.span.text) > SIDE_CHARS:
            continue
        if any(c.located.span.start == s.located.span.start for c in chosen):
            continue
        chosen.append(s)
        size += len(s.located.span.text)
    return sorted(chosen, key=lambda s: s.located.span.start)


def _inside(loc: Located, path: tuple[str, ...]) -> bool:
    if not path:
        return True
    here = next((p for p, s, e in loc.chunk.sections if s <= loc.span.start < e), loc.chunk.section_path)
    return tuple(here[: len(path)]) == path
