"""資料: the documents in full (with the spans of the answer being looked at marked), adding documents,
and deleting the user's own documents after a confirmation."""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import threading
from dataclasses import replace
from pathlib import Path

import gradio as gr
from gradio.utils import get_upload_folder

from assistant import MAX_FILES, WAITING, AddReport, size_text
from corpus import loaders
from index.errors import IndexError_
from ui import conversation as C
from ui.pages.base import PRIVATE, Page
from ui.render.documents import admin_details_html, document_html, message_html, upload_progress_html, upload_report_html

log = logging.getLogger("ui")

NO_FILES_HINT = "追加するファイルを選んでから「追加する」を押してください。"
NO_DOCUMENTS = '<p class="hint">資料がありません。</p>'
UNEXPECTED = "予期しないエラーが発生しました。"
STEP_TEXT = {WAITING: "ほかの資料の追加・削除が終わるのを待っています…"}  # what a deletion may wait for
# After the tab renders, scroll the text to the first span the answer being looked at cites.
SCROLL_TO_FIRST_MARK = "() => PA.scrollToMark('#doc-view')"


def upload_label() -> str:
    return (f"追加するファイル（{' '.join(loaders.SUPPORTED_SUFFIXES)}、1ファイル {size_text(loaders.DEFAULT_MAX_BYTES)} まで、"
            f"一度に {MAX_FILES} ファイルまで）")


def citations_of(raw) -> list[dict]:
    """The citations the page's script sent (JSON), checked like any browser data."""
    try:
        items = json.loads(raw) if isinstance(raw, str) and raw else []
    except ValueError:
        return []
    return [c for c in map(C.citation, items if isinstance(items, list) else []) if c]


