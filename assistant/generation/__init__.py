"""Optional answers from the user's own LLM, every sentence checked against what it cites.

    client.py    llama-index's OpenAILike, streamed under one deadline
    prompt.py    the instruction, the conversation, the extractive answer's passages and list
    verify.py    the deterministic verifier (pure functions)
    generate.py  extractive Answer in → generated Answer out (or the extractive one, with a note)
    texts.toml   what is said to the model and to the user; the verifier's thresholds

`Assistant.ask(..., mode="generative")` computes the extractive answer first and hands it here.
"""

from __future__ import annotations

from typing import Callable, Sequence

from corpus.text import normalize
from assistant.generation.client import Client, LLMConfig
from assistant.generation.generate import EXTRACTIVE, GENERATIVE, generate
from assistant.types import Answer

MODES = (EXTRACTIVE, GENERATIVE)


def name_finder(kb) -> Callable[[str], list[str]]:
    """The names the verifier holds a sentence to: the plans' unit names (looked up the way questions are)
    and their fields."""
    atoms = [a for a in (normalize(f) for f in kb.vocab.atoms) if len(a) >= 2]

    def find(norm: str) -> list[str]:
        return [name for _, _, name in kb.plan.names_in(norm)] + [a for a in atoms if a in norm]

    return find


class Generator:
    """The generative layer of one Assistant (None there when no LLM is configured)."""

    def __init__(self, config: LLMConfig) -> None:
        self.client = Client(config)

    @classmethod
    def from_settings(cls, settings) -> "Generator | None":
        config = LLMConfig.from_settings(settings)
        return cls(config) if config else None

    @property
    def model(self) -> str:
        return self.client.config.model or self.client.model

    def answer(self, extractive: Answer, question: str, history: Sequence[dict], kb,
               on_text: Callable[[str], None] | None = None, deadline: float | None = None) -> Answer:
        return generate(extractive, question, history, self.client, kb.tokenizer, name_finder(kb),
                        kb.lexicon.generic, on_text, deadline)


__all__ = ["EXTRACTIVE", "GENERATIVE", "MODES", "Generator", "LLMConfig"]
