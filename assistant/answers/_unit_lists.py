"""Lists of units in an answer: naming them in a lead, one line per unit, bounded with a note. Private to
`assistant.answers` (which_units, count and rank share it)."""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers.draft import Draft, item_name
from assistant.fields import ItemMatch
from assistant.plan import Part
from assistant.types import Strength


def _join(names: list[str]) -> str:
    return "、".join(names)


def shown(items: list, limit: int | None) -> list:
    """The first `limit` entries of a list answer (all of them without a limit)."""
    return items[:limit] if limit is not None else items


def names(units: list[Part], limit: int | None) -> str:
    """Units named in a lead: all of them, or the first `limit` and how many more."""
    return names_counted(units, len(units), limit)


def names_counted(units: list[Part], total: int, limit: int | None) -> str:
    """`names` when only the first units were gathered and `total` were counted."""
    first = shown(units, limit)
    more = f"ほか{total - len(first)}件" if len(first) < total else ""
    return _join([p.name for p in first]) + more


def more_note(d: Draft, total: int, limit: int | None) -> None:
    """Says how many entries a bounded list left out, and how to see them (counted in `Draft.omitted`)."""
    if limit is not None and total > limit:
        d.omitted += total - limit
        d.note(f"ほか{total - limit}件。すべて表示するには「続きを表示」（CLI: --all）を使ってください")


def count_units(ctx: Context, units: list[Part], total: int | None = None) -> str:
    n = len(units) if total is None else total
    noun = ctx.noun(units[0].doc_id) if units else ""
    return f"{n}{noun}" if noun else f"{n}か所"


def unit_lines(d: Draft, matches: list[ItemMatch], limit: int | None) -> None:
    """One line per unit: its matching items, cited, potential-only marked; at most `limit` units."""
    by_unit: dict[int, tuple[Part, dict[int, ItemMatch]]] = {}
    for m in matches:  # keyed by position: hashing whole items is slow on big plans
        by_unit.setdefault(id(m.unit), (m.unit, {}))[1][m.item.span.start] = m
    groups = list(by_unit.values())
    for unit, items in shown(groups, limit):
        mine = sorted(items.values(), key=lambda m: m.item.span.start)
        strength = Strength.POTENTIAL if all(m.strength is Strength.POTENTIAL for m in mine) else Strength.PLANNED
        d.unit(unit.name, [item_name(m.item) for m in mine], [d.cite_item(m.item) for m in mine], strength,
               [m.strength for m in mine])
    more_note(d, len(groups), limit)


def whole_list(d: Draft, ctx: Context, unit: Part) -> None:
    """A unit with every item it lists, each with its strength, cited by the sentences that list them."""
    strengths = [ctx.kb.vocab.strength(i) for i in unit.listed]
    d.unit(unit.name, [item_name(i) for i in unit.listed], [d.cite_sentence(i) for i in unit.listed],
           strengths=strengths)


def units_of(matches: list[ItemMatch]) -> list[Part]:
    return list({id(m.unit): m.unit for m in matches}.values())