class DocumentsPage(Page):
    def build(self) -> None:
        catalog = self.app.library.catalog
        gr.Markdown("資料の全文です。左の構成から読みたい箇所へ移動できます。チャットで表示中の回答が引用した箇所は強調表示されます。")
        with gr.Row(equal_height=True):
            first = catalog.documents[0].document.doc_id if catalog.documents else None
            self.choice = gr.Dropdown(choices=catalog.choices, value=first, label="文書", elem_id="doc-select",
                                      allow_custom_value=True, scale=4)
            self.delete = gr.Button("この資料を削除", size="sm", variant="stop", elem_id="doc-delete", scale=0,
                                    min_width=140, visible=first in catalog.removable)
        with gr.Group(visible=False, elem_id="delete-confirm") as self.confirm:
            self.confirm_text = gr.HTML("", elem_id="delete-question")
            with gr.Row():
                self.yes = gr.Button("削除する", variant="stop", size="sm", elem_id="delete-yes")
                self.no = gr.Button("やめる", size="sm", elem_id="delete-no")
        self.status = gr.HTML("", elem_id="doc-status")
        with gr.Accordion("資料を追加する", open=False, elem_id="upload-box"):
            gr.Markdown("手元の文書を追加すると、チャットで質問できるようになります。同じ名前のファイルを追加すると、前のものを置き換えます。")
            with gr.Row(equal_height=False):
                self.files = gr.File(label=upload_label(), file_count="multiple", type="filepath", elem_id="upload-files",
                                     scale=3)
                with gr.Column(scale=2, min_width=240):
                    self.upload = gr.Button("追加する", variant="primary", elem_id="upload-button")
                    self.report = gr.HTML("", elem_id="upload-status")
        self.view = gr.HTML(self.render(first, []), elem_id="doc-view")
        self.cites = gr.Textbox(visible="hidden", elem_id="doc-cites")
        self.seen = gr.State(catalog.version, time_to_live=self.app.limits.idle_seconds)
        # the report of this session's last upload, so a deletion can take its document's line out of it
        self.last_report = gr.State(None, time_to_live=self.app.limits.idle_seconds)

    def wire(self) -> None:
        chat_docs, map_docs = self.app.chat.docs, self.app.field_map.docs
        self.tab.select(self.on_open, [self.choice, self.cites, self.seen], [self.choice, self.view, self.delete, self.seen],
                        js="(d, c, s) => [d, PA.activeCitations(), s]", show_progress="hidden", **PRIVATE).then(
            None, js=SCROLL_TO_FIRST_MARK, **PRIVATE)
        self.choice.input(self.on_choose, [self.choice, self.cites], [self.choice, self.view, self.delete, self.confirm],
                          js="(d, c) => [d, PA.activeCitations()]", **PRIVATE)
        self.delete.click(self.ask_delete, [self.choice], [self.confirm, self.confirm_text], queue=False, **PRIVATE)
        self.no.click(lambda: gr.update(visible=False), None, [self.confirm], queue=False, **PRIVATE)
        library_outputs = [self.choice, self.view, self.delete, chat_docs, map_docs, self.seen]
        chat = self.app.chat
        self.yes.click(self.remove, [self.choice, map_docs, self.last_report, chat.store],
                       [self.confirm, self.status, *library_outputs, self.report, self.last_report, chat.chatbot],
                       concurrency_limit=1, concurrency_id="library", **PRIVATE)
        # the report box shows one bar per file while the upload runs (Gradio's own overlay would cover every
        # output with a bar of its own)
        self.upload.click(self.add, [self.files, map_docs], [self.report, self.files, *library_outputs, self.last_report],
                          show_progress="hidden", concurrency_limit=1, concurrency_id="library", **PRIVATE)

    # --- showing ----------------------------------------------------------------------------------------

    def render(self, doc_id: str | None, citations: list[dict]) -> str:
        catalog = self.app.library.catalog
        parsed = catalog.parsed(doc_id)
        return document_html(parsed, citations, catalog.metas.get(doc_id)) if parsed else NO_DOCUMENTS

    def pick(self, doc_id, citations: list[dict], follow: bool) -> str | None:
        """The document to show: the chosen one, or (following the answer) the first one the answer cites."""
        catalog = self.app.library.catalog
        if follow and citations and not any(c["doc_id"] == doc_id for c in citations):
            cited = citations[0]["doc_id"]
            if catalog.parsed(cited):
                return cited
        if catalog.parsed(doc_id):
            return doc_id
        return catalog.documents[0].document.doc_id if catalog.documents else None

    def on_open(self, doc_id, cites, seen):
        """The tab opened: the current document list (another session may have changed it), the document
        the answer being looked at cites, its spans marked."""
        catalog = self.app.library.catalog
        citations = citations_of(cites)
        doc_id = self.pick(doc_id, citations, follow=True)
        choice = gr.update(choices=catalog.choices, value=doc_id) if seen != catalog.version else doc_id
        return choice, self.render(doc_id, citations), gr.update(visible=doc_id in catalog.removable), catalog.version

    def on_choose(self, doc_id, cites):
        doc_id = self.pick(doc_id, citations_of(cites), follow=False)
        removable = doc_id in self.app.library.catalog.removable
        return doc_id, self.render(doc_id, citations_of(cites)), gr.update(visible=removable), gr.update(visible=False)

    # --- changing the library -------------------------------------------------------------------------------

    def library_updates(self, doc_id: str | None, map_docs) -> tuple:
        """(document choice, view, delete button, chat documents, map documents, seen) after a change."""
        catalog = self.app.library.catalog
        doc_id = self.pick(doc_id, [], follow=False)
        choices = catalog.choices
        return (
            gr.update(choices=choices, value=doc_id), self.render(doc_id, []),
            gr.update(visible=doc_id in catalog.removable), gr.update(choices=choices),
            gr.update(choices=choices, value=catalog.known(map_docs or [])), catalog.version,
        )

    def ask_delete(self, doc_id):
        catalog = self.app.library.catalog
        if doc_id not in catalog.removable:
            return gr.update(visible=False), ""
        text = (f"「{catalog.title(doc_id)}」を削除しますか？ ファイルは資料フォルダから消え、チャットの回答にも分野マップにも"
                "使われなくなります。元に戻すには、もう一度追加してください。")
        return gr.update(visible=True), message_html(text, "warn")

    def remove(self, doc_id, map_docs, last_report, stored, progress=gr.Progress()):
        """Outputs: (confirmation, status, *library_updates, upload report, last report, chat). The deleted
        document's line leaves this session's upload report, and the chat is drawn again so that answers
        citing it say it was deleted."""
        catalog = self.app.library.catalog
        title = catalog.title(doc_id) if doc_id else ""
        skip = (gr.skip(),) * 9
        if doc_id not in catalog.removable:
            return gr.update(visible=False), message_html("同梱の資料は削除できません。", "warn"), *skip
        try:
            removed = self.app.bot.remove_document(doc_id, progress=self.stepper(progress))
        except Exception as exc:  # noqa: BLE001 - the user gets a Japanese message, the log the traceback
            log.exception("removing %s failed", doc_id)
            self.app.library.reload()
            html = message_html(f"「{title}」を削除できませんでした。", "error") + details_html(exc)
            return gr.update(visible=False), html, *skip
        self.app.library.reload()
        text = f"「{title}」を削除しました。" if removed else f"「{title}」はすでにありません。"
        report = without_document(last_report, doc_id)
        return (gr.update(visible=False), message_html(text, "ok"), *self.library_updates(None, map_docs),
                upload_report_html(report) if report is not None else "", report,
                self.app.chat.display(C.parse(stored)))

    def add(self, files, map_docs):
        """Generator. While the upload runs: one bar per file in the report box; then (report, upload box,
        *library_updates, last report)."""
        skip = gr.skip()
        files = [] if files in (None, "") else files if isinstance(files, (list, tuple)) else [files]
        if not files:
            yield message_html(NO_FILES_HINT, "warn"), skip, *(skip,) * 7
            return
        updates: queue.Queue = queue.Queue()
        outcome: dict = {}

        def work() -> None:
            """The upload itself: it runs to its end even if the page goes away meanwhile."""
            try:
                outcome["report"] = self.app.bot.add_documents(files, progress=updates.put)
            except Exception as exc:  # noqa: BLE001 - e.g. another writer held the index too long
                log.exception("adding documents failed")
                outcome["report"] = AddReport(files=(), failed=str(exc) if is_index_error(exc) else UNEXPECTED)
            finally:
                discard_uploads(files)  # after staging has read them, whatever the page does
                updates.put(None)

        worker = threading.Thread(target=work, name="upload", daemon=True)
        worker.start()
        for shown in latest(updates):
            yield upload_progress_html(shown), *(skip,) * 8
        worker.join()
        report = outcome["report"]
        self.app.library.reload()
        html = upload_report_html(report)
        if not any(f.ok for f in report.files) or report.failed:
            yield html, None, *(skip,) * 6, report
            return
        yield html, None, *self.library_updates(report.first_document, map_docs), report

    @staticmethod
    def stepper(progress):
        """`progress(step, done, total)` for the application API, shown by Gradio's progress bar."""

        def step(name: str, done: int = 0, total: int = 0) -> None:
            if total:
                progress((done, total), desc=STEP_TEXT.get(name, ""), unit="件")
            else:
                progress(0, desc=STEP_TEXT.get(name, ""))

        return step


