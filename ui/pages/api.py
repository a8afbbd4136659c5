"""The public JSON endpoints (`/ask`, `/field_map`; `/new_conversation` is the chat's button): for
gradio_client and scripts. An API session keeps its last turns on the server, bounded and expiring."""

from __future__ import annotations

import logging
import time

import gradio as gr

from assistant.limits import MAX_QUESTION_CHARS
from ui.conversation import HISTORY_MESSAGES
from ui.pages.base import Page
from ui.pages.chat import ERROR_TEXT, too_long_text
from ui.render import field_map as M

log = logging.getLogger("ui")


def _plain_history(history) -> list[dict]:
    """Well-formed {"role", "content": str} messages only."""
    return [{"role": m["role"], "content": m["content"]} for m in history or []
            if isinstance(m, dict) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str)]


class ApiEndpoints(Page):
    def build(self) -> None:
        # history: {"turn": n, "messages": the last HISTORY_MESSAGES messages} (bounded, expires when idle)
        self.history = gr.State({"turn": 0, "messages": []}, time_to_live=self.app.limits.idle_seconds)
        self.question = gr.Textbox(visible=False)
        self.answer = gr.JSON(visible=False)
        self.field = gr.Textbox(visible=False)
        self.field_out = gr.JSON(visible=False)

    def wire(self) -> None:
        self.question.submit(self.ask, [self.question, self.history], [self.answer, self.history], api_name="ask")
        self.field.submit(self.field_map, [self.field], [self.field_out], api_name="field_map")

    def ask(self, question, state):
        state = state if isinstance(state, dict) else {}
        turn, history = int(state.get("turn") or 0), _plain_history(state.get("messages"))
        question = question if isinstance(question, str) else ""
        if not question.strip():
            return {"text": self.app.content.empty_hint, "answerable": False, "intent": "invalid", "citations": [],
                    "error": "empty"}, state
        if len(question) > MAX_QUESTION_CHARS:
            return {"text": too_long_text(len(question)), "answerable": False, "intent": "invalid", "citations": [],
                    "error": "too_long", "limit": MAX_QUESTION_CHARS}, state
        started = time.perf_counter()
        try:
            answer = self.app.bot.ask(question, history)
        except Exception as exc:  # noqa: BLE001
            log.exception("api ask failed for %r", question[:200])
            from index.errors import IndexError_

            text = str(exc) if isinstance(exc, IndexError_) else ERROR_TEXT
            return {"text": text, "answerable": False, "intent": "error", "citations": [], "error": "internal"}, state
        out = answer.to_dict()
        if answer.intent == "error":
            out["error"] = "internal"
            out["text"] = self.app.chat.unavailable() or ERROR_TEXT
            return out, state
        if answer.intent == "invalid":
            out["error"] = "invalid"
            return out, state
        messages = history + [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
        out["turn"] = turn + 1
        out["server_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return out, {"turn": turn + 1, "messages": messages[-HISTORY_MESSAGES:]}

    def field_map(self, field):
        """Which units of the bundled plans name `field`, their prefectures and the citations."""
        data = self.app.library.field_map()
        fm = data.fm
        field = field if isinstance(field, str) else ""
        if field not in fm.fields:
            return {"field": field, "known": False, "units": [], "blocks": [], "citations": {}, "fields": list(fm.fields)}
        units = M.units_with(fm, field)
        return {
            "field": field,
            "known": True,
            "units": units,
            "blocks": units,  # the name of this key before units were generic; kept for existing clients
            "strength": {u: M.strength_of(fm, u, field) for u in units},
            "prefectures": {u: data.areas.get(u, []) for u in units},
            "citations": {u: [c.to_dict() for c in fm.cells[(u, field)].citations] for u in units},
        }
