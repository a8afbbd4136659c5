"""分野マップ: which units (called by the documents' own noun) name which fields, as a map of Japan and a
matrix grouped by the legend's categories. The bundled plans by default; the user may pick other documents.
Selecting a field, a unit or a matrix cell shows the passages behind it."""

from __future__ import annotations

import logging

import gradio as gr

from ui.japan import THEMES, map_png_base64
from ui.pages.base import PRIVATE, Page
from ui.render import field_map as M

log = logging.getLogger("ui")

NONE = ""  # dropdown value for "no selection"
MAP_FAILED = '<p class="no-answer">地図を表示できませんでした。もう一度お試しください。</p>'


class FieldMapPage(Page):
    def build(self) -> None:
        library = self.app.library
        data = library.field_map()
        noun = M.noun_of(data.fm)
        gr.Markdown("資料がどの分野を挙げているかを、地図と表で示します。分野や地域を選ぶか、表のセルを選ぶと、根拠となる記載を表示します。"
                    "地域ごとの分野の一覧がない資料では、章や節をまたいで繰り返し現れる見出しと項目を表にします。")
        with gr.Row():
            self.docs = gr.Dropdown(choices=library.catalog.choices, value=[], multiselect=True, allow_custom_value=True,
                                    label="資料（空欄なら同梱の計画）", elem_id="map-docs", scale=3)
            self.field = gr.Dropdown(choices=self.field_choices(data), value=NONE, label=M.row_noun(data.fm), elem_id="field-select",
                                     filterable=True, allow_custom_value=True, scale=2)
            self.unit = gr.Dropdown(choices=self.unit_choices(data), value=NONE, label=noun, elem_id="unit-select",
                                    allow_custom_value=True, scale=2)
            self.clear = gr.Button("選択を解除", size="sm", scale=0, min_width=120, elem_id="map-clear")
        first = self.views(None, None, None)
        with gr.Row(equal_height=False):
            with gr.Column(scale=2, min_width=300):
                self.map = gr.HTML(first[0], elem_id="japan-map")
            with gr.Column(scale=3, min_width=320):
                self.passages = gr.HTML(first[1], elem_id="map-passages")
        self.matrix = gr.HTML(first[2], elem_id="matrix")
        self.seen = gr.State(library.catalog.version, time_to_live=self.app.limits.idle_seconds)

    def build_hidden(self) -> None:
        self.bridge = gr.HTML("", visible="hidden", elem_id="map-bridge",
                              js_on_load="PA.bridge('map', (data) => trigger('cell', data));")

    def wire(self) -> None:
        views = [self.map, self.passages, self.matrix]
        inputs = [self.docs, self.field, self.unit]
        # One map event at a time, in the order they come: a slow redraw (the tab opened after the library
        # changed) must not land after, and undo, a choice made meanwhile. Drawn maps are cached per selection.
        ordered = dict(concurrency_limit=1, concurrency_id="map", **PRIVATE)
        self.field.input(self.select, inputs, views, show_progress="minimal", **ordered)
        self.unit.input(self.select, inputs, views, show_progress="minimal", **ordered)
        self.docs.input(self.choose_documents, inputs, [self.field, self.unit, *views], show_progress="minimal",
                        **ordered)
        self.clear.click(self.select_cell, [self.docs], [self.field, self.unit, *views], **ordered)
        self.bridge.cell(self.select_cell, [self.docs], [self.field, self.unit, *views], show_progress="minimal",
                         **ordered)
        self.tab.select(self.sync, [self.seen, *inputs], [self.docs, self.field, self.unit, *views, self.seen],
                        show_progress="minimal", **ordered)

    # --- views ----------------------------------------------------------------------------------------------

    @staticmethod
    def field_choices(data) -> list[tuple[str, str]]:
        return [("（指定なし）", NONE)] + [(f, f) for _, fields in M.groups(data.fm) for f in fields]

    @staticmethod
    def unit_choices(data) -> list[tuple[str, str]]:
        return [("（指定なし）", NONE)] + [(u, u) for u in data.fm.units]

    def views(self, doc_ids, field, unit) -> tuple[str, str, str]:
        """(map with legend and caption, passages, matrix) for a selection."""
        library = self.app.library
        data = library.field_map(doc_ids)
        fm = data.fm
        field = field if field in fm.fields else None
        unit = unit if unit in fm.units else None
        if not fm.fields:  # nothing to draw: the matrix says why
            return M.no_map_html(), M.cell_passages_html(fm, {}, {}, None, None), M.matrix_html(fm)
        view = M.map_view(fm, field, unit, data.areas)
        pngs = ({t: map_png_base64(view.coloured, data.colors, data.areas, view.potential, t) for t in THEMES}
                if data.drawable else {})
        return (
            M.map_html(pngs, fm.units, view, data.colors),
            M.cell_passages_html(fm, data.passages, library.catalog.metas, field, unit),
            M.matrix_html(fm, field, unit),
        )

    def select(self, doc_ids, field, unit):
        try:
            return self.views(doc_ids, field, unit)
        except Exception:  # noqa: BLE001 - a message instead of a broken tab; the log has the traceback
            log.exception("map failed for %r %r %r", doc_ids, field, unit)
            return MAP_FAILED, gr.skip(), gr.skip()

    def choose_documents(self, doc_ids, field, unit):
        """Another set of documents: new choices (keeping the selection where it still exists)."""
        data = self.app.library.field_map(doc_ids)
        field = field if field in data.fm.fields else NONE
        unit = unit if unit in data.fm.units else NONE
        return (gr.update(choices=self.field_choices(data), value=field, label=M.row_noun(data.fm)),
                gr.update(choices=self.unit_choices(data), value=unit, label=M.noun_of(data.fm)),
                *self.select(doc_ids, field, unit))

    def select_cell(self, doc_ids, evt: gr.EventData):
        """A matrix cell (or 選択を解除): both filters set, the passage shown."""
        data = getattr(evt, "_data", None) or {}
        fm = self.app.library.field_map(doc_ids).fm
        field = data.get("field") if data.get("field") in fm.fields else NONE
        unit = data.get("unit") if data.get("unit") in fm.units else NONE
        return field, unit, *self.select(doc_ids, field, unit)

    def sync(self, seen, doc_ids, field, unit):
        """The tab opened: when the library changed since this session drew the map, redraw it."""
        catalog = self.app.library.catalog
        if seen == catalog.version:
            return (gr.skip(),) * 7
        doc_ids = catalog.known(doc_ids or [])
        field_update, unit_update, *views = self.choose_documents(doc_ids, field, unit)
        return gr.update(choices=catalog.choices, value=doc_ids), field_update, unit_update, *views, catalog.version
