"""Choosing passages to quote: the best one, then close runners-up, preferring parts not quoted yet."""

from __future__ import annotations

import re
from typing import Sequence

from corpus.structure.display import shown
from assistant.evidence import Scored
from assistant.plan import Located

# A second or third passage is quoted only when it scores at least this share of the best one.
RUNNER_UP = 0.6


def diverse(ranked: Sequence[Scored], limit: int = 3, runner_up: float = RUNNER_UP) -> list[Scored]:
    if not ranked:
        return []
    top = ranked[0].score
    close = [s for s in ranked if s.score >= runner_up * top]
    chosen: list[Scored] = []
    seen: set[tuple[str, str]] = set()
    for s in close:  # first one passage per block …
        key = (s.located.chunk.doc_id, s.located.chunk.block)
        if key not in seen:
            chosen.append(s)
            seen.add(key)
    chosen += [s for s in close if s not in chosen]  # … then the rest
    return chosen[:limit]


def list_after(part, loc, forward):
    """「以下の多様な分野」「次の7つの目標指標」 point at the list that follows: the items right after the
    sentence, up to any prose between two of them."""
    if not forward.search(loc.span.text):
        return []
    after = sorted((i for i in part.items if i.span.start >= loc.span.end), key=lambda i: i.span.start)
    out = []
    end = loc.span.end
    for item in after:
        chunk = item.chunk
        between = chunk.text[max(end - chunk.start, 0) : item.span.start - chunk.start] if chunk.start <= end else "。"
        if "。" in between:
            break
        out.append(item)
        end = item.span.end
    return out


def retrieved(ctx) -> list[Located]:
    """The sentences of the retrieved chunks, and their items that no sentence holds, in hit order."""
    plan = ctx.kb.plan
    seen: set[str] = set()
    out: list[Located] = []
    for h in ctx.hits:
        if h.chunk_id in seen or h.chunk_id not in plan.chunks:
            continue
        seen.add(h.chunk_id)
        chunk = plan.chunks[h.chunk_id]
        part = plan.block_of(h.chunk_id)
        out += [s for s in part.sentences if s.chunk is chunk]
        out += [i for i in part.items if i.chunk is chunk and not any(
            s.span.start <= i.span.start < s.span.end for s in part.sentences if s.chunk is chunk)]
    return [x for x in out if not address_only(x)]


def address_only(loc: Located) -> bool:
    """Only a web address, written bare or as a Markdown link whose text is the address itself."""
    text = loc.span.text
    return "http" in text and bool(_ADDRESS_ONLY.fullmatch(shown(text, loc.chunk.format)))  # rendered only if it may be


# A passage that is only a web address (a reference link) says nothing that answers.
_ADDRESS_ONLY = re.compile(r"\s*(?:参考[）)]?\s*)?<?https?://\S+>?\s*")