def latest(updates: queue.Queue):
    """The progress reports put on `updates` until None, skipping those already outdated by a newer one."""
    while True:
        item = updates.get()
        done = item is None
        while not done:  # drain: only the newest report is worth drawing
            try:
                newer = updates.get_nowait()
            except queue.Empty:
                break
            done = newer is None
            item = item if done else newer
        if item is not None:
            yield item
        if done:
            return


def without_document(report: AddReport | None, doc_id: str) -> AddReport | None:
    """An upload report without the line of a document deleted since (None when no line is left)."""
    if report is None:
        return None
    files = tuple(f for f in report.files if f.doc_id != doc_id or not doc_id)
    if files == report.files:
        return report
    return replace(report, files=files) if any(f.ok for f in files) else None


def is_index_error(exc: BaseException) -> bool:
    return isinstance(exc, IndexError_)


def details_html(exc: BaseException) -> str:
    """What went wrong, for whoever runs the server (index errors name their fix); folded."""
    return admin_details_html(str(exc) if is_index_error(exc) else UNEXPECTED)


def discard_uploads(files) -> None:
    """Delete Gradio's cached copies of the uploaded files once they are staged (or refused): the library
    has its own copy, and nothing else reads them."""
    root = os.path.realpath(get_upload_folder())
    for item in files:
        path = item.get("path") if isinstance(item, dict) else getattr(item, "path", item)
        if not isinstance(path, (str, os.PathLike)):
            continue
        real = os.path.realpath(path)
        if os.path.commonpath([real, root]) != root or real == root:
            continue  # never delete anything outside Gradio's upload folder
        try:
            os.unlink(real)
            parent = Path(real).parent
            if str(parent) != root and not any(parent.iterdir()):
                shutil.rmtree(parent, ignore_errors=True)
        except OSError:
            log.debug("could not delete the upload %s", real, exc_info=True)
