"""One module per kind of answer. Each has `INTENT` and `answer(ctx: Context) -> Draft | None` (None: this
shape does not apply to the question); `assistant.router` picks the module and holds every fallback.
Helpers shared by modules are the private modules (`_decline`, `_passages`, `_tree` …).
"""

from __future__ import annotations

from assistant.answers.context import Context
from assistant.answers.draft import Draft

__all__ = ["Context", "Draft"]
