"""One decision per question: the checks before dispatch, the answer module for the intent, and every
fallback between modules. Answer modules never call each other: a module that does not apply to the
question returns None and the router tries the next one; `Routed.intent` names the module that answered."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from assistant.answers import (
    compare, count, detail, difference, explain, general, items, lookup, mentions, outline, rank, reasons, section, side_by_side,
    unit_field, unit_items, where, which_units,
)
from assistant.answers._decline import missing_for_units, unknown_words
from assistant.answers._strength import note_potential
from assistant.answers.context import Context
from assistant.answers.draft import Draft
from assistant.types import Intent

# The modules tried for each intent, in order; the last one always answers.
CHAINS: dict[Intent, tuple[ModuleType, ...]] = {
    Intent.UNIT_ITEMS: (unit_items,),
    Intent.UNIT_FIELD: (unit_field, unit_items),  # 「X以外」 asks for the unit's other items
    Intent.WHICH_UNITS: (which_units, general),  # no unit lists or mentions it: another part may say it
    Intent.COUNT: (count, section, general),  # no plan with units: the named part's entries, else the passages
    Intent.COMPARE: (compare,),
    Intent.RANK: (rank,),
    Intent.EXPLAIN: (explain, general),
    Intent.DIFFERENCE: (difference, general),  # one of the two terms is not found: the passages
    Intent.SECTION: (section, general),
    Intent.DETAIL: (detail, general),
    Intent.WHERE: (where,),
    Intent.OUTLINE: (outline,),
    Intent.ITEMS: (items,),
    Intent.MENTIONS: (mentions, items),  # no passage holds the term: the list the search found
    Intent.REASONS: (reasons, general),  # no passage holds enough of the question: the general path
    Intent.SIDE_BY_SIDE: (side_by_side,),
    Intent.LOOKUP: (lookup, general),  # no passage holds enough of the question: the general path
    Intent.GENERAL: (general,),
}
# Intents answered without the plan check for a kind of information (they read passages, not units).
_PASSAGE_INTENTS = {Intent.GENERAL, Intent.LOOKUP, Intent.COMPARE, Intent.DIFFERENCE, Intent.WHERE, Intent.OUTLINE,
                    Intent.ITEMS, Intent.MENTIONS, Intent.REASONS, Intent.SIDE_BY_SIDE}


@dataclass(frozen=True)
class Routed:
    draft: Draft
    intent: Intent  # the module that answered, or NOT_STATED when a check declined before dispatch


def route(ctx: Context) -> Routed:
    declined = _checks(ctx)
    if declined is not None:
        return Routed(declined, Intent.NOT_STATED)
    for module in CHAINS[ctx.u.intent]:
        draft = module.answer(ctx)
        if draft is not None:
            note_potential(draft)  # every shape says what ○ 言及のみ means when it names such an item
            return Routed(draft, module.INTENT)
    raise AssertionError(f"the last module for {ctx.u.intent} did not answer")


def _checks(ctx: Context) -> Draft | None:
    """Before dispatch: the question is about something the documents never mention, or asks a plan's units
    for a kind of information they do not hold. A part's outline is found by name: a missing word is no answer."""
    u = ctx.u
    if u.intent is Intent.OUTLINE:
        return None
    declined = unknown_words(ctx)
    if declined is None and u.intent not in _PASSAGE_INTENTS:
        declined = missing_for_units(ctx)
    return declined
