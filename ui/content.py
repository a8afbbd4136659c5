"""The UI's words about the bundled documents (title, examples …), read from content.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant import Strength, strength_label

CONTENT = Path(__file__).with_name("content.toml")


@dataclass(frozen=True)
class Content:
    title: str
    subtitle: str
    placeholder: str
    examples: tuple[tuple[str, tuple[str, ...]], ...]  # (button label, questions asked in turn)
    strength: "StrengthWords"
    intents: dict[str, str]  # assistant.types.Intent value → the kind of question in the user's words (検索の経過)


@dataclass(frozen=True)
class StrengthWords:
    """How the UI says an item's strength (the map's legend and cells, the answers' badge): the assistant's
    own labels (assistant/lexicon/words.toml), so answers in text, in HTML and the map say it alike."""

    planned: str  # the legend: 「検討（…と書いている）」
    potential: str
    planned_short: str  # 「検討」
    potential_short: str  # 「言及のみ」
    potential_badge: str  # 「○ 言及のみ」

    @staticmethod
    def from_labels() -> "StrengthWords":
        planned, potential = strength_label(Strength.PLANNED), strength_label(Strength.POTENTIAL)
        return StrengthWords(planned=f"{planned.word}（{planned.explain}）", potential=f"{potential.word}（{potential.explain}）",
                             planned_short=planned.word, potential_short=potential.word, potential_badge=potential.badge)


@lru_cache(maxsize=1)
def content() -> Content:
    data = tomllib.loads(CONTENT.read_text(encoding="utf-8"))
    return Content(
        title=data["title"],
        subtitle=data["subtitle"],
        placeholder=data["placeholder"],
        examples=tuple((e["label"], tuple(e["questions"])) for e in data.get("examples", [])),
        strength=StrengthWords.from_labels(),
        intents=dict(data.get("intents", {})),
    )
