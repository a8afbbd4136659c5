"""What an answer module gets: the understood question, the retrieved hits and the knowledge snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from index.search import Hit
from assistant.evidence import Evidence
from assistant.knowledge import Knowledge
from assistant.plan import Part
from assistant.profile import DocumentProfile
from assistant.understanding import Understanding


@dataclass(frozen=True)
class Context:
    u: Understanding
    hits: Sequence[Hit]
    kb: Knowledge
    evidence: Evidence
    list_limit: int | None = None  # at most this many units in a list answer (None: all)
    said: str = ""  # the previous answer's text: 「他には？」 wants what it did not quote

    @property
    def scope(self) -> tuple[str, ...] | None:
        return self.u.scope or None

    def units(self) -> list[Part]:
        """The units the question names, in its order, within scope."""
        return [p for n in self.u.units if (p := self.kb.plan.unit(n, self.scope))]

    def profile(self, part: Part) -> DocumentProfile:
        return self.kb.profile(part.doc_id)

    def label(self, part: Part) -> str:
        return self.profile(part).unit_label(part.name)

    def noun(self, doc_id: str) -> str:
        return self.kb.profile(doc_id).unit_noun

    def item_noun(self, doc_id: str) -> str:
        return self.kb.profile(doc_id).item_noun or self.kb.lexicon.item_nouns[-1]

    def parts_named(self) -> list[Part]:
        """Other parts the question names by heading (凡例, 分野横断的課題 …): the section whose heading
        it names inside such a part when there is one, else the part."""
        out = []
        for block in self.kb.plan.others():
            if block.name not in self.u.sections or (self.scope is not None and block.doc_id not in self.scope):
                continue
            inner = [p for p in self.kb.plan.parts_of(block.doc_id) if len(p.path) > 1
                     and p.path[0] == block.path[0] and p.path[-1] in self.u.headings]
            out += inner[:1] or [block]
        return out
