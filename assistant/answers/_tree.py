"""The heading tree as answer modules read it: a document's parts, its summary section, a passage's place
(document › part › section) and the list an item belongs to. Private to `assistant.answers`."""

from __future__ import annotations

import re
from typing import Sequence

from corpus.text import normalize, squash
from assistant.answers.context import Context
from assistant.understanding.headings import titled_documents
from assistant.evidence import Scored
from assistant.plan import Located, Part

# A heading shares at least this share of its character pairs with the title: it restates the title
# (「世界一の子育て・教育環境の実現へ」 under 「【未来世代】世界一の子育て・教育環境」), so it sums the document up.
TITLE_LIKE = 0.6
# A document named by the question shares at least this many character pairs with its title or file name.
NAMED_PAIRS = 2


def _pairs(text: str) -> set[str]:
    s = squash(text)
    return {s[i : i + 2] for i in range(len(s) - 1)} if len(s) > 1 else {s}


def likeness(a: str, b: str) -> float:
    """The share of `a`'s character pairs that `b` has."""
    pa = _pairs(a)
    return len(pa & _pairs(b)) / len(pa) if pa else 0.0


def top_parts(ctx: Context, doc_id: str) -> list[Part]:
    return [p for p in ctx.kb.plan.parts_of(doc_id) if len(p.path) == 1]


def file_of(ctx: Context, doc_id: str) -> str:
    view = ctx.kb.plan.doc(doc_id)
    return next((c.file for c in view.chunks.values() if c.file), "")


def named_document(ctx: Context) -> str | None:
    """The document the question is about: one it names by title, else the one whose title or file name
    shares most character pairs with the question (at least NAMED_PAIRS), else the first hit's."""
    u = ctx.u
    if u.documents:
        return u.documents[0]
    question = _pairs(u.question.norm)
    docs = [d for d in ctx.kb.plan.titles if ctx.scope is None or d in ctx.scope]
    scored = []
    for d in docs:
        stem = file_of(ctx, d).rsplit(".", 1)[0]
        shared = len(question & _pairs(ctx.kb.plan.titles[d])) + len(question & _pairs(stem))
        scored.append((shared, d))
    best = max(scored, default=(0, None))
    if best[0] >= NAMED_PAIRS and sum(1 for s, _ in scored if s == best[0]) == 1:
        return best[1]
    return u.first_doc


def titled(ctx: Context) -> list[str]:
    """The documents whose title holds one of the question's own words (two characters or more), in the
    order the question names them."""
    return titled_documents(ctx.u, ctx.kb)


def summary_part(ctx: Context, doc_id: str) -> Part | None:
    """The top-level part that sums the document up: headed with a summary word, or restating the title.
    (The first of several parallel parts is no summary: a chapter of policies opens with its first policy.)"""
    parts = [p for p in top_parts(ctx, doc_id) if p.items or p.sentences]
    words = ctx.kb.lexicon.summary_headings
    title = ctx.kb.plan.titles[doc_id]
    for p in parts:
        if any(w in p.name.lower() for w in words) or likeness(p.name, title) >= TITLE_LIKE:
            return p
    return None


def points(part: Part, depth: int = 2) -> list[Located]:
    """A part's list entries down to `depth` levels below its shallowest list level."""
    listed = [i for i in part.items if i.span.depth > 0]
    if not listed:
        return list(part.items)
    top = min(i.span.depth for i in listed)
    return [i for i in listed if i.span.depth < top + depth]


def place(ctx: Context, loc: Located) -> str:
    """Where a passage sits: file › title › part › section."""
    c = loc.chunk
    path = next((p for p, s, e in c.sections if s <= loc.span.start < e), c.section_path)
    crumbs = [c.title, *(h for h in path if h and h != c.title)]
    return " › ".join(dict.fromkeys(x for x in (c.file, *crumbs) if x))


