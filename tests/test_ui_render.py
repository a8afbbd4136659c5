"""The UI's pure render functions: escaping, highlighting by offsets, answers from typed lines, sources,
the trace, documents, the upload report, the field map; and no domain words in the UI's code."""

from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assistant.library import AddReport, FileOutcome
from assistant.render import reference_list
from assistant.types import Citation, FieldMap, Line, LineKind, MapCell, Strength
from corpus.model import Block, Chunk, Document, Item, ParsedDocument, Section
from ui.render import answer as A
from ui.render import documents as D
from ui.render import field_map as M
from ui.render import html as H
from ui.render.export import conversation_markdown, file_name
from ui.render.sources import DocMeta, cards_html, citation_card

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
EVIL = f"{SCRIPT}{IMG}"
REPO = Path(__file__).resolve().parents[1]


class _Inert(HTMLParser):
    """Collects what would run in a browser: script-like tags, on* handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "iframe", "object", "embed", "style", "link", "meta"):
            if not (tag == "img" and all(k != "onerror" for k, _ in attrs) and _data_png(attrs)):
                self.problems.append(f"<{tag}>")
        for k, v in attrs:
            if k.startswith("on") or (v and v.strip().lower().startswith("javascript:")):
                self.problems.append(f"{tag} {k}={v}")

    def handle_data(self, data):
        self.text.append(data)


def _data_png(attrs) -> bool:
    return any(k == "src" and (v or "").startswith("data:image/png;base64,") for k, v in attrs)


def inert(markup: str) -> str:
    """Assert nothing in `markup` can execute; return its visible text."""
    parser = _Inert()
    parser.feed(markup)
    parser.close()
    assert parser.problems == [], parser.problems
    return "".join(parser.text)


def marked(markup: str) -> list[str]:
    """Text of each <mark> (label superscripts and <br> removed)."""
    markup = re.sub(r'<sup class="mk">.*?</sup>', "", markup).replace("<br>", "\n")
    return [html.unescape(m) for m in re.findall(r"<mark[^>]*>(.*?)</mark>", markup, flags=re.S)]


# --- escaping and highlighting --------------------------------------------------------------------------


def test_esc_turns_markup_into_text():
    out = H.esc(EVIL)
    assert "<" not in out and ">" not in out and html.unescape(out) == EVIL
    assert H.esc('"\'') == "&quot;&#x27;" and H.esc(None) == ""


def test_highlight_marks_exactly_the_span_given_by_document_offsets():
    passage = "■ 九州\n\nTSMC進出を契機に半導体産業の集積が加速している。"
    base = 383
    start, end = base + passage.index("TSMC"), base + passage.index("。") + 1
    out = H.mark_text(passage, base, [H.Mark(start, end, "1")])
    assert marked(out) == ["TSMC進出を契機に半導体産業の集積が加速している。"]
    assert inert(out) == passage and 'data-n="1"' in out


def test_highlight_escapes_a_hostile_passage_and_span():
    passage = f"前の文。{SCRIPT}の中身{IMG}。後の文。"
    start, end = passage.index("<script>"), passage.index("。後")
    out = H.mark_text(passage, 0, [H.Mark(start, end)])
    assert inert(out) == passage and marked(out) == [passage[start:end]]


def test_overlapping_marks_are_merged_and_out_of_range_marks_clipped():
    out = H.mark_text("abcdefghij", 100, [H.Mark(102, 106, "1"), H.Mark(104, 108, "2"), H.Mark(90, 101, "3"),
                                          H.Mark(200, 210, "4")])
    assert inert(out) == "abcdefghij" and marked(out) == ["a", "cd", "ef", "gh"]
    assert 'data-n="1,2"' in out and 'data-n="4"' not in out


def test_labels_and_anchors():
    out = H.mark_text("0123456789", 0, [H.Mark(2, 4, "7", anchor="cite-7")], [(0, "top"), (5, "mid")], labels=True)
    assert '<span class="anchor" id="top"></span>0' in out and '<span class="anchor" id="mid"></span>5' in out
    assert 'id="cite-7"' in out and '<sup class="mk">[7]</sup>23' in out


def test_squeeze_and_breaks_change_the_display_only():
    text = "見出し\n\n\n本文の一文。\n　\n次。"
    out = H.mark_text(text, 10, [H.Mark(10 + text.index("本文"), 10 + text.index("。") + 1)], squeeze=True, breaks=True)
    assert "\n" not in out and "<br><br>" not in out and marked(out) == ["本文の一文。"]


def test_markdown_bold_markers_are_hidden_and_offsets_kept():
    text = "足りない**国内投資を徹底的にてこ入れ**する。"
    s = text.index("国内投資")
    out = H.mark_text(text, 0, [H.Mark(s, s + 4)])
    assert "**" not in out and inert(out) == text.replace("**", "") and marked(out) == ["国内投資"]


def test_dom_ids_are_ascii_and_distinct():
    a, b = H.dom_id("doc", "計画", 1), H.dom_id("doc", "資料", 1)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", a) and re.fullmatch(r"[A-Za-z0-9_-]+", b) and a != b
    assert H.dom_id("doc", "cluster_plan", 3) == "doc-cluster_plan-3"


def test_the_unit_noun_is_the_documents_own_and_never_doubled():
    assert H.with_noun("九州", "ブロック") == "九州ブロック"
    assert H.with_noun("架空ブロック", "ブロック") == "架空ブロック"
    assert H.with_noun("第1章", "") == "第1章"
    assert "ブロック" not in H.unit_tag("国内投資を徹底的にてこ入れ", "")
    assert inert(H.unit_tag("九州", "ブロック")) == "ブロック 九州"


# --- answers from typed lines ---------------------------------------------------------------------------

TITLE = "各地方ブロック別の戦略産業クラスター計画の素案（概要）"
PASSAGE = "■ 九州\n\nTSMC進出を契機に半導体産業の集積が加速している。\n\n- ②エネルギー・GX・資源循環\n③造船・防衛・航空宇宙"
P0 = 383
META = {"cluster_plan": DocMeta(title=TITLE, noun="ブロック", publisher="内閣官房", date="2025-06")}


def _span(s: str) -> tuple[int, int]:
    i = PASSAGE.index(s)
    return P0 + i, P0 + i + len(s)


def _chunk(text=PASSAGE, start=P0, block="九州", chunk_id="c-kyushu") -> Chunk:
    return Chunk(chunk_id=chunk_id, doc_id="cluster_plan", title=TITLE, block=block, section_path=(block,),
                 start=start, end=start + len(text), text=text)


def _cite(n, s, *, reference=False, page=None, chunk_id="c-kyushu", block="九州", section="九州") -> Citation:
    start, end = _span(s)
    return Citation(n=n, chunk_id=chunk_id, doc_id="cluster_plan", title=TITLE, block=block, section=section, text=s,
                    start=start, end=end, score=1.0, page=page, reference=reference)


def _turn(lines, citations, *, answerable=True, text="", trace=None, **extra) -> dict:
    answer = {"text": text or "九州では… [1]", "answerable": answerable, "intent": "unit_items",
              "lines": [line.to_dict() for line in lines], "citations": [c.to_dict() for c in citations]}
    return {"id": "t-1", "question": "九州の分野は？", "answer": answer, "trace": trace or {}, "context": True,
            "doc_ids": [], "verdict": None, "error": "", **extra}


def test_an_answer_is_rendered_from_its_lines_with_a_button_per_citation():
    c1, c2 = _cite(1, "TSMC進出を契機に半導体産業の集積が加速している。"), _cite(2, "③造船・防衛・航空宇宙")
    lines = [Line(LineKind.LEAD, "九州ブロックでは、次の分野が挙げられています。"),
             Line(LineKind.UNIT, unit="九州", items=("①AI・半導体", "③造船・防衛・航空宇宙"), cites=(1, 2),
                  strength=Strength.PLANNED),
             Line(LineKind.UNIT, unit="関東", items=("③半導体",), cites=(2,), strength=Strength.POTENTIAL),
             Line(LineKind.NOTE, f"補足{EVIL}")]
    out = A.answer_html(_turn(lines, [c1, c2]), {"c-kyushu": _chunk()}, META)
    text = inert(out)
    assert "\n" not in out  # one HTML block: the chat's Markdown cannot reinterpret it
    assert re.findall(r'<button type="button" class="cite" data-turn="t-1" data-n="(\d)"', out) == ["1", "2", "2"]
    # every item carries its strength in the assistant's words (● 検討 / ○ 言及のみ), as the map does
    assert "九州：①AI・半導体● 検討、③造船・防衛・航空宇宙● 検討" in text and EVIL in text
    assert out.count("<ul>") == 1 and 'data-unit="関東"' in out and "関東：③半導体○ 言及のみ" in text
    assert 'data-quote="TSMC進出を契機に半導体産業の集積が加速している。"' in out
    assert 'data-answerable="true"' in out and 'data-state="done"' in out


def test_every_answer_carries_its_own_sources_trace_and_tools():
    c1 = _cite(1, "TSMC進出を契機に半導体産業の集積が加速している。", page=2)
    trace = {"intent": "unit_items", "followup": True, "carried": ["九州"], "fields": [EVIL],
             "candidates": [{"chunk_id": "c-kyushu", "block": "九州", "section": "九州", "start": P0, "end": P0 + 60,
                             "score": 0.0328, "dense": 0.8811, "bm25": 4.2}],
             "chosen": [{"n": 1, "block": "九州", "start": c1.start, "end": c1.end}]}
    out = A.answer_html(_turn([Line(LineKind.LEAD, "答え", (1,))], [c1], trace=trace), {"c-kyushu": _chunk()}, META)
    text = inert(out)
    # its own folded sources, whose cards carry the turn's id (the panel shows exactly these)
    assert '<details class="msg-sources" data-turn="t-1"' in out and 'id="m-t-1-1"' in out
    assert marked(out) == [c1.text] and "■ 九州" in text
    assert "ブロック 九州" in text and "ページ 2" in text and "発行 内閣官房" in text and "日付 2025-06" in text
    # the trace: intent, entities, candidates with dense and BM25 scores, the chosen passage
    assert "検索の経過" in text and "unit_items" in text and "0.8811" in text and "4.2000" in text and EVIL in text
    assert '<tr class="picked"' in out and "選んだ箇所：[1] 九州" in text
    # the context chip, removable on the latest answer only
    assert "引き継ぎ：九州" in text and 'class="chip-x"' in out
    assert 'class="chip-x"' not in A.answer_html(_turn([], [c1], trace=trace), {}, META, last=False)
    # tools: copy (text + the CLI's reference list), votes, regenerate
    copy = html.unescape(re.search(r'data-copy="([^"]*)"', out).group(1))
    assert copy == "九州では… [1]\n\n" + reference_list([c1])
    assert 'data-verdict="up"' in out and 'data-verdict="down"' in out and "再生成" in text


def test_an_answer_asked_again_without_context_says_so():
    out = A.answer_html(_turn([], [], context=False, trace={"carried": []}), {}, META)
    assert "前の会話を引き継がずに回答しました" in inert(out) and "chip-x" not in out


def test_a_decline_says_so_plainly_and_its_passages_are_reference_only():
    c = _cite(1, "TSMC進出を契機に半導体産業の集積が加速している。", reference=True)
    lines = [Line(LineKind.DECLINE, "資料には九州の予算についての記載がありません。"), Line(LineKind.REFERENCE, "関連する記載", (1,))]
    out = A.answer_html(_turn(lines, [c], answerable=False), {"c-kyushu": _chunk()}, META)
    text = inert(out)
    assert 'data-answerable="false"' in out and A.NO_ANSWER in text
    assert "参考：関連する記載（1件）" in text and 'data-reference="true"' in out and "出典（" not in text


def test_a_failed_answer_is_a_short_notice_with_nothing_technical():
    out = A.answer_html({"id": "t-9", "question": "q", "error": "エラーが発生しました。", "answer": {}}, {}, {})
    assert inert(out) == "エラーが発生しました。" and "notice-error" in out


def test_streaming_reveals_lines_first_and_the_tools_at_the_end():
    lines = [Line(LineKind.LEAD, "一行目"), Line(LineKind.ITEM, "二行目"), Line(LineKind.ITEM, "三行目")]
    partial = A.answer_html(_turn(lines, []), {}, META, reveal=1)
    assert "一行目" in partial and "二行目" not in partial and 'data-state="streaming"' in partial
    assert "msg-sources" not in partial and "act-copy" not in partial


def test_user_message_is_escaped():
    out = A.user_html({"id": "t-1", "question": f"{EVIL}\n九州の分野は？"}, scope=["三陸の計画"])
    assert inert(out) == f"{EVIL}九州の分野は？対象の資料：三陸の計画" and "<br>" in out


def test_cards_group_citations_per_passage_and_escape_everything():
    c1 = _cite(1, "TSMC進出を契機に半導体産業の集積が加速している。")
    c2 = _cite(2, "③造船・防衛・航空宇宙")
    out = cards_html([c1, c2], {"c-kyushu": _chunk()}, META, id_prefix="p", turn="t-1")
    assert out.count("<article") == 1 and 'data-n="1,2"' in out and 'id="p-t-1-1"' in out
    assert marked(out) == [c1.text, c2.text]
    hostile = Citation(n=1, chunk_id="x", doc_id="d", title=f"題{IMG}", block=f"九{SCRIPT}", section=IMG, text=EVIL,
                       start=0, end=len(EVIL), score=1.0)
    text = inert(citation_card(hostile, None))
    assert text.count(SCRIPT) >= 2 and IMG in text


def test_a_passage_without_units_is_not_labelled_with_another_documents_noun():
    c = Citation(n=1, chunk_id="g", doc_id="growth", title="成長戦略", block="国内投資を徹底的にてこ入れ", section="国内投資を徹底的にてこ入れ",
                 text="危機管理投資", start=0, end=6, score=1.0)
    out = citation_card(c, None, DocMeta(title="成長戦略", noun=""))
    assert "ブロック" not in inert(out) and "箇所 国内投資を徹底的にてこ入れ" in inert(out)


# --- export --------------------------------------------------------------------------------------------------


def test_a_conversation_exports_as_markdown_with_its_sources():
    c1 = _cite(1, "③造船・防衛・航空宇宙", page=3)
    conv = {"id": "c-1", "title": "造船の話", "turns": [
        _turn([], [c1], text="九州は造船です [1]", trace={"carried": ["九州"]}),
        {"id": "t-2", "question": "# 見出しではない", "answer": {"text": "> 引用ではない", "citations": []}, "context": True},
    ]}
    md = conversation_markdown(conv, "造船の話", "アシスタント", "2025-01-01 10:00")
    assert md.startswith("# 造船の話\n") and "## 1. 九州の分野は？" in md and "九州は造船です [1]" in md
    assert f"- {reference_list([c1])}" in md and "p.3" in md and "*引き継ぎ：九州*" in md
    assert "## 2. \\# 見出しではない" in md and "\\> 引用ではない" in md
    assert file_name('a/b:c*?"<>|') == "a_b_c.md" and file_name("") == "会話.md"


# --- 資料 tab ---------------------------------------------------------------------------------------------------


def _parsed() -> ParsedDocument:
    text = f"\n\n計画の題\n\n■ 九州\n\n{EVIL}を含む①造船の記載。\n\n■ 四国\n\n①造船産業"
    k, s, item_at = text.index("■ 九州"), text.index("■ 四国"), text.index("造船の")
    kyushu = Block("doc<1>", "九州", k, s - 2, (Section("doc<1>", "九州", ("九州",), "九州", k + 6, s - 2,
                                                      (Item(item_at, item_at + 2, "造船", "①", 1),)),))
    shikoku = Block("doc<1>", "四国", s, len(text), (Section("doc<1>", "四国", ("四国", f"節{IMG}"), "節", s + 6, len(text)),))
    doc = Document(doc_id="doc<1>", title=f"題名{SCRIPT}", short_name="t", kind="txt", text=text, page_starts=(20,))
    return ParsedDocument(doc, (kyushu, shikoku))


def test_document_view_shows_escaped_full_text_tree_and_cited_spans():
    parsed = _parsed()
    text = parsed.document.text
    s = text.index("①造船の記載")
    cite = {"n": 3, "doc_id": "doc<1>", "start": s, "end": s + 6, "reference": False}
    elsewhere = {"n": 4, "doc_id": "other", "start": 0, "end": 5}
    out = D.document_html(parsed, [cite, elsewhere], DocMeta(title=f"題名{SCRIPT}", publisher="発行元", date="2025"))
    visible = inert(out)
    assert text.strip() in inert(re.sub(r'<sup class="mk">.*?</sup>', "", out))
    assert f"題名{SCRIPT}" in visible and f"節{IMG}" in visible and "2ページ" in visible and "発行：発行元" in visible
    assert marked(out) == ["①造船の記載"] and "[3]" in visible and "[4]" not in visible
    for target in re.findall(r'href="#([^"]+)"', out):
        assert f'id="{target}"' in out, target


def test_the_upload_report_speaks_plainly():
    report = AddReport(files=(
        FileOutcome("三陸.md", "added", doc_id="sanriku", title="三陸の計画"),
        FileOutcome("evil.md", "changed", original="../../evil.md", doc_id="evil", title="evil"),
        FileOutcome("setup.exe", "refused", reason=f"setup.exe: 対応していない形式です{SCRIPT}"),
    ), embedded=3, removed=("古い資料",))
    out = D.upload_report_html(report)
    text = inert(out)
    for jargon in ("チャンク", "索引", "埋め込"):
        assert jargon not in text
    assert "2件の資料を登録しました" in text and "追加できなかったファイルが 1件" in text and SCRIPT in text
    assert "三陸.md：「三陸の計画」を追加しました" in text and "元の名前：../../evil.md" in text and "古い資料" in text
    assert 'data-added="1"' in out and 'data-changed="1"' in out and 'data-errors="1"' in out
    failed = D.upload_report_html(AddReport(files=(FileOutcome("a.md", "refused", reason="a.md: だめ"),),
                                            failed="索引に接続できません"))
    assert "まだ質問には使えません。" in inert(failed) and "upload-error" in failed
    # the failure's own words (they may name the index) are folded away for whoever runs the server
    assert re.search(r'<details class="admin-details"><summary>管理者向けの詳細</summary><p>索引に接続できません</p>', failed)
    nothing = D.upload_report_html(AddReport(files=(), failed="索引が使用中です"))
    assert "資料を追加できませんでした" in inert(nothing) and "保存しました" not in inert(nothing)
    # a file added with characters that could not be read says so beside its line, escaped
    noted = D.upload_report_html(AddReport(files=(
        FileOutcome("古い.txt", "added", doc_id="old", title="古い", note=f"古い.txt: 読み取れない文字が 2 か所{SCRIPT}"),)))
    assert "「古い」を追加しました⚠ 古い.txt: 読み取れない文字が 2 か所" + SCRIPT in inert(noted) and "<br>⚠" in noted


# --- 分野マップ ---------------------------------------------------------------------------------------------------


def _fm(cells=None, units=("北海道", "中国", "九州", "四国"), categories=(("造船", ("造船",)), ("AI・半導体", ("半導体", "AI")))):
    def c(unit, text):
        return Citation(n=1, chunk_id=f"c-{unit}", doc_id="cluster_plan", title=TITLE, block=unit, section=unit,
                        text=text, start=0, end=len(text), score=1.0)

    P, O = Strength.PLANNED, Strength.POTENTIAL
    cells = cells or {
        ("中国", "造船"): MapCell((c("中国", "④造船"),), P),
        ("九州", "造船"): MapCell((c("九州", "③造船・防衛・航空宇宙"),), P),
        ("四国", "造船"): MapCell((c("四国", "①造船産業"),), P),
        ("九州", "半導体"): MapCell((c("九州", "①AI・半導体"),), P),
        ("北海道", "半導体"): MapCell((c("北海道", "③半導体"),), O),
        ("九州", EVIL): MapCell((c("九州", EVIL),), P),
    }
    fields = tuple(dict.fromkeys(f for _, f in cells))
    return FieldMap(doc_ids=(), unit_noun="ブロック", units=units, fields=fields, categories=categories, cells=cells)


def test_matrix_rows_sit_under_the_legends_categories_columns_in_map_order():
    out = M.matrix_html(_fm(), field="造船")
    inert(out)
    rows = re.findall(r'<tr class="(cat|frag)[^"]*"(?: data-selected="true")? data-(?:category|field)="([^"]*)"', out)
    assert rows == [("cat", "造船"), ("frag", "造船"), ("cat", "AI・半導体"), ("frag", "半導体"), ("cat", "その他"),
                    ("frag", EVIL.replace("<", "&lt;").replace(">", "&gt;"))]
    assert re.findall(r'<th scope="col" data-unit="([^"]+)"', out) == ["北海道", "中国", "九州", "四国"]
    on = re.findall(r'<td class="hit planned on" data-unit="([^"]+)" data-field="造船"', out)
    assert on == ["中国", "九州", "四国"]
    # ● planned, ○ potential only, and a legend that says so
    assert re.search(r'data-unit="北海道" data-field="半導体" data-hit="true" data-strength="potential"[^>]*>○</td>', out)
    assert re.search(r'data-unit="九州" data-field="半導体" data-hit="true" data-strength="planned"[^>]*>●</td>', out)
    assert "● 検討（" in inert(out) and "○ 言及のみ（ポテンシャル" in inert(out)  # the answers' words
    assert "分野＼ブロック" in inert(out)
    # only the selected field's group is open; the others show their summary row
    opened = re.findall(r'<tbody class="grp( open)?" data-category="([^"]*)"', out)
    assert opened == [(" open", "造船"), ("", "AI・半導体"), ("", "その他")]
    assert re.search(r'<tr class="cat" data-category="AI・半導体">.*?<td class="cat-cell" data-unit="北海道">○</td>'
                     r'<td class="cat-cell" data-unit="中国"></td><td class="cat-cell" data-unit="九州">●</td>', out)


def test_the_caption_always_agrees_with_the_coloured_units():
    fm = _fm(units=("中国", "九州", "四国", "三陸"), categories=(), cells={
        (u, "造船"): MapCell((Citation(n=1, chunk_id="c", doc_id="d", title="t", block=u, section=u, text="造船", start=0,
                                         end=2, score=1.0),), Strength.PLANNED) for u in ("中国", "九州", "四国", "三陸")})
    areas = {"中国": ["岡山県"], "九州": ["福岡県"], "四国": ["愛媛県"], "三陸": []}
    view = M.map_view(fm, "造船", None, areas)
    assert view.marked == ("中国", "九州", "四国", "三陸") and view.coloured == ("中国", "九州", "四国")
    assert "（4ブロック）" in view.caption and "地図に示せないブロック：三陸" in view.caption
    unit = M.map_view(fm, None, "三陸", areas)
    assert unit.coloured == () and "三陸ブロックの分野：造船" in unit.caption and "地図に示せない" in unit.caption
    both = M.map_view(fm, "造船", "九州", areas)
    assert "九州ブロックは「造船」を挙げています" in both.caption
    legend = M.map_legend_html(fm.units, view, {"中国": "#111111", "九州": "#222222", "四国": "#333333"})
    assert 'data-coloured="中国,九州,四国"' in legend
    assert re.findall(r'<li data-unit="([^"]+)" data-marked="true" data-coloured="true"', legend) == ["中国", "九州", "四国"]


def test_cell_passages_for_a_field_a_unit_and_one_cell():
    fm = _fm()
    by_field = M.cell_passages_html(fm, {}, META, "造船", None)
    assert re.findall(r'<section class="map-group" data-unit="([^"]+)"', by_field) == ["中国", "九州", "四国"]
    by_unit = M.cell_passages_html(fm, {}, META, None, "九州")
    inert(by_unit)
    assert marked(by_unit) == ["③造船・防衛・航空宇宙", "①AI・半導体", EVIL]
    potential = M.cell_passages_html(fm, {}, META, "半導体", "北海道")
    assert "半導体（○ 言及のみ）" in inert(potential)
    none = M.cell_passages_html(fm, {}, META, "半導体", "四国")
    assert "四国ブロックの資料には「半導体」の記載がありません。" in inert(none)


def test_japan_map_png_colours_exactly_the_prefectures_of_the_marked_units():
    from PIL import Image

    from assistant.places import prefectures_of
    from ui.japan import map_png, unit_colors

    units = ["近畿", "中国", "九州", "四国", "北海道"]
    colors = unit_colors(units)
    png = map_png(["中国", "九州", "四国"], colors, {u: prefectures_of(u) for u in units})
    pixels = Image.open(io.BytesIO(png)).convert("RGB")
    counts = {f"#{r:02x}{g:02x}{b:02x}": n for n, (r, g, b) in pixels.getcolors(maxcolors=1 << 20)}
    for unit in ("中国", "九州", "四国"):
        assert counts.get(colors[unit], 0) > 500, unit
    for unit in ("近畿", "北海道"):
        assert counts.get(colors[unit], 0) == 0, unit


# --- the code itself ----------------------------------------------------------------------------------------------


def test_the_ui_code_names_no_unit_or_field_of_the_bundled_plans():
    """Domain words live in data files (ui/content.toml) and the documents, never in the UI's code."""
    from corpus.parse import parse_document
    from corpus.store import load_bundled_documents

    words = {"ブロック"}
    for doc in load_bundled_documents():
        for block in parse_document(doc).blocks:
            if block.sections and any(i.number for s in block.sections for i in s.items):
                words.add(block.name)
                words.update(i.label for s in block.sections for i in s.items if len(i.label) >= 2)
    code = [p for p in (REPO / "ui").rglob("*") if p.suffix in (".py", ".js", ".css")]
    found = {f"{p.relative_to(REPO)}: {w}" for p in code for w in words if w in p.read_text(encoding="utf-8")}
    assert len(words) > 20 and found == set()


