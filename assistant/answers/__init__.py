"""One module per kind of answer, found through `ANSWERS[intent]`.

Each module has `INTENT` and `answer(ctx: Context) -> Draft`; `assistant.api` picks the module for the
question's intent and renders the draft once.
"""

from __future__ import annotations

from typing import Callable

from assistant.answers import (
    compare, count, detail, difference, explain, general, items, outline, rank, reasons, section, side_by_side, unit_field, unit_items, where,
    which_units,
)
from assistant.answers.context import Context
from assistant.answers.draft import Draft
from assistant.answers.strength import explained
from assistant.types import Intent

ANSWERS: dict[Intent, Callable[[Context], Draft]] = {
    m.INTENT: explained(m.answer)  # every shape says what ○ 言及のみ means when it names such an item
    for m in (unit_items, unit_field, which_units, count, compare, rank, explain, difference, section, detail, where,
              outline, items, reasons, side_by_side, general)
}

__all__ = ["ANSWERS", "Context", "Draft"]
