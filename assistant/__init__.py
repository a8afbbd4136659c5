"""Japanese retrieval assistant for regional industrial-policy plans.

    from assistant import Assistant
    bot = Assistant.load()
    answer = bot.ask("九州で検討されているクラスターの分野は？")
"""

from assistant.api import Assistant
from assistant.config import Settings
from assistant.feedback import MAX_COMMENT_CHARS
from assistant.generation import EXTRACTIVE, GENERATIVE, MODES
from assistant.library import MAX_FILES, WAITING, AddReport, is_user_document, size_text
from assistant.limits import MAX_QUESTION_CHARS
from assistant.places import prefectures_of
from assistant.render import reference_line, reference_list, strength_label
from assistant.types import (
    Answer, Citation, FieldMap, Intent, Line, LineKind, MapCell, Matrix, MatrixGap, MatrixKind, Strength, StrengthLabel,
)
from assistant.understanding import MAX_TURNS as CONTEXT_TURNS
from assistant.validation import check_question

__all__ = [
    "CONTEXT_TURNS", "EXTRACTIVE", "GENERATIVE", "MAX_COMMENT_CHARS", "MAX_FILES", "MAX_QUESTION_CHARS", "MODES", "WAITING",
    "AddReport", "Answer", "Assistant", "Citation", "FieldMap", "Intent", "Line", "LineKind", "MapCell", "Matrix",
    "MatrixGap", "MatrixKind", "Settings", "Strength", "StrengthLabel", "check_question", "is_user_document",
    "prefectures_of", "reference_line", "reference_list", "size_text", "strength_label",
]
