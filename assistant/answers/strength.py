"""How firmly a plan states the items an answer names (● 検討 / ○ 言及のみ), said the same way in every
answer shape: each item carries its strength, a list that mixes them counts them in its lead, and an
answer naming a potential-only item says once what that label means, citing those items."""

from __future__ import annotations

from typing import Sequence

from assistant.answers.draft import Draft
from assistant.render import strength_counts, strength_label
from assistant.types import Strength


def counted(lead: str, strengths: Sequence[Strength | None]) -> str:
    """A lead ending in 。 with the strengths counted when they differ: 「…4分野が挙げられています（● 検討 1、○ 言及のみ 3）。」"""
    counts = strength_counts(strengths)
    if not counts:
        return lead
    body = lead[:-1] if lead.endswith("。") else lead
    return f"{body}（{counts}）。"


def explain_potential(d: Draft, strengths: Sequence[Strength | None], cites: Sequence[int]) -> None:
    """A note saying what ○ 言及のみ means, citing the potential-only items (nothing when there are none)."""
    mine = [n for s, n in zip(strengths, cites) if s is Strength.POTENTIAL]
    if mine:
        label = strength_label(Strength.POTENTIAL)
        d.note(f"{label.badge}：{label.explain}", *dict.fromkeys(mine))
