"""The chat's 抽出 / 生成 switch, kept per conversation (in the conversation the browser holds), and the
streaming of a generated answer while the model writes it.

The switch is enabled only when the assistant has an LLM (ASSISTANT_LLM_URL or `assistant ui --llm URL`);
otherwise it says how to configure one. Generation runs in a worker thread: the chat shows the sentences
verified so far, and the finished turn when the answer (or the extractive one, with a note) is ready.
"""

from __future__ import annotations

import queue
import threading
from typing import Callable, Iterator

import gradio as gr

from assistant import EXTRACTIVE, GENERATIVE
from ui import conversation as C
from ui.pages.base import PRIVATE

LABELS = {"抽出": EXTRACTIVE, "生成": GENERATIVE}
NAMES = {v: k for k, v in LABELS.items()}
HINT_ON = "生成：あなたの LLM（{model}）が資料の箇所から回答を書き、各文を出典と照合してから表示します。"
# The generative mode's own styles (theme variables, so dark mode works), kept with its component.
STYLE = """<style>
.gen-badge { margin: 0.2em 0 0.4em; font-size: 0.9em; }
.badge.gen { background: var(--pa-chip-bg); color: var(--pa-chip-fg); }
.badge.ext { background: var(--background-fill-secondary); color: var(--body-text-color); border: 1px solid var(--border-color-primary); }
.extractive-view { margin: 0.5em 0; border-left: 3px solid var(--border-color-primary); padding-left: 0.6em; }
.extractive-view > summary { cursor: pointer; color: var(--link-text-color); }
.ext-ref { font-size: 0.85em; margin: 0.1em 0; color: var(--body-text-color-subdued); }
.gen-stream { white-space: normal; }
.trace-verdicts td, .trace-verdicts th { padding: 0.15em 0.4em; vertical-align: top; }
.trace-verdicts tr.dropped td { color: var(--body-text-color-subdued); text-decoration: line-through; }
</style>"""
HINT_OFF = "生成モードは使えません：LLM が設定されていません（環境変数 ASSISTANT_LLM_URL、または assistant ui --llm URL）。"


class ModeSwitch:
    def __init__(self, bot) -> None:
        self.bot = bot
        available = bot.generator is not None
        self.radio = gr.Radio(list(LABELS), value=NAMES[EXTRACTIVE], label="回答の方式（この会話）", elem_id="answer-mode",
                              interactive=available, container=True)
        model = bot.generator.model if available else ""
        self.hint = gr.HTML(f'{STYLE}<p class="hint" id="answer-mode-hint">'
                            f'{(HINT_ON.format(model=model or "サーバーの既定のモデル")) if available else HINT_OFF}</p>',
                            padding=False)

    @property
    def available(self) -> bool:
        return self.bot.generator is not None

    def wire(self, store) -> None:
        # the user switched: the conversation remembers it; a conversation opened or started: the switch follows it
        self.radio.input(self.choose, [self.radio, store], [store], queue=False, **PRIVATE)
        store.change(self.follow, [store], [self.radio], queue=False, **PRIVATE)

    def mode(self, label) -> str:
        """The mode a question is answered in (extractive whenever no LLM is configured)."""
        return LABELS.get(label, EXTRACTIVE) if self.available else EXTRACTIVE

    def mode_of(self, conv: dict) -> str:
        """The mode a conversation asked for (answering a turn again: 再生成, 続きを表示)."""
        return conv.get("mode", EXTRACTIVE) if self.available else EXTRACTIVE

    def choose(self, label, stored):
        conv = C.parse(stored)
        return C.dumps({**conv, "mode": self.mode(label)})

    def follow(self, stored):
        label = NAMES[C.parse(stored).get("mode", EXTRACTIVE)]
        return gr.update(value=label)


def streamed(run: Callable[[Callable[[str], None]], object]) -> Iterator[tuple[str | None, object]]:
    """Run `run(on_text)` in a worker thread; yield (text so far, None) whenever the text changes, then
    (None, the result). The generation's own deadline bounds the wait."""
    texts: queue.Queue = queue.Queue()
    done: dict = {}

    def work() -> None:
        try:
            done["result"] = run(texts.put)
        finally:
            texts.put(None)

    worker = threading.Thread(target=work, name="chat-generation", daemon=True)
    worker.start()
    while True:
        item = texts.get()
        if item is None:
            break
        while not texts.empty():  # only the newest text matters
            nxt = texts.get()
            if nxt is None:
                item = None
                break
            item = nxt
        if item is None:
            break
        yield item, None
    worker.join()
    yield None, done.get("result")
