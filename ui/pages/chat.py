"""チャット: the conversation, its history list, the sources panel, and each answer's tools.

The conversation lives in the browser (a hidden textbox mirrored to localStorage by static/app.js): every
event gets it as an input and returns it updated, so the server keeps nothing per conversation and a
reload or a server restart loses nothing. Actions inside an answer (vote, regenerate, drop the carried
context, open a saved conversation) come back through one bridge event carrying {action, turn …}.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

import gradio as gr

from assistant import EXTRACTIVE, GENERATIVE, Intent, check_question, feedback
from index.errors import IndexError_
from ui import conversation as C
from ui.pages.base import PRIVATE, Page
from ui.pages.generation import ModeSwitch, streamed
from ui.render.answer import answer_html, user_html
from ui.render.export import conversation_markdown, file_name
from ui.render.generation import streaming_html
from ui.render.html import esc

log = logging.getLogger("ui")

ERROR_TEXT = "申し訳ありません。回答の作成中にエラーが発生しました。時間をおいて、もう一度お試しください。"
PENDING = '<div class="answer pending" data-state="streaming"><p class="line">回答を作成しています…</p></div>'
STREAM_STEPS = 6  # updates while an answer appears line by line
STREAM_DELAY = 0.03  # seconds between them (the answer itself is ready at once)
_EMPTY = ('<div class="sources" data-state="empty"><p class="hint">質問すると、回答の根拠となった資料の箇所が'
          "ここに表示されます。回答や [番号] を選ぶと、その回答の出典に切り替わります。</p></div>")
SOURCES_EMPTY = f'<template id="sources-empty">{_EMPTY}</template>{_EMPTY}'  # the script restores it when the chat empties
# Actions that answer a turn's question again, and what the status line says after them.
ACTION_STATUS = {
    "regenerate": "もう一度答えました。",
    "drop_context": "前の会話を引き継がずに聞き直しました。",
    "more": "一覧をすべて表示しました。",
}
THANKS = "ご意見ありがとうございます。"
THANKS_DOWN = "ご意見ありがとうございます。よくなかった点を書いていただけると改善に使えます。"
THANKS_COMMENT = "ご意見を記録しました。ありがとうございます。"
HISTORY_EMPTY = ('<input type="search" id="history-search" placeholder="会話を検索" aria-label="会話履歴を検索"'
                 ' maxlength="100" autocomplete="off"><div class="history" id="history-list" aria-label="会話履歴">'
                 '<p class="hint">会話はこのブラウザに保存されます。</p></div>')
# The sidebar's heading; on a phone a button at the top of the page that opens the folded list.
HISTORY_HEAD = ('<h3 class="side-h">会話履歴</h3><button type="button" id="history-toggle" class="act"'
                ' aria-expanded="false" aria-controls="history">会話履歴</button>')


def warn(text: str) -> str:
    return f'<span class="warn" role="alert">{esc(text)}</span>'


class ChatPage(Page):
    def build(self) -> None:
        text = self.app.content
        with gr.Row(equal_height=False, elem_id="chat-row"):
            with gr.Column(scale=1, min_width=200, elem_id="sidebar"):
                self.new = gr.Button("＋ 新しい会話", size="sm", elem_id="new-conversation")
                gr.HTML(HISTORY_HEAD, padding=False, elem_id="history-head")
                gr.HTML(HISTORY_EMPTY, elem_id="history", padding=False)
            with gr.Column(scale=4, min_width=340, elem_id="chat-col"):
                self.chatbot = gr.Chatbot(
                    value=[], label="会話", show_label=False, elem_id="chat", height=560, latex_delimiters=[],  # phone: grows (app.css)
                    feedback_options=None, buttons=[], sanitize_html=False,  # our HTML is escaped (ui.render)
                    placeholder="下の入力欄に質問を書くか、質問の例を選んでください。",
                )
                self.docs = gr.Dropdown(
                    choices=self.app.library.catalog.choices, value=[], multiselect=True, allow_custom_value=True,
                    label="対象の資料（空欄ならすべて）", elem_id="chat-docs",
                )
                self.switch = ModeSwitch(self.app.bot)  # 抽出 / 生成, per conversation
                with gr.Row(elem_id="ask-row"):
                    self.question = gr.Textbox(
                        label="質問", placeholder=text.placeholder, lines=1, max_lines=6, scale=8,
                        elem_id="question", submit_btn=False,  # focused by the script, except on touch screens
                    )
                    self.send = gr.Button("送信", variant="primary", scale=1, min_width=80, elem_id="send")
                self.status = gr.HTML("", elem_id="status")
                gr.Markdown("**質問の例**（選ぶと質問します。「続けて質問」は2往復の会話です）", elem_id="examples-h")
                self.examples = []
                with gr.Column(elem_id="examples"):
                    for label, questions in text.examples:
                        shown = "」→「".join(questions)
                        button = gr.Button(f"{label}｜「{shown}」", size="sm", elem_classes=["example"])
                        self.examples.append((button, questions))
            with gr.Column(scale=3, min_width=320, elem_id="sources-col"):
                gr.HTML(SOURCES_EMPTY, elem_id="sources", padding=False)

    def build_hidden(self) -> None:
        self.seen = gr.State(self.app.library.catalog.version, time_to_live=self.app.limits.idle_seconds)
        self.store = gr.Textbox(visible="hidden", elem_id="conv-store")

        def export_markdown(data):  # a plain function: Gradio marks server functions with an attribute
            return self.export_markdown(data)

        self.bridge = gr.HTML(
            "", visible="hidden", elem_id="chat-bridge", server_functions=[export_markdown],
            js_on_load="PA.bridge('chat', (data) => trigger('act', data), server);",
        )

    # --- events -----------------------------------------------------------------------------------------

    def wire(self) -> None:
        outputs = [self.chatbot, self.store, self.question, self.status]
        asked = [self.question, self.store, self.docs, self.switch.radio]
        for trigger in (self.question.submit, self.send.click):
            trigger(self.respond, asked, outputs, show_progress="hidden", **PRIVATE)
        self.switch.wire(self.store)
        cleared = outputs + [self.app.api.history]
        self.new.click(self.new_conversation, None, cleared, api_name="new_conversation", queue=False)
        self.chatbot.clear(self.new_conversation, None, cleared, queue=False, **PRIVATE)  # the chat's own 🗑
        self.store.change(None, [self.store], None, js="(c) => PA.saved(c)", queue=False, **PRIVATE)
        self.question.change(None, [self.question], None, js="(q) => PA.draft(q)", queue=False, **PRIVATE)
        self.bridge.act(self.act, [self.store, self.docs], outputs, show_progress="hidden", **PRIVATE)
        self.tab.select(self.sync_documents, [self.docs, self.seen], [self.docs, self.seen], queue=False, **PRIVATE)
        for button, questions in self.examples:
            event = None
            for q in questions:
                fill = (lambda q=q: q)
                event = (button.click if event is None else event.then)(fill, None, self.question, queue=False, **PRIVATE)
                event = event.then(self.respond, asked, outputs, show_progress="hidden", **PRIVATE)

    def sync_documents(self, doc_ids, seen):
        """The tab opened: the document list as it is now (another session may have changed the library)."""
        catalog = self.app.library.catalog
        if seen == catalog.version:
            return gr.skip(), gr.skip()
        return gr.update(choices=catalog.choices, value=catalog.known(doc_ids)), catalog.version

    def on_load(self, stored, draft):
        """The page opened: show the conversation the browser kept (and the half-typed question)."""
        conv = C.parse(stored)
        return self.display(conv), C.dumps(conv), draft if isinstance(draft, str) else ""

    # --- rendering --------------------------------------------------------------------------------------

    def display(self, conv: dict, *, reveal: int | None = None, pending: str | None = None,
                generated: str | None = None, status: tuple[str, str] = ("", "")) -> list[dict]:
        """The chat's messages for a conversation. `reveal` shows only the first lines of the last answer
        (streaming); `pending` adds a question whose answer is being prepared (`generated`: the verified
        sentences of a generated answer so far); `status` is (turn id, text): a word about what was just done
        to that answer, shown under it."""
        library = self.app.library
        catalog = library.catalog
        cited = [c for t in conv["turns"] for c in t["answer"]["citations"]]
        passages = library.passages(cited)
        metas = library.metas_for(cited)  # a document deleted since an answer is said to be so
        messages = []
        last = len(conv["turns"]) - 1
        for i, turn in enumerate(conv["turns"]):
            scope = [catalog.title(d) for d in turn["doc_ids"]]
            messages.append({"role": "user", "content": user_html(turn, scope)})
            messages.append({"role": "assistant", "content": answer_html(
                turn, passages, metas, last=i == last and pending is None, reveal=reveal if i == last else None,
                status=status[1] if turn["id"] == status[0] else "")})
        if pending is not None:
            messages.append({"role": "user", "content": user_html({"question": pending})})
            messages.append({"role": "assistant", "content": PENDING if generated is None else streaming_html(generated)})
        return messages

    # --- asking -----------------------------------------------------------------------------------------

    def answer(self, question: str, history: list[dict], doc_ids: list[str], context: bool = True,
               whole: bool = False, mode: str = EXTRACTIVE, on_text=None) -> dict | str:
        """A new turn, or a Japanese message when the question is refused (not a turn). When the index cannot
        be reached the turn says so in the index's own words (never 「言い換えて」). `whole`: a list answer
        names every unit (「続きを表示」), not only the first ones."""
        every = {"list_limit": None} if whole else {}
        if mode == GENERATIVE:
            every.update(mode=mode, on_text=on_text)
        try:
            answer = self.app.bot.ask(question, history, doc_ids=doc_ids or None, **every)
        except Exception:  # noqa: BLE001 - ask answers every failure itself; this is the last guard
            log.exception("answering failed for %r", question[:200])
            answer = None
        intent = answer.intent if answer is not None else Intent.ERROR.value
        if intent == Intent.INVALID.value:
            return answer.text
        if intent == Intent.UNAVAILABLE.value:
            return C.make_turn(question, error=answer.text, context=context, doc_ids=doc_ids)
        if intent == Intent.ERROR.value:
            return C.make_turn(question, error=self.recover() or ERROR_TEXT, context=context, doc_ids=doc_ids)
        return C.make_turn(question, answer, context=context, doc_ids=doc_ids)

    def recover(self) -> str | None:
        """After an internal error: re-read the index (another process may have rebuilt it). Returns the
        index's own message when it cannot be reached, else None."""
        try:
            if self.app.bot.refresh():
                self.app.library.reload()
        except IndexError_ as exc:
            return str(exc)
        except Exception:  # noqa: BLE001
            log.debug("refresh after a failed answer failed", exc_info=True)
        return None

    def respond(self, message, stored, doc_ids, mode_label=None):
        """Generator: (chatbot, store, question box, status)."""
        skip = gr.skip()
        message = message if isinstance(message, str) else ""
        problem = check_question(message)  # the one check (assistant.validation); the text stays in the box
        if problem:
            yield skip, skip, skip, warn(problem.message)
            return
        mode = self.switch.mode(mode_label)
        conv = {**C.parse(stored), "mode": mode}
        doc_ids = self.app.library.catalog.known(doc_ids)
        yield self.display(conv, pending=message), skip, "", "回答を作成しています…"
        if mode == GENERATIVE:  # the verified sentences appear as the model writes them
            turn = None
            for text, turn in streamed(lambda on_text: self.answer(message, C.history(conv), doc_ids, mode=mode,
                                                                   on_text=on_text)):
                if text is not None:
                    yield self.display(conv, pending=message, generated=text), skip, skip, skip
        else:
            turn = self.answer(message, C.history(conv), doc_ids)
        if isinstance(turn, str):
            yield self.display(conv), skip, message, warn(turn)
            return
        conv = C.with_turn(conv, turn)
        lines = len(turn["answer"]["lines"])
        for k in range(1, lines, max(1, lines // STREAM_STEPS)):
            yield self.display(conv, reveal=k), skip, skip, skip
            time.sleep(STREAM_DELAY)
        yield self.display(conv), C.dumps(conv), skip, ""

    def new_conversation(self):
        conv = C.empty()
        return [], C.dumps(conv), "", "新しい会話を始めました。", {"turn": 0, "messages": []}

    # --- actions inside answers ---------------------------------------------------------------------------

    def act(self, stored, doc_ids, evt: gr.EventData):
        """(chatbot, store, question box, status). What an action says is shown under its answer too."""
        skip = gr.skip()
        data = getattr(evt, "_data", None) or {}
        action = data.get("action")
        if action == "open":
            conv = C.parse(data.get("conv"))
            return self.display(conv), C.dumps(conv), skip, ""
        conv = C.parse(stored)
        i = C.find(conv, data.get("turn"))
        if i is None:
            return skip, skip, skip, warn("この回答は見つかりませんでした。")
        turn = conv["turns"][i]
        if action == "vote" and data.get("verdict") in feedback.VERDICTS:
            verdict = data["verdict"]
            down = verdict == "down"
            turn = {**turn, "verdict": verdict, "feedback": "open" if down else None}
            self.record(turn, C.history(conv, i))
            return self.changed(conv, i, turn, THANKS_DOWN if down else THANKS)
        if action == "comment":
            comment = data.get("comment") if isinstance(data.get("comment"), str) else ""
            turn = {**turn, "verdict": "down", "feedback": "sent", "comment": comment.strip()[:feedback.MAX_COMMENT_CHARS]}
            self.record(turn, C.history(conv, i))  # replaces the 👎 just recorded: one answer, one record
            return self.changed(conv, i, turn, THANKS_COMMENT)
        if action == "close_comment":
            return self.changed(conv, i, {**turn, "feedback": None}, "")
        if action in ACTION_STATUS:
            context = action != "drop_context" and turn["context"]
            new = self.answer(turn["question"], C.history(conv, i) if context else [], turn["doc_ids"], context,
                              whole=action == "more", mode=self.switch.mode_of(conv))
            if isinstance(new, str):
                return skip, skip, skip, warn(new)
            return self.changed(conv, i, new, ACTION_STATUS[action])
        return skip, skip, skip, skip

    def changed(self, conv: dict, i: int, turn: dict, status: str):
        """The conversation with turn i replaced, and `status` said under that answer and in the status line."""
        conv = C.with_turn(conv, turn, index=i)
        return self.display(conv, status=(turn["id"], status)), C.dumps(conv), gr.skip(), status

    def record(self, turn: dict, history: list[dict]) -> None:
        answer = turn["answer"]
        vote = feedback.Vote(question=turn["question"], answer=turn["error"] or answer["text"], verdict=turn["verdict"],
                             history=history, citations=answer["citations"], comment=turn.get("comment") or "",
                             id=turn["id"])
        feedback.record(self.app.bot.settings.data_dir, vote)

    def export_markdown(self, data):
        """Server function for the page's script: {conv, title} → {name, text} of a Markdown file."""
        data = data if isinstance(data, dict) else {}
        conv = C.parse(data.get("conv"))
        title = str(data.get("title") or conv.get("title") or "会話")[:200]
        when = datetime.now().strftime("%Y-%m-%d %H:%M")
        return {"name": file_name(title), "text": conversation_markdown(conv, title, self.app.content.title, when)}
