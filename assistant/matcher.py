"""Finding known phrases in a question in one pass (Aho–Corasick, pyahocorasick), longest first,
without overlaps; Latin-script phrases only as whole words, others only on word boundaries if given."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Iterable, TypeVar

import ahocorasick

V = TypeVar("V")


@dataclass(frozen=True)
class Match(Generic[V]):
    start: int
    end: int
    key: str
    value: V


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class PhraseMatcher(Generic[V]):
    def __init__(self, entries: Iterable[tuple[str, V]]) -> None:
        self._automaton = ahocorasick.Automaton()
        values: dict[str, list[V]] = {}
        for key, value in entries:
            if key:
                values.setdefault(key, []).append(value)
        for key, vs in values.items():
            self._automaton.add_word(key, (key, tuple(vs)))
        self._empty = not values
        if not self._empty:
            self._automaton.make_automaton()

    def find_all(self, text: str, bounds: frozenset[int] | None = None) -> list[Match[tuple[V, ...]]]:
        """Every occurrence (overlapping), each with all values registered for its key."""
        if self._empty:
            return []
        out = []
        for last, (key, values) in self._automaton.iter(text):
            start, end = last - len(key) + 1, last + 1
            if key.isascii():
                if (start > 0 and _is_word_char(text[start - 1])) or (end < len(text) and _is_word_char(text[end])):
                    continue
            elif bounds is not None and not (start in bounds and end in bounds):
                continue
            out.append(Match(start, end, key, values))
        return out

    def find(self, text: str, bounds: frozenset[int] | None = None) -> list[Match[tuple[V, ...]]]:
        """Non-overlapping occurrences, longest first, in text order."""
        chosen: list[Match[tuple[V, ...]]] = []
        taken = [False] * len(text)
        for m in sorted(self.find_all(text, bounds), key=lambda m: (-(m.end - m.start), m.start)):
            if not any(taken[m.start : m.end]):
                chosen.append(m)
                taken[m.start : m.end] = [True] * (m.end - m.start)
        return sorted(chosen, key=lambda m: m.start)