def breadcrumb(loc: Located, limit: int | None = None) -> str:
    """Where a passage sits as the reader sees it: document title › part › section (no file name). With a
    `limit`, the headings above the passage's own section are cut to it and its own to twice it (some
    documents head a section with a whole sentence, and its own heading says most)."""
    c = loc.chunk
    path = next((p for p, s, e in c.sections if s <= loc.span.start < e), c.section_path)
    crumbs = list(dict.fromkeys(x for x in (c.title or c.file, *path) if x))

    def cut(h: str, n: int | None) -> str:
        return h if n is None or len(h) <= n else h[: n - 1] + "…"

    return " › ".join([*(cut(h, limit) for h in crumbs[:-1]), cut(crumbs[-1], limit and 2 * limit)] if crumbs else [])


def list_of(ctx: Context, loc: Located) -> list[Located]:
    """The list a passage belongs to: an item's children when it has any (「地域軸」 and its districts),
    else the item and its siblings (same parent, same depth) in its part."""
    part = ctx.kb.plan.block_of(loc.chunk.chunk_id)
    items = [i for i in part.items if i.span.depth > 0]
    item = next((i for i in items if i.span.start <= loc.span.start < i.span.end), None)
    if item is None:
        return []
    children = [i for i in items if i.span.parent == item.span.start]
    if len(children) >= 2:
        return children
    return [i for i in items if i.span.parent == item.span.parent and i.span.depth == item.span.depth]


def section_list(ctx: Context, loc: Located) -> tuple[Part, list[Located]]:
    """The section holding a passage and the outermost entries of its own list (「3つの負担」: 経済的負担,
    時間的負担, 心理的負担, whatever is nested under each)."""
    part = ctx.kb.plan.part_at(loc.chunk, loc.span.start)
    items = [i for i in part.items if i.span.depth > 0]
    top = min((i.span.depth for i in items), default=0)
    return part, [i for i in items if i.span.depth == top]


_STATED = re.compile(r"(\d+)(?:つ|個|種類|本|点|項目|分野|件)の")


def stated_count(heading: str) -> int | None:
    """The number a heading says its list has (「不妊治療の3つの負担」 → 3)."""
    m = _STATED.search(normalize(heading))
    return int(m.group(1)) if m else None


def specific_term(ctx: Context, exclude: Sequence[str] = ()) -> str:
    """The question's most specific word that the documents use: its rarest quote, phrase or topic (not one of
    `exclude`, squashed: the names of the parts it compares)."""
    u = ctx.u
    words = [w for w in dict.fromkeys((*u.quoted, *u.phrases, *u.topics)) if len(squash(w)) >= 2
             and not any(squash(w) in x or x in squash(w) for x in exclude)]
    held = {w: len(ctx.kb.chunks_with(w)) for w in words}  # the fewer passages hold it, the more specific
    return min((w for w in words if held[w]), key=lambda w: (held[w], -len(w)), default="")


def named_part(ctx: Context) -> tuple[str, tuple[str, ...]] | None:
    """The one part the question names (a document, or a section by its heading path), if it names one."""
    parts = [p for p in ctx.u.parts if not p.excluded]
    return (parts[0].doc_id, parts[0].path) if len(parts) == 1 else None


def part_at(ctx: Context, doc_id: str, path: tuple[str, ...]) -> Part | None:
    return next((p for p in ctx.kb.plan.parts_of(doc_id) if p.path == path), None) if path else None


def child_sections(ctx: Context, doc_id: str, path: tuple[str, ...]) -> list[Part]:
    """The sections right below a section (or a document's top-level sections), in order."""
    return [p for p in ctx.kb.plan.parts_of(doc_id) if len(p.path) == len(path) + 1 and p.path[: len(path)] == path]


def first_point(ctx: Context, part: Part) -> Located | None:
    """The first passage of a section or of the sections below it (its first point)."""
    inside = [x for p in ctx.kb.plan.parts_of(part.doc_id) if p.path[: len(part.path)] == part.path
              for x in (*p.sentences, *p.items)]
    return min(inside, key=lambda x: x.span.start, default=None)


def heading_span(part: Part) -> tuple[object, int, int] | None:
    """(chunk, start, end) of a section's heading line, for citing the heading itself."""
    for c in part.chunks:
        for path, s, e in c.heads:
            if tuple(path) == part.path:
                return c, s, e
    return None


def ranked(ctx: Context, candidates: Sequence[Located]) -> list[Scored]:
    return ctx.evidence.rank(ctx.u, ctx.hits, candidates, k=0)
