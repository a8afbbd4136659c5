"""The generative mode's words (texts.toml): the instruction to the model, the notes shown to the user,
each verdict's reason, the refusal phrases and the verifier's thresholds."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Texts:
    prompt: dict[str, str]
    notes: dict[str, str]
    reasons: dict[str, str]
    abstain: tuple[str, ...]
    min_overlap: float
    min_kept_share: float
    light: frozenset[str]


@lru_cache(maxsize=1)
def texts() -> Texts:
    data = tomllib.loads(Path(__file__).with_name("texts.toml").read_text(encoding="utf-8"))
    v = data["verify"]
    return Texts(prompt=data["prompt"], notes=data["notes"], reasons=data["reasons"],
                 abstain=tuple(data["abstain"]["phrases"]), min_overlap=float(v["min_overlap"]),
                 min_kept_share=float(v["min_kept_share"]), light=frozenset(v["light"]))
