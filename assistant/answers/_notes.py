"""Lines that say how the question was read: a place taken as its unit (a prefecture → the unit
holding it), a slip corrected, a paraphrase taken as a field."""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers.draft import Draft


def reading_notes(ctx: Context, d: Draft) -> None:
    if ctx.u.notes:
        d.note("、".join(ctx.u.notes) + " として回答します")
