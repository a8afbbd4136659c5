"""Japanese retrieval assistant for regional industrial-policy plans.

    from assistant import Assistant
    bot = Assistant.load()
    answer = bot.ask("九州で検討されているクラスターの分野は？")
"""

from assistant.api import Assistant
from assistant.config import Settings
from assistant.generation import EXTRACTIVE, GENERATIVE, MODES
from assistant.types import Answer, Citation, FieldMap, Intent, Line, LineKind

__all__ = ["EXTRACTIVE", "GENERATIVE", "MODES", "Answer", "Assistant", "Citation", "FieldMap", "Intent", "Line",
           "LineKind", "Settings"]