@pytest.mark.parametrize("value", ["user:pass", "a:b:c"])
def test_auth_parsing(value):
    from ui.app import parse_auth

    user, password = parse_auth(value)
    assert f"{user}:{password}" == value


@pytest.mark.parametrize("value", ["nopass", ":x", "x:"])
def test_bad_auth_is_refused_in_japanese(value):
    from ui.app import parse_auth

    with pytest.raises(ValueError, match="ユーザー名:パスワード"):
        parse_auth(value)


def test_public_host_warns_and_local_host_does_not():
    from ui.app import host_warning

    assert host_warning("127.0.0.1", None) is None and host_warning("localhost", None) is None
    warning = host_warning("0.0.0.0", None)
    assert warning and "警告" in warning and "--auth" in warning
    assert "暗号化" in host_warning("0.0.0.0", ("u", "p"))


def test_cli_help_is_japanese(capsys):
    from ui.app import main

    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "待ち受けるアドレス" in out and "ASSISTANT_UI_AUTH" in out and "このヘルプ" in out


def test_cli_refuses_malformed_auth_before_loading_anything(capsys):
    from ui.app import main

    assert main(["--auth", "nocolon"]) == 2
    assert "ユーザー名:パスワード" in capsys.readouterr().err


def test_every_region_colours_prefectures_japanmap_knows_and_together_all_47():
    import japanmap

    from assistant.places import prefectures_of
    from corpus.parse import parse_document
    from corpus.store import load_bundled_documents

    units = [b.name for d in load_bundled_documents() for b in parse_document(d).blocks if prefectures_of(b.name)]
    names = [p for unit in units for p in prefectures_of(unit)]
    assert sorted(names) == sorted(p for p in japanmap.pref_names if p != "_") and len(names) == 47


