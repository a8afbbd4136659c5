"""Choosing passages to quote: the best one, then close runners-up, preferring parts not quoted yet."""

from __future__ import annotations

from typing import Sequence

from assistant.evidence import Scored

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


def with_forward_lists(chosen: list[Scored], ranked: Sequence[Scored], forward) -> list[Scored]:
    """「以下の多様な分野」「次の分野」 point at the list that follows: quoting the sentence brings the list."""
    by_start = sorted(ranked, key=lambda s: s.located.span.start)
    out = list(chosen)
    for s in chosen:
        if forward.search(s.located.span.text):
            later = [x for x in by_start if x.located.span.start > s.located.span.start]
            if later and later[0] not in out:
                out.append(later[0])
    return out
