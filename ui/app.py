"""The browser UI (Gradio): a cited chat with a sources panel, the documents, and a field map of Japan.

    from ui.app import build_app, launch
    launch()                                   # http://127.0.0.1:7860
    python -m ui.app --host 0.0.0.0 --auth user:pass

Every session keeps its own conversation in `gr.State` (nothing per user lives at module level); the
`Assistant` is shared, read-only except while an upload in the 資料 tab updates the index (under the same lock
as the questions). Events run on Gradio's queue with a small concurrency limit.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Sequence

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported

import gradio as gr  # noqa: E402

from assistant.limits import MAX_QUESTION_CHARS  # noqa: E402
from assistant.places import prefectures_of  # noqa: E402
from corpus import loaders  # noqa: E402
from ui import render as R  # noqa: E402
from ui.japan import block_colors, map_png_base64  # noqa: E402
from assistant.library import MAX_FILES, Accepted, Refused, size_text, stage_uploads  # noqa: E402

log = logging.getLogger("ui")

TITLE = "地域産業政策アシスタント"
SUBTITLE = "地方ブロック別の戦略産業クラスター計画の素案と成長戦略の資料に、出典を示して答えます。"
PLACEHOLDER = "例：九州で検討されているクラスターの分野は？"

# (label shown on the button, the question(s) it asks). A pair is asked as two turns of one conversation.
EXAMPLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ブロックの分野", ("九州で検討されているクラスターの分野は？",)),
    ("取り組むブロック", ("造船に取り組むブロックはどこ？",)),
    ("比較", ("北海道と東北の違いは？",)),
    ("続けて質問", ("東北ではどんな分野を検討している？", "では四国は？")),
    ("資料にない質問", ("九州の予算はいくら？",)),
)

# Gradio runs event handlers in worker threads, per event at most CONCURRENCY at a time. On 2 cores: an
# answer is ~10-100 ms of CPU-bound Python (the GIL runs one thread at a time, and the calls into the shared
# assistant are serialised anyway, see build_app), while a streamed answer spends most of its ~0.4 s
# sleeping between chunks. Four workers let four streams progress together and keep both cores busy (Gradio's
# own request handling runs alongside); more would only add GIL contention and memory (a map render holds
# ~0.2 s of CPU). Further requests wait in the queue (up to QUEUE_SIZE) and are served in order.
CONCURRENCY = 4
QUEUE_SIZE = 256
STREAM_SECONDS = 0.4  # how long the answer takes to stream in, at most
STREAM_STEPS = 24  # updates per streamed answer, at most
HISTORY_MESSAGES = 20  # the last 10 turns are passed to the assistant
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

EMPTY_HINT = "質問を入力してから送信してください（例：「九州で検討されているクラスターの分野は？」）。"
ERROR_TEXT = "申し訳ありません。回答の作成中にエラーが発生しました。時間をおいて、もう一度お試しください。"
NO_FIELD = ""  # dropdown value for "no selection"
# After the 資料 tab renders, scroll its text to the first span the latest answer cited.
SCROLL_TO_FIRST_MARK = """() => {
  const box = document.querySelector('#doc-view .doc-text');
  const mark = box && box.querySelector('mark.hl');
  if (mark) box.scrollTop += mark.getBoundingClientRect().top - box.getBoundingClientRect().top - 60;
}"""


NO_FILES_HINT = "追加するファイルを選んでから「索引に追加」を押してください。"
# Gradio itself refuses uploads above this size (with its own message) so that a huge file never reaches the
# server's disk; files between the document limit and this are refused by the handler, in Japanese.
UPLOAD_HARD_LIMIT_FACTOR = 4


def upload_label() -> str:
    return (
        f"追加するファイル（{' '.join(loaders.SUPPORTED_SUFFIXES)}、1ファイル {size_text(loaders.DEFAULT_MAX_BYTES)} まで、"
        f"一度に {MAX_FILES} ファイルまで）"
    )


def too_long_text(n: int) -> str:
    return f"質問が長すぎます（{n:,}文字）。{MAX_QUESTION_CHARS:,}文字以内で入力してください。"


CSS = """
.gradio-container { max-width: 1400px !important; }
#app-title h1 { margin-bottom: 0; }
#chat .answer p { margin: 0 0 .35em 0; }
#chat .answer ul { margin: .2em 0 .4em 1.2em; padding: 0; }
#chat .answer li { margin: .1em 0; }
#chat .notice { padding: .2em .1em; }
#chat .notice-error, #chat .notice-warn { color: #b3261e; }
sup.cite { color: #1a5fb4; font-weight: 600; font-size: .75em; margin-left: 1px; }
#status { min-height: 1.4em; font-size: .9em; color: #555; }
#status .warn { color: #b3261e; }
#examples { gap: 4px; }
#examples button.example { justify-content: flex-start; text-align: left; font-weight: normal; }
sup.mk { color: #1a5fb4; font-weight: 700; font-size: .72em; margin-right: 1px; }
.sources { font-size: .92em; line-height: 1.6; }
.sources .src-h { font-size: 1em; margin: .3em 0 .5em; }
.sources .src-q { color: #444; margin-bottom: .4em; word-break: break-all; }
.sources .hint, .map-passages .hint { color: #666; font-size: .9em; }
.no-answer { background: #fff4e5; border-left: 4px solid #f0a030; padding: .5em .7em; font-weight: 600; color: #5a3a00; }
article.src { border: 1px solid #d8dde6; border-radius: 8px; padding: .5em .7em; margin: 0 0 .6em; background: #fff; }
article.src-ref { border-style: dashed; background: #fafafa; }
article.src header { display: flex; gap: .5em; align-items: baseline; flex-wrap: wrap; }
.src-n { font-weight: 700; color: #1a5fb4; }
.src-title { font-weight: 600; }
.src-meta { color: #555; font-size: .88em; }
.k { display: inline-block; background: #eef1f6; color: #333; border-radius: 4px; padding: 0 .35em; font-size: .85em; }
.badge.ref { background: #f0a030; color: #fff; border-radius: 4px; padding: 0 .4em; font-size: .8em; font-weight: 700; }
blockquote.src-passage { margin: .4em 0 0 !important; padding: .3em .6em !important; border-left: 3px solid #c5cfdd;
  white-space: pre-wrap; color: #333; font-style: normal; }
mark.hl { background: #ffe58a; color: inherit; padding: 0 1px; border-radius: 2px; }
mark.hl.ref { background: #ffd6a8; }
.document h3 { margin: .2em 0; }
.doc-meta, .jump { color: #555; font-size: .9em; }
.jump a { margin-right: .4em; }
.doc-layout { display: flex; gap: 1.2em; align-items: flex-start; }
.doc-tree { flex: 0 0 260px; position: sticky; top: 0; font-size: .9em; border-right: 1px solid #e3e6ea; padding-right: .8em; }
.doc-tree h4 { margin: 0 0 .3em; }
.doc-tree ol { padding-left: 1.1em; margin: .1em 0; }
.doc-tree .cnt { color: #777; font-size: .85em; margin-left: .4em; }
.doc-text { flex: 1; white-space: pre-wrap; line-height: 1.6; max-height: 70vh; overflow-y: auto; }
.japan-map img { max-width: 100%; height: auto; }
.japan-map figcaption { margin-top: .3em; }
.map-caption { font-weight: 600; margin: .2em 0; }
.map-legend ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3em .9em; margin: .3em 0; }
.map-legend li { color: #999; }
.map-legend li.on { color: #111; font-weight: 700; }
.swatch { display: inline-block; width: .9em; height: .9em; border-radius: 2px; margin-right: .25em; vertical-align: -1px; }
.swatch.off { background: #eee; border: 1px solid #ccc; }
.matrix-wrap { overflow-x: auto; }
table.matrix { border-collapse: collapse; font-size: .85em; }
table.matrix th, table.matrix td { border: 1px solid #dde2e8; padding: .15em .45em; text-align: center; }
table.matrix tbody th { text-align: left; white-space: nowrap; }
table.matrix td.hit { color: #1a5fb4; }
table.matrix td.on { background: #ffe58a; font-weight: 700; }
table.matrix tr.sel th, table.matrix th.sel { background: #ffe58a; }
table.matrix td.selcol { background: #f4f7fb; }
table.matrix td.selcol.on { background: #ffe58a; }
table.matrix td.num { color: #666; }
.map-group h4 { margin: .6em 0 .3em; }
.upload-report { font-size: .92em; }
.upload-report .upload-summary { font-weight: 600; margin: .2em 0; }
.upload-report.upload-error .upload-summary, .upload-report.upload-warn .upload-summary { color: #b3261e; }
.upload-files { list-style: none; padding: 0; margin: .2em 0; }
.upload-files li { margin: .15em 0; }
.upload-files li .mark { display: inline-block; width: 1.3em; font-weight: 700; }
.upload-files li.ok .mark { color: #2e7d32; }
.upload-files li.err { color: #b3261e; }
.upload-report .upload-note { color: #555; margin: .3em 0; }
"""


# --- helpers --------------------------------------------------------------------------------------------


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _plain_history(history: Any) -> list[dict]:
    """Keep only well-formed {"role", "content": str} messages (the state is ours, but be strict)."""
    out = []
    for m in history or []:
        if isinstance(m, dict) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str):
            out.append({"role": m["role"], "content": m["content"]})
    return out


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + f"…（全{len(text):,}文字）"


def _short_pref(name: str) -> str:
    """京都府 → 京都, 福岡県 → 福岡, 北海道 stays."""
    return name[:-1] if len(name) > 2 and name[-1] in "都府県" else name


def _stream_steps(text: str) -> list[str]:
    pieces = R.stream_pieces(text)
    if len(pieces) > STREAM_STEPS:
        step = len(pieces) / STREAM_STEPS
        pieces = [pieces[min(len(pieces) - 1, int((i + 1) * step) - 1)] for i in range(STREAM_STEPS)]
    if pieces[-1] != text:
        pieces.append(text)
    return pieces


# --- the app --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Library:
    """What the UI derives from the assistant's documents and field map; replaced as a whole after an upload."""

    version: int
    documents: list[Any]  # ParsedDocument
    doc_by_id: dict[str, Any]
    fm: Any  # FieldMap
    fields: list[str]
    colors: dict[str, str]
    cell_passages: dict[str, Any]

    @property
    def doc_choices(self) -> list[tuple[str, str]]:
        return [(d.document.title, d.document.doc_id) for d in self.documents]

    @property
    def field_choices(self) -> list[tuple[str, str]]:
        return [("（指定なし）", NO_FIELD)] + [(f, f) for f in self.fields]

    @property
    def block_choices(self) -> list[tuple[str, str]]:
        return [("（指定なし）", NO_FIELD)] + [(b, b) for b in self.fm.units]


def build_app(bot) -> gr.Blocks:
    """The whole UI for one shared Assistant, queue configured. Per-user state lives in gr.State only."""
    # Assistant.ask shares one Sudachi tokenizer, which raises "Tokenizer is already in use" under concurrent
    # calls: serialise them here (each takes ~10 ms; the GIL would serialise most of that work anyway). An upload
    # holds the same lock while it writes the index and re-reads it, so no question runs against a half-updated
    # assistant; `upload_lock` serialises whole uploads (copy, read, index), so each indexes what is on disk.
    ask_lock = threading.Lock()
    upload_lock = threading.Lock()

    def ask(question: str, history: list[dict]):
        with ask_lock:
            return bot.ask(question, history[-HISTORY_MESSAGES:])

    def passages_for(citations: Sequence[Any]) -> dict[str, Any]:
        out = {}
        for c in citations:
            cid = R.get(c, "chunk_id")
            if cid and cid not in out:
                try:
                    out[cid] = bot.passage(cid)
                except Exception:  # noqa: BLE001 - a missing passage only loses the surrounding text
                    log.exception("passage %s not found", cid)
        return out

    def derive(version: int, documents: Sequence[Any]) -> Library:
        fm = bot.field_map([d.document.doc_id for d in documents])
        return Library(
            version=version,
            documents=list(documents),
            doc_by_id={d.document.doc_id: d for d in documents},
            fm=fm,
            fields=R.field_order(fm),
            colors=block_colors(fm.units),
            cell_passages=passages_for([c for cell in fm.cells.values() for c in cell.citations]),
        )

    # Handlers read `library` once at their start: an upload rebinds it to a new snapshot in one step.
    library = derive(0, bot.documents())

    # --- chat ---------------------------------------------------------------------------------------

    def respond(message, display, history):
        """Generator: (chatbot, display, history, last, sources, status, textbox)."""
        skip = gr.skip()
        message = message if _is_text(message) else ""
        display = list(display or [])
        history = _plain_history(history)
        if not message.strip():
            yield skip, skip, skip, skip, skip, f'<span class="warn">{R.esc(EMPTY_HINT)}</span>', skip
            return
        if len(message) > MAX_QUESTION_CHARS:
            display = display + [
                {"role": "user", "content": R.user_html(_short(message))},
                {"role": "assistant", "content": R.notice_html(too_long_text(len(message)), "warn")},
            ]
            # The text stays in the box so it can be shortened; the conversation's history is unchanged.
            yield display, display, skip, skip, skip, f'<span class="warn">{R.esc(too_long_text(len(message)))}</span>', skip
            return
        asked = display + [{"role": "user", "content": R.user_html(message)}]

        def showing(content: str) -> list[dict]:  # a new list per update: a yielded value is never mutated
            return asked + [{"role": "assistant", "content": content}]

        shown = showing("")
        yield shown, shown, skip, skip, skip, "回答を作成しています…", ""
        try:
            answer = ask(message, history)
        except Exception:  # noqa: BLE001 - the user gets a short message, the log gets the traceback
            log.exception("answering failed for %r", message[:200])
            answer = None
        if answer is None or answer.intent in ("error", "invalid"):
            text = ERROR_TEXT if answer is None or answer.intent == "error" else answer.text
            shown = showing(R.notice_html(text, "error"))
            yield shown, shown, skip, None, R.sources_html(None), "", skip
            return
        started = time.perf_counter()
        steps = _stream_steps(answer.text)
        delay = min(0.03, STREAM_SECONDS / max(len(steps), 1))
        for partial in steps[:-1]:
            shown = showing(R.answer_html(partial))
            yield shown, shown, skip, skip, skip, skip, skip
            time.sleep(delay)
        shown = showing(R.answer_html(answer.text, answer.answerable))
        history = history + [{"role": "user", "content": message}, {"role": "assistant", "content": answer.text}]
        last = {"question": message, "answer": answer.to_dict()}
        panel = R.sources_html(answer, passages_for(answer.citations), question=message)
        log.debug("streamed in %.0f ms", (time.perf_counter() - started) * 1000)
        yield shown, shown, history, last, panel, "", skip

    def new_conversation():
        return [], [], [], None, R.sources_html(None), "新しい会話を始めました。", ""

    # --- API: one question in the caller's session, answer as JSON --------------------------------

    def api_ask(question, history):
        history = _plain_history(history)
        question = question if _is_text(question) else ""
        if not question.strip():
            return {"text": EMPTY_HINT, "answerable": False, "intent": "invalid", "citations": [], "error": "empty"}, history
        if len(question) > MAX_QUESTION_CHARS:
            return (
                {"text": too_long_text(len(question)), "answerable": False, "intent": "invalid", "citations": [],
                 "error": "too_long", "limit": MAX_QUESTION_CHARS},
                history,
            )
        started = time.perf_counter()
        try:
            answer = ask(question, history)
        except Exception:  # noqa: BLE001
            log.exception("api ask failed for %r", question[:200])
            return {"text": ERROR_TEXT, "answerable": False, "intent": "error", "citations": [], "error": "internal"}, history
        out = answer.to_dict()
        if answer.intent == "error":
            out["error"] = "internal"
            return out, history
        history = history + [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
        out["turn"] = len(history) // 2
        out["server_ms"] = round((time.perf_counter() - started) * 1000, 1)  # answering, including waiting for the lock
        return out, history

    # --- 資料 ---------------------------------------------------------------------------------------

    def show_document(doc_id, last, follow_answer=True):
        lib = library
        citations = (last or {}).get("answer", {}).get("citations", []) if isinstance(last, dict) else []
        if follow_answer and citations and not any(c.get("doc_id") == doc_id for c in citations):
            cited = citations[0].get("doc_id")
            if cited in lib.doc_by_id:
                doc_id = cited
        parsed = lib.doc_by_id.get(doc_id) or (lib.documents[0] if lib.documents else None)
        if parsed is None:
            return gr.skip(), '<p class="hint">資料がありません。</p>'
        return parsed.document.doc_id, R.document_html(parsed, citations)

    def sync_documents(doc_id):
        """The document list as it is now (another session may have added documents since this page loaded)."""
        lib = library
        if doc_id not in lib.doc_by_id:
            doc_id = lib.documents[0].document.doc_id if lib.documents else None
        return gr.update(choices=lib.doc_choices, value=doc_id)

    # --- 資料を追加 ---------------------------------------------------------------------------------

    def add_documents(files, progress=gr.Progress()):
        """Upload → documents folder → incremental index → refreshed assistant and UI.

        Outputs: (upload_status, upload_files, doc_choice, doc_view)."""
        nonlocal library
        skip = gr.skip()
        if files is None or files == "":
            files = []
        elif not isinstance(files, (list, tuple)):
            files = [files]
        if not files:
            return R.upload_report_html(NO_FILES_HINT, kind="warn"), skip, skip, skip
        with upload_lock:
            progress(0, desc="ファイルを確認しています…")
            results = stage_uploads(files, bot.settings.documents_dir)
            accepted = [r for r in results if isinstance(r, Accepted)]
            if not accepted:
                rows = [R.UploadRow(r.name, r.reason, False, "error") for r in results]
                summary = f"追加できるファイルがありませんでした（{len(results)}件とも追加していません）。"
                return R.upload_report_html(summary, rows, kind="error", counts={"errors": len(rows)}), None, skip, skip
            embedded = [0]

            def on_progress(done: int, total: int) -> None:
                embedded[0] = total
                if total:
                    progress((done, total), desc="索引に追加しています…", unit="チャンク")

            try:
                from assistant.indexing import read_corpus, update_index
                from index.embedders import CachedEmbedder
                from corpus.chunk import chunk_document
                from index.store import document_hash, embedding_text

                progress(0, desc="資料を読み込んでいます…")
                corpus = read_corpus(bot.settings)  # parsing needs no lock: only uploads write, one at a time
                # Embed the uploaded documents before taking the answer lock: chats keep going meanwhile,
                # and the index update under the lock only looks the vectors up.
                embedder = CachedEmbedder(bot.embedder)
                targets = {str(a.target) for a in accepted}
                indexed = {e.doc_id: e.doc_hash for e in bot.indexed_documents()}
                embedder.prime(
                    [
                        embedding_text(c)
                        for p in corpus.documents
                        if p.document.source_path in targets and indexed.get(p.document.doc_id) != document_hash(p.document)
                        for c in chunk_document(p)
                    ],
                    progress=on_progress,
                )
                with ask_lock:
                    info, report, corpus = update_index(bot.settings, embedder=embedder, corpus=corpus)
                    bot.refresh()
                progress(1.0, desc="表示を更新しています…")
                lib = derive(library.version + 1, corpus.documents)
                library = lib
            except Exception as exc:  # noqa: BLE001 - the user gets a Japanese message, the log the traceback
                log.exception("indexing the uploaded files failed")
                from index.errors import IndexError_

                detail = str(exc) if isinstance(exc, IndexError_) else "予期しないエラーが発生しました。"
                names = "、".join(a.name for a in accepted)
                summary = (
                    f"索引を更新できませんでした：{detail}\n{names} は資料フォルダに保存しました。"
                    "次に索引を更新したときに取り込まれます。"
                )
                rows = [R.UploadRow(r.name, r.reason, False, "error") for r in results if isinstance(r, Refused)]
                return R.upload_report_html(summary, rows, kind="error"), skip, skip, skip
        html, shown = upload_outcome(results, report, corpus, info, embedded[0])
        parsed = lib.doc_by_id.get(shown) or (lib.documents[0] if lib.documents else None)
        if parsed is None:
            return html, None, gr.update(choices=lib.doc_choices, value=None), '<p class="hint">資料がありません。</p>'
        return html, None, gr.update(choices=lib.doc_choices, value=parsed.document.doc_id), R.document_html(parsed)

    def upload_outcome(results, report, corpus, info, embedded: int) -> tuple[str, str | None]:
        """(the report as HTML, the doc_id to show: the first uploaded document that is in the index)."""
        by_path = {os.path.realpath(p.document.source_path): p for p in corpus.documents}
        errors = {os.path.realpath(path): reason for path, reason in corpus.errors}
        chunks_of = Counter(c.doc_id for c in bot.plan.chunks.values())
        added, changed = set(report.added if report else ()), set(report.changed if report else ())
        rows: list[R.UploadRow] = []
        shown = None
        for r in results:
            if isinstance(r, Refused):
                rows.append(R.UploadRow(r.name, r.reason, False, "error"))
                continue
            key = os.path.realpath(r.target)
            label = r.name if r.original in ("", r.name) else f"{r.name}（元の名前：{r.original}）"
            parsed = by_path.get(key)
            if parsed is None:  # e.g. its document id is taken by another document
                reason = errors.pop(key, f"{r.name}: 資料として読み込めませんでした")
                rows.append(R.UploadRow(r.name, reason, False, "error"))
                continue
            doc_id = parsed.document.doc_id
            n = chunks_of.get(doc_id, 0)
            title = parsed.document.title
            if report is None or doc_id in added:
                status, what = "added", f"新しく追加しました（「{title}」、{n}チャンク）"
            elif doc_id in changed:
                status, what = "changed", f"内容が変わったため、索引を更新しました（「{title}」、{n}チャンク）"
            else:
                status, what = "unchanged", f"同じ内容がすでに索引にあります（「{title}」、{n}チャンク）"
            rows.append(R.UploadRow(r.name, f"{label}：{what}", True, status))
            shown = shown or doc_id
        failed = sum(1 for row in rows if not row.ok)
        counts = {"chunks": info.chunks, "embedded": embedded, "errors": failed}
        if report is None:
            summary = f"索引を作り直しました（資料 {len(corpus.documents)}件、索引のチャンク {info.chunks:,}件）。"
        else:
            counts.update(added=len(report.added), changed=len(report.changed), unchanged=len(report.unchanged),
                          removed=len(report.removed))
            summary = (
                f"索引を更新しました：新規 {len(report.added)}件・更新 {len(report.changed)}件・"
                f"変更なし {len(report.unchanged)}件。索引のチャンク {info.chunks:,}件"
                f"（今回埋め込んだチャンク {embedded:,}件）。"
            )
        if failed:
            summary += f"\n追加できなかったファイルが {failed}件あります（理由は下記）。"
        notes = []
        if report is not None and report.removed:
            notes.append("資料フォルダで読めなくなった（または削除された）ため、索引から外した資料：" + "、".join(report.removed))
        if errors:
            notes.append("資料フォルダのほかのファイルで、読み込めなかったもの：\n" + "\n".join(errors.values()))
        kind = "ok" if not failed else ("partial" if shown else "error")
        return R.upload_report_html(summary, rows, kind=kind, counts=counts, notes=notes), shown

    # --- 分野マップ ----------------------------------------------------------------------------------

    def map_view(field: str | None, block: str | None, lib: Library | None = None) -> tuple[str, str, str]:
        lib = lib or library
        fm, colors = lib.fm, lib.colors
        field = field if field in lib.fields else None
        block = block if block in fm.units else None
        if field:
            marked = R.blocks_with(fm, field)
            if marked:
                caption = f"「{field}」を挙げているブロック：{'、'.join(marked)}（{len(marked)}ブロック）"
            else:
                caption = f"「{field}」を挙げているブロックはありません"
            if block:
                caption += f"　／　{block}ブロックは「{field}」を{'挙げています' if block in marked else '挙げていません'}"
        elif block:
            marked = [block]
            prefs = "・".join(_short_pref(p) for p in prefectures_of(block))
            caption = f"{block}ブロック（{prefs}）の分野：" if prefs else f"{block}ブロックの分野："
            caption += "、".join(R.fields_of(fm, block)) or "なし"
            if not prefs:
                caption += "（このブロックの範囲は地図に示せません）"
        else:
            marked = list(fm.units)
            caption = "地方ブロックの区分（分野を選ぶと、その分野を挙げるブロックだけを着色します）"
        png = map_png_base64(marked, colors, prefectures_of)
        return (
            R.map_html(png, fm.units, marked, colors, caption),
            R.cell_passages_html(fm, lib.cell_passages, field, block),
            R.matrix_html(fm, field, block),
        )

    def select_map(field, block):
        try:
            return map_view(field, block)
        except Exception:  # noqa: BLE001
            log.exception("map failed for %r %r", field, block)
            msg = '<p class="no-answer">地図を表示できませんでした。もう一度お試しください。</p>'
            return msg, gr.skip(), gr.skip()

    def sync_map(seen, field, block):
        """When the field map changed since this session last showed it: new choices and a redrawn map.

        Outputs: (field_choice, block_choice, map_out, passages_out, matrix_out, map_seen)."""
        lib = library
        if seen == lib.version:
            return (gr.skip(),) * 6
        field = field if field in lib.fields else NO_FIELD
        block = block if block in lib.fm.units else NO_FIELD
        try:
            views = map_view(field, block, lib)
        except Exception:  # noqa: BLE001
            log.exception("map failed for %r %r", field, block)
            return (gr.skip(),) * 6
        return (gr.update(choices=lib.field_choices, value=field), gr.update(choices=lib.block_choices, value=block),
                *views, lib.version)

    def api_field_map(field):
        lib = library
        fm = lib.fm
        field = field if _is_text(field) else ""
        if field not in lib.fields:
            return {"field": field, "known": False, "blocks": [], "citations": {}, "fields": lib.fields}
        marked = R.blocks_with(fm, field)
        return {
            "field": field,
            "known": True,
            "blocks": marked,
            "prefectures": {b: prefectures_of(b) for b in marked},
            "citations": {b: [c.to_dict() for c in fm.cells[(b, field)].citations] for b in marked},
        }

    initial_map = map_view(None, None)

    # --- layout -------------------------------------------------------------------------------------

    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        display = gr.State([])  # chat messages as shown (escaped HTML)
        history = gr.State([])  # the same conversation as plain text, for the assistant
        last = gr.State(None)  # the latest answer (JSON), for the 資料 tab
        map_seen = gr.State(library.version)  # the library version this session's map tab shows

        gr.Markdown(f"# {TITLE}\n{SUBTITLE}", elem_id="app-title")
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("チャット", id="chat-tab"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=360):
                        chatbot = gr.Chatbot(
                            value=[],
                            label="会話",
                            show_label=False,
                            elem_id="chat",
                            height=520,
                            latex_delimiters=[],
                            feedback_options=None,
                            buttons=[],
                            placeholder="下の入力欄に質問を書くか、質問の例をクリックしてください。",
                        )
                        with gr.Row():
                            msg = gr.Textbox(
                                label="質問",
                                placeholder=PLACEHOLDER,
                                lines=1,
                                max_lines=6,
                                scale=8,
                                elem_id="question",
                                autofocus=True,
                                submit_btn=False,
                            )
                            send = gr.Button("送信", variant="primary", scale=1, min_width=80, elem_id="send")
                        status = gr.HTML("", elem_id="status")
                        with gr.Row():
                            new = gr.Button("新しい会話", size="sm", elem_id="new-conversation", scale=0, min_width=120)
                        gr.Markdown("**質問の例**（クリックすると質問します。「続けて質問」は2往復の会話です）")
                        example_buttons = []
                        with gr.Column(elem_id="examples"):
                            for label, questions in EXAMPLES:
                                text = "」→「".join(questions)
                                example_buttons.append(
                                    (gr.Button(f"{label}｜「{text}」", size="sm", elem_classes=["example"]), questions)
                                )
                    with gr.Column(scale=2, min_width=320):
                        sources = gr.HTML(R.sources_html(None), elem_id="sources", label="出典")
            with gr.Tab("資料", id="docs-tab") as docs_tab:
                gr.Markdown("資料の全文です。左の構成から読みたい箇所へ移動できます。最新の回答で引用された箇所は強調表示されます。")
                with gr.Accordion("資料を追加する", open=False, elem_id="upload-box"):
                    gr.Markdown(
                        "手元の文書を索引に追加すると、チャットで質問できるようになります。"
                        "同じ名前のファイルを追加すると、前のものを置き換えます。"
                    )
                    with gr.Row(equal_height=False):
                        upload_files = gr.File(
                            label=upload_label(),
                            file_count="multiple",
                            type="filepath",
                            elem_id="upload-files",
                            scale=3,
                        )
                        with gr.Column(scale=2, min_width=240):
                            upload_button = gr.Button("索引に追加", variant="primary", elem_id="upload-button")
                            upload_status = gr.HTML("", elem_id="upload-status")
                docs = library.documents
                doc_choice = gr.Dropdown(
                    choices=library.doc_choices,
                    value=docs[0].document.doc_id if docs else None,
                    label="文書",
                    elem_id="doc-select",
                )
                doc_view = gr.HTML(R.document_html(docs[0]) if docs else "", elem_id="doc-view")
            with gr.Tab("分野マップ", id="map-tab") as map_tab:
                gr.Markdown("どの地方ブロックがどの分野のクラスター形成を検討しているかを、地図と表で示します。分野やブロックを選ぶと、根拠となる記載を表示します。")
                with gr.Row():
                    field_choice = gr.Dropdown(
                        choices=library.field_choices,
                        value=NO_FIELD,
                        label="分野",
                        elem_id="field-select",
                        filterable=True,
                    )
                    block_choice = gr.Dropdown(
                        choices=library.block_choices,
                        value=NO_FIELD,
                        label="ブロック",
                        elem_id="block-select",
                    )
                    clear = gr.Button("選択を解除", size="sm", scale=0, min_width=120)
                with gr.Row(equal_height=False):
                    with gr.Column(scale=2, min_width=320):
                        map_out = gr.HTML(initial_map[0], elem_id="japan-map")
                    with gr.Column(scale=3, min_width=360):
                        passages_out = gr.HTML(initial_map[1], elem_id="map-passages")
                gr.Markdown("### 分野 × ブロック（● はその分野を挙げているブロック。セルにカーソルを置くと記載を表示）")
                matrix_out = gr.HTML(initial_map[2], elem_id="matrix")

        # hidden components for the JSON API
        api_question = gr.Textbox(visible=False)
        api_answer = gr.JSON(visible=False)
        api_field = gr.Textbox(visible=False)
        api_field_out = gr.JSON(visible=False)

        chat_outputs = [chatbot, display, history, last, sources, status, msg]
        private = dict(api_visibility="private")
        msg.submit(respond, [msg, display, history], chat_outputs, show_progress="hidden", **private)
        send.click(respond, [msg, display, history], chat_outputs, show_progress="hidden", **private)
        new.click(new_conversation, None, chat_outputs, api_name="new_conversation", queue=False)
        chatbot.clear(new_conversation, None, chat_outputs, queue=False, **private)  # the chat's own 🗑 button

        for button, questions in example_buttons:
            event = None
            for q in questions:
                fill = (lambda q=q: q)
                if event is None:
                    event = button.click(fill, None, msg, queue=False, **private)
                else:
                    event = event.then(fill, None, msg, queue=False, **private)
                event = event.then(respond, [msg, display, history], chat_outputs, show_progress="hidden", **private)

        # The list first (documents may have been added since this page loaded), then the document.
        docs_tab.select(sync_documents, [doc_choice], [doc_choice], queue=False, **private).then(
            show_document, [doc_choice, last], [doc_choice, doc_view], **private
        ).then(None, js=SCROLL_TO_FIRST_MARK, **private)
        doc_choice.input(lambda d, l: show_document(d, l, follow_answer=False), [doc_choice, last],
                         [doc_choice, doc_view], **private)

        map_outputs = [map_out, passages_out, matrix_out]
        field_choice.change(select_map, [field_choice, block_choice], map_outputs, show_progress="minimal", **private)
        block_choice.change(select_map, [field_choice, block_choice], map_outputs, show_progress="minimal", **private)
        clear.click(lambda: (NO_FIELD, NO_FIELD), None, [field_choice, block_choice], queue=False, **private)
        map_tab.select(sync_map, [map_seen, field_choice, block_choice],
                       [field_choice, block_choice, *map_outputs, map_seen], show_progress="minimal", **private)

        # One upload at a time (the lock inside serialises them anyway); the progress shows over the status.
        upload_button.click(add_documents, [upload_files], [upload_status, upload_files, doc_choice, doc_view],
                            show_progress="full", concurrency_limit=1, concurrency_id="upload", **private)

        api_question.submit(api_ask, [api_question, history], [api_answer, history], api_name="ask")
        api_field.submit(api_field_map, [api_field], [api_field_out], api_name="field_map")

    # Configured here so that any launch of these Blocks gets it (CSS and theme are launch() arguments in
    # Gradio 6: launch through `launch()` below, or pass css=CSS, theme=theme()).
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return demo


# --- launching ----------------------------------------------------------------------------------------


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """'user:pass' → (user, pass). The password may contain ':'; both parts must be non-empty."""
    if value is None or value == "":
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ValueError("ログイン情報は「ユーザー名:パスワード」の形で指定してください（例: --auth alice:secret）。")
    return user, password


def host_warning(host: str, auth: tuple[str, str] | None) -> str | None:
    if host in LOCAL_HOSTS:
        return None
    text = (
        f"警告: {host} で待ち受けます。このコンピューターの外（同じネットワークの他の端末など）から"
        "アクセスできます。"
    )
    if auth is None:
        text += "ログインが設定されていません。--auth ユーザー名:パスワード（または環境変数 ASSISTANT_UI_AUTH）で設定してください。"
    else:
        text += "ログインは設定されていますが、通信は暗号化されません（HTTP）。"
    return text


def theme() -> gr.themes.Base:
    # System fonts only: a web font would be fetched from the internet.
    return gr.themes.Soft(
        font=["Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic UI", "Meiryo", "sans-serif"],
        font_mono=["Noto Sans Mono CJK JP", "monospace"],
    )


def launch(
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: str | tuple[str, str] | None = None,
    *,
    bot=None,
    settings=None,
    block: bool = True,
    quiet: bool = False,
) -> gr.Blocks:
    """Start the UI. `auth` is 'user:pass' (or a pair); without it, ASSISTANT_UI_AUTH is used.

    With block=False the server runs in the background and the Blocks are returned (call .close()).
    """
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    pair = auth if isinstance(auth, tuple) else parse_auth(auth or os.environ.get("ASSISTANT_UI_AUTH"))
    warning = host_warning(host, pair)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    if bot is None:
        from assistant import Assistant
        from assistant.config import Settings

        bot = Assistant.load(settings or Settings.from_env())
    demo = build_app(bot)
    demo.launch(
        server_name=host,
        server_port=port,
        auth=pair,
        auth_message="ログインしてください。" if pair else None,
        share=False,
        inbrowser=False,
        show_error=False,
        prevent_thread_lock=not block,
        quiet=quiet,
        ssr_mode=False,
        footer_links=["api"],
        max_file_size=UPLOAD_HARD_LIMIT_FACTOR * loaders.DEFAULT_MAX_BYTES,
        theme=theme(),
        css=CSS,
    )
    return demo


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="assistant ui",
        description=f"{TITLE}のチャット画面（ブラウザ用）を起動します。",
        add_help=False,
    )
    p.add_argument("-h", "--help", action="help", help="このヘルプを表示して終了する")
    p.add_argument("--host", default="127.0.0.1", help="待ち受けるアドレス（既定: 127.0.0.1。外部に公開すると警告します）")
    p.add_argument("--port", type=int, default=7860, help="ポート番号（既定: 7860）")
    p.add_argument("--auth", help="ログイン（ユーザー名:パスワード）。環境変数 ASSISTANT_UI_AUTH でも指定できます")
    return p


def main(argv: list[str] | None = None, settings=None) -> int:
    args = _parser().parse_args(argv)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        auth = parse_auth(args.auth or os.environ.get("ASSISTANT_UI_AUTH"))
    except ValueError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return 2
    from assistant import Assistant
    from assistant.config import Settings

    print("索引を読み込んでいます…", file=sys.stderr, flush=True)
    try:
        bot = Assistant.load(settings or Settings.from_env())
    except Exception as exc:  # noqa: BLE001 - index errors carry a Japanese message that names the fix
        log.debug("load failed", exc_info=True)
        print(f"エラー: {exc}", file=sys.stderr)
        return 1
    demo = launch(args.host, args.port, auth, bot=bot, block=False, quiet=True)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"http://{shown}:{args.port} で開きました（終了は Ctrl+C）。", file=sys.stderr, flush=True)
    demo.block_thread()
    return 0


if __name__ == "__main__":
    sys.exit(main())
