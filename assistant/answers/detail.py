"""Continuation (もっと詳しく / 他には): everything the previous subject's units or parts say."""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers.draft import Draft
from assistant.types import Intent

INTENT = Intent.DETAIL


def answer(ctx: Context) -> Draft | None:
    parts = ctx.units() or ctx.parts_named()
    if not parts:
        return None
    d = Draft()
    for part in parts:
        d.lead(f"{ctx.label(part) if part.is_unit else part.name}について、資料には次のように書かれています。")
        for s in part.sentences:
            d.quote(s.span.text, d.cite_span(s))
    return d