# --- uidocs: counts with ○, matrices of recurring headings, the map's ○ units, uploads, deleted documents --------


def test_counts_say_how_many_units_and_how_many_of_them_only_mention_the_field():
    out = M.matrix_html(_fm())
    assert "ブロック数（○を含む）" in inert(out)
    # the AI・半導体 category: 九州 plans 半導体, 北海道 only mentions it
    assert re.search(r'<tr class="cat" data-category="AI・半導体">.*?<td class="num" data-count="2" data-potential="1"'
                     r'[^>]*>2<span class="num-p">（うち○1）</span></td></tr>', out)
    assert re.search(r'<tr class="frag" data-field="造船"[^>]*>.*?<td class="num" data-count="3" data-potential="0"'
                     r'[^>]*>3</td></tr>', out)
    assert M.count_of(_fm(), ["半導体"]) == M.Count(units=2, potential=1)


def test_a_matrix_of_recurring_headings_marks_presence_and_an_empty_one_says_why():
    from assistant.types import MatrixGap, MatrixKind

    c = Citation(n=1, chunk_id="c", doc_id="d", title="t", block="第1部", section="第1部", text="主な施策", start=0,
                 end=4, score=1.0)
    fm = FieldMap(doc_ids=("a", "b"), unit_noun="", units=("第1部", "第2部"), fields=("主な施策",), categories=(),
                  cells={("第1部", "主な施策"): MapCell((c,)), ("第2部", "主な施策"): MapCell((c,))}, kind=MatrixKind.PARTS)
    out = M.matrix_html(fm)
    assert 'data-kind="parts"' in out and "見出し・項目＼部分" in inert(out) and "部分数" in inert(out)
    assert re.findall(r'data-strength=""[^>]*>(.)</td>', out) == ["■", "■"]
    assert "■ その見出し・項目がある" in inert(out) and "繰り返し現れる見出しと項目を表にしました" in inert(out)
    empty = FieldMap(doc_ids=("a",), unit_noun="", units=(), fields=(), categories=(), cells={}, kind=MatrixKind.PARTS,
                     gap=MatrixGap.NOTHING_RECURS)
    text = inert(M.matrix_html(empty))
    assert "<table" not in M.matrix_html(empty) and "単位×項目" in text and "表と地図は表示できません" in text
    assert 'data-gap="no_parts"' in M.gap_html(FieldMap((), "", (), (), (), {}, gap=MatrixGap.NO_PARTS))


