"""A part's direct sub-headings. Private to `assistant.answers` (section and count read them)."""

from __future__ import annotations

from corpus.model import Chunk
from assistant.plan import Part, display_name


def subsections(part: Part) -> list[tuple[str, Chunk, int, int]]:
    """The part's direct sub-headings (without their numbering), each with its section's span."""
    depth = len(part.path) + 1
    return [(display_name(path[-1]), c, s, e) for c in part.chunks for path, s, e in c.sections
            if len(path) == depth and tuple(path[: len(part.path)]) == part.path]
