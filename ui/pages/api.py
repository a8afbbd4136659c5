"""The public JSON endpoints (`/ask`, `/field_map`; `/new_conversation` is the chat's button): for
gradio_client and scripts. An API session keeps its last turns on the server, bounded and expiring."""

from __future__ import annotations

import logging
import time

import gradio as gr

from assistant import Intent, check_question
from ui.conversation import HISTORY_MESSAGES
from ui.pages.base import Page
from ui.pages.chat import ERROR_TEXT
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
        """{text, answerable, intent, citations, lines, turn …}; refused or failed questions carry `error`:
        the question check's code (empty, too_long, encoding), "unavailable" (the index cannot be reached,
        its own message as text) or "internal"."""
        state = state if isinstance(state, dict) else {}
        turn, history = int(state.get("turn") or 0), _plain_history(state.get("messages"))
        problem = check_question(question)  # the one check (assistant.validation), before any work
        if problem:
            out = {"text": problem.message, "answerable": False, "intent": Intent.INVALID.value, "citations": [],
                   "error": problem.code}
            if problem.code == "too_long":
                out["limit"] = problem.limit
            return out, state
        started = time.perf_counter()
        try:
            answer = self.app.bot.ask(question, history)
        except Exception:  # noqa: BLE001 - ask answers every failure itself; this is the last guard
            log.exception("api ask failed for %r", question[:200])
            return {"text": ERROR_TEXT, "answerable": False, "intent": Intent.ERROR.value, "citations": [],
                    "error": "internal"}, state
        out = answer.to_dict()
        if answer.intent == Intent.UNAVAILABLE.value:
            out["error"] = "unavailable"
            return out, state
        if answer.intent == Intent.ERROR.value:
            out["error"] = "internal"
            out["text"] = self.app.chat.recover() or ERROR_TEXT
            return out, state
        if answer.intent == Intent.INVALID.value:
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