def test_a_field_placed_by_meaning_is_marked_in_the_matrix():
    fm = _fm()
    fm = FieldMap(fm.doc_ids, fm.unit_noun, fm.units, fm.fields, fm.categories, fm.cells, placed_by={"造船": "meaning"})
    out = M.matrix_html(fm)
    assert '<th scope="row" data-placed="meaning"' in out and "≈ 凡例の語と意味が近い" in inert(out)
    assert "data-placed" not in M.matrix_html(_fm())


def test_the_maps_legend_hatches_the_units_that_only_mention_the_field():
    fm = _fm()
    areas = {"北海道": ["北海道"], "中国": ["岡山県"], "九州": ["福岡県"], "四国": ["愛媛県"]}
    view = M.map_view(fm, "半導体", None, areas)
    assert view.potential == ("北海道",) and "うち北海道は○ポテンシャルとしての言及のみ" in view.caption
    legend = M.map_legend_html(fm.units, view, {"北海道": "#111111", "九州": "#222222"})
    assert re.search(r'<li data-unit="北海道"[^>]*data-strength="potential"[^>]*><span class="swatch hatch"', legend)
    assert re.search(r'<li data-unit="九州"[^>]*><span class="swatch" ', legend) and "斜線で示します" in inert(legend)
    html_ = M.map_html({"light": "AAA", "dark": "BBB"}, fm.units, view, {})
    assert re.findall(r'<img class="map-img map-(\w+)" data-theme="(\w+)"', html_) == [("light", "light"), ("dark", "dark")]
    assert "<img" not in M.map_html({}, fm.units, view, {}) and 'data-drawn="false"' in M.map_html({}, fm.units, view, {})


