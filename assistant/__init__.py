"""Japanese retrieval assistant for regional industrial-policy plans.

    from assistant import Assistant
    bot = Assistant.load()
    answer = bot.ask("九州で検討されているクラスターの分野は？")
"""

from assistant.api import Assistant
from assistant.config import Settings
from assistant.generation import EXTRACTIVE, GENERATIVE, MODES
from assistant.render import strength_label
from assistant.types import (
    Answer, Citation, FieldMap, Intent, Line, LineKind, MapCell, Matrix, MatrixGap, MatrixKind, Strength, StrengthLabel,
)
from assistant.understanding import MAX_TURNS as CONTEXT_TURNS

__all__ = ["CONTEXT_TURNS", "EXTRACTIVE", "GENERATIVE", "MODES", "Answer", "Assistant", "Citation", "FieldMap", "Intent",
           "Line", "LineKind", "MapCell", "Matrix", "MatrixGap", "MatrixKind", "Settings", "Strength", "StrengthLabel",
           "strength_label"]
