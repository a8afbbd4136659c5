"""How much of a unit's sentence is its own prose before any listed item. Private to `assistant.answers`
(explain and unit_items read it)."""

from __future__ import annotations

from assistant.plan import Part

# A why-answer quotes sentences whose own prose (before any listed item) is at least this long:
# 「…素地を活かし、①医療・バイオ…」 carries a reason, 「また、島嶼地域における③エネルギー」 does not.
MIN_REASON_CHARS = 15


def prose_before_items(sentence, unit: Part) -> int:
    s = sentence.span
    first = min((i.span.start for i in unit.items if s.start <= i.span.start < s.end), default=s.end)
    return first - s.start