def test_the_japan_map_hatches_potential_units_and_follows_the_theme():
    from PIL import Image

    from assistant.places import prefectures_of
    from ui.japan import map_png, unit_colors

    units = ["中国", "九州", "四国"]
    colors = unit_colors(units)
    areas = {u: prefectures_of(u) for u in units}

    def counts(png: bytes) -> dict[str, int]:
        image = Image.open(io.BytesIO(png)).convert("RGBA")
        return {f"#{r:02x}{g:02x}{b:02x}": n for n, (r, g, b, a) in image.getcolors(maxcolors=1 << 20) if a == 255}

    solid, hatched = counts(map_png(units, colors, areas)), counts(map_png(units, colors, areas, ["九州"]))
    assert hatched[colors["中国"]] == solid[colors["中国"]] and hatched[colors["四国"]] == solid[colors["四国"]]
    assert 0.3 * solid[colors["九州"]] < hatched[colors["九州"]] < 0.7 * solid[colors["九州"]]
    dark = counts(map_png(units, colors, areas, theme="dark"))
    assert dark[colors["九州"]] == solid[colors["九州"]] and "#ffffff" in solid and "#ffffff" not in dark
    transparent = Image.open(io.BytesIO(map_png(units, colors, areas))).convert("RGBA").getpixel((5, 620))
    assert transparent[3] == 0  # the sea lets the page show through


