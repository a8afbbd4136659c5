"""The user's LLM through llama-index (`OpenAILike`: any OpenAI-compatible /v1 endpoint: Ollama, llama.cpp,
vLLM …), streamed under one deadline for the whole generation.

The stream is read in a worker thread that hands each piece over a queue; the caller waits on the queue no
longer than the deadline, so a server that stalls, drips or never answers costs at most the timeout. The
worker ends by itself (the HTTP client's own timeout is the same length). No lock is held while a reply is
generated: questions of other users never wait for one.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from assistant.generation.prompt import Message

log = logging.getLogger(__name__)

MAX_TOKENS = 384  # a short cited answer (5 sentences or so); a longer reply is cut by the server (finish_reason "length")
# Reply.status values
DONE, TRUNCATED, TIMEOUT, UNREACHABLE, MALFORMED, FAILED = "done", "truncated", "timeout", "unreachable", "malformed", "failed"


@dataclass(frozen=True)
class LLMConfig:
    url: str
    model: str | None = None  # None: the first model the server lists
    api_key: str | None = None
    timeout: float = 60.0
    max_tokens: int = MAX_TOKENS

    @classmethod
    def from_settings(cls, settings) -> "LLMConfig | None":
        if not settings.llm_url:
            return None
        return cls(url=settings.llm_url.rstrip("/"), model=settings.llm_model, api_key=settings.llm_api_key,
                   timeout=float(settings.llm_timeout))


@dataclass(frozen=True)
class Reply:
    text: str
    status: str  # done, truncated, timeout, unreachable, malformed, failed
    model: str = ""
    detail: str = ""  # the error, for the log and the trace


def _status_of(exc: BaseException) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return TIMEOUT
    if isinstance(exc, openai.APIConnectionError):
        return UNREACHABLE
    if isinstance(exc, openai.APIStatusError):
        return FAILED
    return MALFORMED  # a stream that is not the protocol: bad JSON, missing fields, a cut connection


def _finish_reason(raw) -> str | None:
    choices = getattr(raw, "choices", None) or (raw.get("choices") if isinstance(raw, dict) else None) or []
    first = choices[0] if choices else None
    return getattr(first, "finish_reason", None) or (first.get("finish_reason") if isinstance(first, dict) else None)


class Client:
    """One per Assistant; safe to use from many threads at once."""

    def __init__(self, config: LLMConfig) -> None:
        # Imported now (at load), not on the first question: under load, importing the openai client takes
        # seconds that would count against the first generation's deadline.
        import llama_index.llms.openai_like  # noqa: F401
        import openai  # noqa: F401

        self.config = config
        self._llm = None
        self._model = config.model
        self._build_lock = threading.Lock()  # held only while the client object is made, never while it talks

    @property
    def model(self) -> str:
        return self._model or ""

    def _resolve_model(self) -> str:
        """The configured model, or the first the server lists (llama.cpp serves one; Ollama and vLLM need
        the name, which ASSISTANT_LLM_MODEL gives)."""
        if self._model:
            return self._model
        import openai

        c = self.config
        listing = openai.OpenAI(base_url=c.url, api_key=c.api_key or "none", timeout=c.timeout, max_retries=0)
        models = [m.id for m in listing.models.list()]
        self._model = models[0] if models else "default"
        return self._model

    def _llm_for(self, model: str):
        with self._build_lock:
            if self._llm is None or self._llm.model != model:
                from llama_index.llms.openai_like import OpenAILike

                c = self.config
                self._llm = OpenAILike(
                    model=model, api_base=c.url, api_key=c.api_key or "none", is_chat_model=True, timeout=c.timeout,
                    max_retries=0, temperature=0.0, max_tokens=c.max_tokens, context_window=32768,
                )
            return self._llm

    def stream(self, messages: Sequence[Message], on_delta: Callable[[str], None] | None = None,
               deadline: float | None = None) -> Reply:
        """The model's reply, read until it ends or `deadline` (time.monotonic()) passes; never raises."""
        from llama_index.core.llms import ChatMessage

        deadline = deadline if deadline is not None else time.monotonic() + self.config.timeout
        pieces: queue.Queue = queue.Queue()
        stop = threading.Event()
        chat = [ChatMessage(role=m.role, content=m.content) for m in messages]

        def work() -> None:
            try:
                model = self._resolve_model()
                pieces.put(("model", model))
                stream = self._llm_for(model).stream_chat(chat)
                try:
                    for r in stream:
                        if stop.is_set():
                            break
                        pieces.put(("delta", r.delta or ""))
                        reason = _finish_reason(r.raw)
                        if reason:
                            pieces.put(("finish", reason))
                finally:
                    close = getattr(stream, "close", None)
                    if close:
                        close()
                pieces.put(("end", None))
            except Exception as exc:  # noqa: BLE001 - every failure becomes a status for the caller
                pieces.put(("error", exc))

        threading.Thread(target=work, name="llm-stream", daemon=True).start()
        text, finish, model = "", None, self.model
        while True:
            left = deadline - time.monotonic()
            try:
                kind, value = pieces.get(timeout=max(left, 0.0)) if left > 0 else pieces.get_nowait()
            except queue.Empty:
                stop.set()
                return Reply(text, TIMEOUT, model, f"no end within {self.config.timeout:g} s")
            if kind == "model":
                model = value
            elif kind == "delta":
                text += value
                if on_delta is not None and value:
                    on_delta(text)
            elif kind == "finish":
                finish = value
            elif kind == "error":
                log.info("generation failed: %s: %s", type(value).__name__, value)
                return Reply(text, _status_of(value), model, f"{type(value).__name__}: {value}"[:300])
            else:
                return Reply(text, TRUNCATED if finish == "length" else DONE, model, finish or "")
