"""Understanding, one stage: question (and earlier turns) → `Understanding` (entities, scope, intent).

    read       normalise once, Sudachi words and boundaries             read.py
    names      units, places, fields, slips, documents named by title   names.py
    headings   parts named by their heading                             headings.py
    words      topics, phrases, words the documents never use           unknown.py, words.py
    follow-ups what earlier turns carry (facts, never an intent)        followups.py
    search     the passages (hybrid for the question, BM25 for earlier turns)
    scope      plan semantics only where the evidence agrees            scope.py
    intent     decided once, from the final entities                    intent.py
"""

from assistant.understanding.followups import MAX_TURNS
from assistant.understanding.model import Entities, Understanding
from assistant.understanding.read import Question
from assistant.understanding.stage import Search, understand
from assistant.understanding.words import noun_phrases

__all__ = ["MAX_TURNS", "Entities", "Question", "Search", "Understanding", "noun_phrases", "understand"]