def test_list_markers_are_shown_as_a_list_without_a_stray_dash():
    text = "凡例\n- AI\n- ①A ②B\n  - (1) C\n---\n-x\n"
    swaps = H.list_marks(text)
    assert [(text[s.start:s.end], s.shown) for s in swaps] == [("- ", "・"), ("- ", ""), ("- ", "")]
    out = H.mark_text(text, 0, [H.Mark(text.index("①"), text.index("②"), "1")], swaps=swaps)
    shown = html.unescape(re.sub(r"<[^>]+>", "", out))
    assert shown == "凡例\n・AI\n①A ②B\n  (1) C\n---\n-x\n"
    assert '<mark class="hl" data-n="1" title="引用 [1]">①A </mark>' in out  # offsets unchanged
    md = "## 第2章 地域別 ##\n### 東部\n- 医療\n"
    assert html.unescape(re.sub(r"<[^>]+>", "", H.mark_text(md, 10, swaps=H.display_swaps(md, 10, "markdown")))) == (
        "第2章 地域別\n東部\n・医療\n")
    assert [w.start for w in H.display_swaps(md, 10, "text")] == [10 + md.index("- ")]  # plain text keeps its #


def test_an_uploads_progress_is_one_bar_per_file():
    from assistant.library import FileProgress, UploadProgress

    p = UploadProgress("embedding", (FileProgress("a.md", "embedding", 3, 12), FileProgress("b.md", "reading"),
                                     FileProgress("c.exe", "refused", reason=f"c.exe: 対応していない形式です{SCRIPT}"),
                                     FileProgress("d.md", "saving")))
    out = D.upload_progress_html(p)
    inert(out)
    bars = re.findall(r'<li class="upl" data-file="([^"]+)" data-state="(\w+)".*?<progress max="(\d+)" value="(\d+)"', out)
    assert bars == [("a.md", "embedding", "12", "3"), ("b.md", "reading", "1", "0"), ("d.md", "saving", "1", "1")]
    assert "（3 / 12 件）" in inert(out) and "対応していない形式です" in inert(out)
    for jargon in ("チャンク", "索引", "埋め込"):
        assert jargon not in inert(out)


def test_a_card_of_a_document_deleted_since_the_answer_says_so():
    c = Citation(n=1, chunk_id="gone-1", doc_id="gone", title="消えた計画", block="三陸", section="三陸", text="①漁業",
                 start=0, end=3, score=1.0)
    card = citation_card(c, None, DocMeta(title="消えた計画", deleted=True))
    assert 'data-deleted="true"' in card and "削除済み" in inert(card) and "この資料は削除されました" in inert(card)
    turn = {"id": "t-1", "question": "q", "answer": {"text": "答え[1]", "answerable": True, "citations": [c.to_dict()],
                                                     "lines": [Line(LineKind.LEAD, "答え", (1,)).to_dict()]}}
    gone = A.sources_html(turn, {}, {"gone": DocMeta(title="消えた計画", deleted=True)})
    assert "削除されたため、「資料」タブでは読めません" in inert(gone) and "前後の文脈は" not in inert(gone)
    kept = A.sources_html(turn, {}, {"gone": DocMeta(title="消えた計画")})
    assert "前後の文脈は「資料」タブで読めます" in inert(kept)
