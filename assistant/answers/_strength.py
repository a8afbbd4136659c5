"""How firmly a plan states the items an answer names (● 検討 / ○ 言及のみ), said the same way in every
answer shape: each item carries its strength, a list that mixes them counts them in its lead, and an
answer naming a potential-only item says once what that label means, citing those items (`note_potential`,
which the router runs after every answer module). Private to `assistant.answers` and the router."""

from __future__ import annotations

from typing import Sequence

from assistant.answers.draft import Draft
from assistant.render import strength_counts, strength_label
from assistant.types import LineKind, Strength


def counted(lead: str, strengths: Sequence[Strength | None]) -> str:
    """A lead ending in 。 with the strengths counted when they differ: 「…4分野が挙げられています（● 検討 1、○ 言及のみ 3）。」"""
    counts = strength_counts(strengths)
    if not counts:
        return lead
    body = lead[:-1] if lead.endswith("。") else lead
    return f"{body}（{counts}）。"


def _note() -> str:
    label = strength_label(Strength.POTENTIAL)
    return f"{label.badge}：{label.explain}"


def explain_potential(d: Draft, strengths: Sequence[Strength | None], cites: Sequence[int]) -> None:
    """A note saying what ○ 言及のみ means, citing the potential-only items (nothing when there are none, or
    when the answer says it already)."""
    mine = [n for s, n in zip(strengths, cites) if s is Strength.POTENTIAL]
    note = _note()
    if mine and not any(line.kind is LineKind.NOTE and line.text == note for line in d.lines):
        d.note(note, *dict.fromkeys(mine))


def note_potential(d: Draft) -> None:
    """The note on ○ when the answer's item or unit lines name a potential-only item (each such line's
    citations); the router adds it to every answer shape."""
    strengths, cites = [], []
    for line in d.lines:
        if line.kind in (LineKind.ITEM, LineKind.UNIT) and Strength.POTENTIAL in line.item_strengths():
            strengths += [Strength.POTENTIAL] * len(line.cites)
            cites += line.cites
    explain_potential(d, strengths, cites)
