"""The UI's words about the bundled documents (title, examples …), read from content.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CONTENT = Path(__file__).with_name("content.toml")


@dataclass(frozen=True)
class Content:
    title: str
    subtitle: str
    placeholder: str
    examples: tuple[tuple[str, tuple[str, ...]], ...]  # (button label, questions asked in turn)
    strength: "StrengthWords"


@dataclass(frozen=True)
class StrengthWords:
    """How the UI says an item's strength (the map's legend and cells, the answers' badge)."""

    planned: str
    potential: str
    planned_short: str
    potential_short: str
    potential_badge: str


@lru_cache(maxsize=1)
def content() -> Content:
    data = tomllib.loads(CONTENT.read_text(encoding="utf-8"))
    return Content(
        title=data["title"],
        subtitle=data["subtitle"],
        placeholder=data["placeholder"],
        examples=tuple((e["label"], tuple(e["questions"])) for e in data.get("examples", [])),
        strength=StrengthWords(**data["strength"]),
    )
