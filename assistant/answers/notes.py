"""Lines that say how the question was read: a place taken as its unit (熊本県→九州), a slip corrected
(九洲→九州), a paraphrase taken as a field (船づくり→造船)."""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers.draft import Draft


def reading_notes(ctx: Context, d: Draft) -> None:
    if ctx.u.notes:
        d.note("、".join(ctx.u.notes) + " として回答します")
